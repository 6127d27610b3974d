/**
 * The invariant checker: what must hold between instances, servers and addresses at any quiet
 * moment, whatever crashed before. Reusable by tests, benchmarks and an operator's health check.
 *
 * It reports every violation it finds (an empty list means healthy):
 *   - a server held by two live instances, or an instance on a server that does not point back;
 *   - an allocated server with no live instance (a leaked server);
 *   - an address owned by nobody alive (a leaked IP), or outside / reserved in its subnet;
 *   - a live instance past PENDING without its primary address, or whose recorded address
 *     differs from IPAM's; a CREATE_FAILED or terminated instance still holding one;
 *   - an address allocated twice (impossible by the primary key — checked anyway);
 *   - an account's live-instance count (instance_counts) that differs from its instances;
 * and, through the capabilities' own checkers: VIPs, backup IPs, out-of-band mappings and
 * tenant BMC accounts of gone instances; EIPs bound to gone instances or addresses they do
 * not hold; heartbeat memberships of gone instances and VLANs shared or out of range.
 */
import { readCoreForInvariants } from '../store/repos/invariant-reads.ts';
import type { Tx } from '../store/store.ts';
import { addressProblem, parseCidr, parseIpv4 } from '../network/ipam.ts';
import { checkAccessInvariants } from './access-invariants.ts';
import { checkEipInvariants } from './eip-invariants.ts';
import { checkVlanInvariants } from './vlan-invariants.ts';

export async function checkInvariants(db: Tx): Promise<string[]> {
  const [core, access, eips, vlans] = await Promise.all([checkCore(db), checkAccessInvariants(db), checkEipInvariants(db), checkVlanInvariants(db)]);
  return [...core, ...access, ...eips, ...vlans];
}

async function checkCore(db: Tx): Promise<string[]> {
  const problems: string[] = [];
  const { instances, servers, allocations, subnets, counts } = await readCoreForInvariants(db);
  const live = new Map(instances.filter((i) => i.deleted_at === null).map((i) => [i.id, i]));
  const serverById = new Map(servers.map((s) => [s.id, s]));

  const holders = new Map<string, string[]>();
  for (const i of live.values()) {
    if (!i.server_id) {
      if (!['CREATE_FAILED', 'TERMINATING'].includes(i.status)) problems.push(`instance ${i.id} (${i.status}) has no server`);
      continue;
    }
    holders.set(i.server_id, [...(holders.get(i.server_id) ?? []), i.id]);
    const s = serverById.get(i.server_id);
    if (!s) problems.push(`instance ${i.id} is on unknown server ${i.server_id}`);
    else if (s.instance_id !== i.id) problems.push(`instance ${i.id} is on server ${s.id}, which points to ${s.instance_id ?? 'nobody'}`);
  }
  for (const [server, ids] of holders) if (ids.length > 1) problems.push(`server ${server} is held by ${ids.join(', ')}`);
  for (const s of servers) {
    if (s.state === 'allocated' && (!s.instance_id || !live.has(s.instance_id))) problems.push(`server ${s.id} is allocated to ${s.instance_id ?? 'nobody'}, which is not a live instance`);
    if (s.state === 'available' && s.instance_id) problems.push(`server ${s.id} is available but still points to ${s.instance_id}`);
  }

  const cidrOf = new Map(subnets.map((s) => [s.id, s.cidr]));
  const seen = new Set<string>();
  for (const a of allocations) {
    const key = `${a.subnet_id}/${a.address}`;
    if (seen.has(key)) problems.push(`address ${key} is allocated twice`);
    seen.add(key);
    const owner = a.owner_id ? live.get(a.owner_id) : undefined;
    if (!owner) problems.push(`address ${key} (${a.kind}) is leaked: its owner ${a.owner_id ?? '(none)'} is not a live instance`);
    else if (owner.status === 'CREATE_FAILED') problems.push(`address ${key} is still held by the failed instance ${owner.id}`);
    if (a.kind === 'ipv6') continue;
    const parsed = parseCidr(cidrOf.get(a.subnet_id) ?? '');
    const n = parseIpv4(a.address);
    const problem = parsed.ok && n !== undefined ? addressProblem(parsed.cidr, n) : 'malformed';
    if (problem) problems.push(`address ${key} is not assignable in its subnet (${problem})`);
  }
  const primaryOf = new Map(allocations.filter((a) => a.kind === 'primary' && a.owner_id).map((a) => [a.owner_id!, a.address]));
  for (const i of live.values()) {
    const primary = primaryOf.get(i.id);
    if (i.status === 'CREATE_FAILED' || i.status === 'TERMINATING') continue; // released, or being released
    if (!primary) problems.push(`instance ${i.id} (${i.status}) has no primary address`);
    else if (primary !== i.private_ip) problems.push(`instance ${i.id} records ${i.private_ip} but IPAM gave it ${primary}`);
  }
  const liveOf = new Map<string, number>();
  for (const i of live.values()) liveOf.set(i.account_uin, (liveOf.get(i.account_uin) ?? 0) + 1);
  for (const c of counts) liveOf.set(c.account_uin, liveOf.get(c.account_uin) ?? 0);
  const countOf = new Map(counts.map((c) => [c.account_uin, Number(c.live)]));
  for (const [account, n] of liveOf) {
    if ((countOf.get(account) ?? 0) !== n) problems.push(`account ${account} has ${n} live instances but instance_counts says ${countOf.get(account) ?? 0}`);
  }
  return problems;
}
