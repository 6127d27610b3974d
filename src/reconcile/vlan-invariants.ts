/**
 * Heartbeat VLAN invariants: no two groups of a region on one VLAN, no membership of an
 * instance that is gone, no switch port left in a VLAN whose server holds no member of it.
 */
import { readVlansForInvariants } from '../store/repos/invariant-reads.ts';
import type { Tx } from '../store/store.ts';

export async function checkVlanInvariants(db: Tx): Promise<string[]> {
  const problems: string[] = [];
  const { groups, members, ports } = await readVlansForInvariants(db);
  const seen = new Map<string, string>();
  for (const g of groups) {
    const key = `${g.region}/${g.vlan_id}`;
    if (seen.has(key)) problems.push(`VLAN ${key} is used by ${seen.get(key)} and ${g.id}`);
    seen.set(key, g.id);
  }
  const vlanOf = new Map(groups.map((g) => [g.id, g.vlan_id]));
  const memberVlanOnServer = new Map<string, number>();
  for (const m of members) {
    if (m.live_id === null || m.deleted_at !== null) problems.push(`heartbeat membership of gone instance ${m.instance_id} in ${m.group_id}`);
    if (m.server_id) memberVlanOnServer.set(m.server_id, vlanOf.get(m.group_id)!);
  }
  for (const p of ports) {
    if (memberVlanOnServer.get(p.server_id) !== p.heartbeat_vlan) {
      problems.push(`switch port of server ${p.server_id} is in VLAN ${p.heartbeat_vlan} without a member instance there`);
    }
  }
  return problems;
}
