/**
 * Wire view: a stored group as the reference's `DisasterRecoverGroup`, with the extension
 * members SPEC §5 adds (`GroupId` beside `DisasterRecoverGroupId`, `CreatedTime` beside
 * `CreateTime`). `CurrentNum` is counted live by the caller.
 */
import type { DisasterRecoverGroup } from '../../generated/bms.ts';
import { isoTime } from '../../shared/ids.ts';
import type { PlacementGroup } from '../../store/repos/placement-groups.ts';

export function groupView(g: PlacementGroup, currentNum: number): DisasterRecoverGroup {
  return {
    DisasterRecoverGroupId: g.id,
    GroupId: g.id,
    Name: g.name,
    Type: g.type,
    CurrentNum: currentNum,
    CreateTime: isoTime(g.createdAt),
    CreatedTime: isoTime(g.createdAt),
    UpdateTime: isoTime(g.updatedAt),
  };
}
