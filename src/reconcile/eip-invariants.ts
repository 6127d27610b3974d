/**
 * The EIP part of the invariant checker (see invariants.ts): what must hold between the
 * operator's pool, the tenants' EIPs and the instances at any quiet moment.
 *
 * It reports every violation it finds (an empty list means healthy):
 *   - a pool address held by two EIPs (impossible by the UNIQUE constraint — checked anyway);
 *   - an EIP whose address is not in the pool, or is there for another region or line;
 *   - an EIP half bound (an instance without a private address, or the reverse);
 *   - an EIP bound to an instance that is not live (terminated, or never existed) or that
 *     belongs to another account — a leak the return should have cleaned up;
 *   - an EIP mapped to a private address its instance does not hold (released with a backup
 *     IP, or by a failed launch), or two EIPs on one private address.
 */
import { readEipsForInvariants } from '../store/repos/invariant-reads.ts';
import type { Tx } from '../store/store.ts';

export async function checkEipInvariants(db: Tx): Promise<string[]> {
  const { eips, pool, instances, held } = await readEipsForInvariants(db);
  const problems: string[] = [];
  const poolByAddress = new Map(pool.map((p) => [p.address, p]));
  const live = new Map(instances.map((i) => [i.id, i]));
  const holds = new Set(held.map((h) => `${h.owner_id}/${h.address}`));
  const holders = new Map<string, string[]>();
  const onAddress = new Map<string, string[]>();

  for (const e of eips) {
    const what = `EIP ${e.id} (${e.address})`;
    holders.set(e.address, [...(holders.get(e.address) ?? []), e.id]);
    const p = poolByAddress.get(e.address);
    if (!p) problems.push(`${what} is not a pool address`);
    else if (p.region !== e.region || p.isp !== e.isp) problems.push(`${what} is ${e.isp} in ${e.region}, but the pool has it as ${p.isp} in ${p.region}`);
    if ((e.instance_id === null) !== (e.private_ip === null)) {
      problems.push(`${what} is half bound: instance ${e.instance_id ?? '(none)'}, private address ${e.private_ip ?? '(none)'}`);
      continue;
    }
    if (e.instance_id === null) continue;
    const owner = live.get(e.instance_id);
    if (!owner) problems.push(`${what} is bound to ${e.instance_id}, which is not a live instance`);
    else if (owner.account_uin !== e.account_uin) problems.push(`${what} of account ${e.account_uin} is bound to ${owner.id} of account ${owner.account_uin}`);
    else if (!holds.has(`${e.instance_id}/${e.private_ip}`)) problems.push(`${what} maps to ${e.private_ip}, which instance ${e.instance_id} (${owner.status}) does not hold`);
    const key = `${e.instance_id}/${e.private_ip}`;
    onAddress.set(key, [...(onAddress.get(key) ?? []), e.id]);
  }
  for (const [address, ids] of holders) if (ids.length > 1) problems.push(`pool address ${address} is allocated twice: ${ids.join(', ')}`);
  for (const [key, ids] of onAddress) if (ids.length > 1) problems.push(`private address ${key} has ${ids.length} EIPs: ${ids.join(', ')}`);
  return problems;
}
