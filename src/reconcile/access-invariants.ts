/**
 * The access part of the invariant checker (next to invariants.ts): what backup IPs,
 * out-of-band mappings, their VIPs and tenant BMC accounts must satisfy at any quiet moment.
 *
 * It reports every violation it finds (an empty list means healthy):
 *   - an out-of-band mapping of an instance that is gone (or never was), or whose VIP is not
 *     allocated to that instance in the mapping's subnet;
 *   - a VIP (ip_allocations kind 'vip') that no mapping uses, or whose owner is gone;
 *   - a backup IP whose owner is gone, or is a CREATE_FAILED instance;
 *   - a tenant BMC account of an instance that is gone or CREATE_FAILED (its removal from the
 *     BMC failed or never ran: that server may still let the previous tenant in), or of a
 *     live instance that is no longer on that server.
 */
import { readAccessForInvariants } from '../store/repos/invariant-reads.ts';
import type { Tx } from '../store/store.ts';

export async function checkAccessInvariants(db: Tx): Promise<string[]> {
  const { instances, mappings, allocations, accounts } = await readAccessForInvariants(db);
  const live = new Map(instances.map((i) => [i.id, i]));
  const problems: string[] = [];

  const vipKey = (subnet: string, address: string, owner: string | null) => `${subnet}/${address}/${owner ?? ''}`;
  const mapped = new Set(mappings.map((m) => vipKey(m.subnet_id, m.vip, m.instance_id)));
  const vips = new Set(allocations.filter((a) => a.kind === 'vip').map((a) => vipKey(a.subnet_id, a.address, a.owner_id)));
  for (const m of mappings) {
    if (!live.has(m.instance_id)) problems.push(`out-of-band mapping of ${m.instance_id} in ${m.vpc_id} is leaked: the instance is gone`);
    if (!vips.has(vipKey(m.subnet_id, m.vip, m.instance_id))) problems.push(`out-of-band mapping of ${m.instance_id} in ${m.vpc_id}: its VIP ${m.subnet_id}/${m.vip} is not allocated to it`);
  }
  for (const a of allocations) {
    const where = `${a.subnet_id}/${a.address}`;
    const owner = a.owner_id ? live.get(a.owner_id) : undefined;
    if (a.kind === 'vip') {
      if (!owner) problems.push(`VIP ${where} is leaked: its owner ${a.owner_id ?? '(none)'} is gone`);
      else if (!mapped.has(vipKey(a.subnet_id, a.address, a.owner_id))) problems.push(`VIP ${where} of ${owner.id} is leaked: no out-of-band mapping uses it`);
    } else if (!owner) problems.push(`backup IP ${where} is leaked: its owner ${a.owner_id ?? '(none)'} is gone`);
    else if (owner.status === 'CREATE_FAILED') problems.push(`backup IP ${where} is still held by the failed instance ${owner.id}`);
  }
  for (const acc of accounts) {
    const owner = live.get(acc.instance_id);
    if (!owner) problems.push(`BMC account ${acc.username} of the gone instance ${acc.instance_id} is leaked on server ${acc.server_id}`);
    else if (owner.status === 'CREATE_FAILED') problems.push(`BMC account ${acc.username} of the failed instance ${owner.id} is still on server ${acc.server_id}`);
    else if (owner.server_id !== acc.server_id && owner.status !== 'TERMINATING') {
      problems.push(`BMC account ${acc.username} of ${owner.id} is on server ${acc.server_id}, but the instance is on ${owner.server_id ?? 'no server'}`);
    }
  }
  return problems;
}
