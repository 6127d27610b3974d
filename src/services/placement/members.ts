/**
 * A group's members as the scheduler sees them: live instances holding a server, with that
 * server's rack and switch. A member without a server (CREATE_FAILED after its server went
 * back to the pool) still counts in CurrentNum but occupies no rack, so the rule ignores it.
 */
import type { Tx } from '../../store/store.ts';
import type { Member } from '../../network/placement.ts';
import { membersOf } from '../../store/repos/placement-groups.ts';

export interface PlacedMember extends Member {
  zone: string;
}

export async function placedMembers(db: Tx, accountUin: string, groupId: string): Promise<PlacedMember[]> {
  return (await membersOf(db, accountUin, groupId)).flatMap((m) => (m.rackId && m.switchId && m.zone
    ? [{ instanceId: m.instanceId, rackId: m.rackId, switchId: m.switchId, zone: m.zone }]
    : []));
}
