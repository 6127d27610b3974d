/**
 * Stored heartbeat groups as the reference's HeartbeatSet: `VlanId` and `CurrentNum` are
 * Strings on the wire, times ISO 8601 UTC.
 */
import type { HeartbeatSet } from '../../generated/bms.ts';
import { isoTime } from '../../shared/ids.ts';
import type { HeartbeatGroupSummary } from '../../store/repos/heartbeats.ts';

export function heartbeatView(g: HeartbeatGroupSummary): HeartbeatSet {
  return {
    HeartbeatId: g.id,
    Name: g.name,
    VlanId: String(g.vlanId),
    CurrentNum: String(g.memberCount),
    CreatedTime: isoTime(g.createdAt),
    UpdateTime: isoTime(g.updatedAt),
  };
}
