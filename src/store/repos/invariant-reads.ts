/**
 * What the invariant checker (src/reconcile/invariants.ts) reads: every row it judges, in one
 * snapshot per concern. The judging stays in reconcile; only the reading lives here.
 */
import type { Tx } from '../store.ts';

/** For the invariant checker: the core: instances, servers, addresses, subnets and live-instance counts. */
export async function readCoreForInvariants(db: Tx) {
  const [instances, servers, allocations, subnets, counts] = await Promise.all([
    db.selectFrom('instances').select(['id', 'account_uin', 'status', 'server_id', 'private_ip', 'subnet_id', 'deleted_at']).execute(),
    db.selectFrom('servers').select(['id', 'state', 'instance_id']).execute(),
    db.selectFrom('ip_allocations').select(['subnet_id', 'address', 'kind', 'owner_id']).execute(),
    db.selectFrom('subnets').select(['id', 'cidr']).execute(),
    db.selectFrom('instance_counts').select(['account_uin', 'live']).execute(),
  ]);
  return { instances, servers, allocations, subnets, counts };
}

/** For the invariant checker: VIPs, backup IPs, out-of-band mappings and tenant BMC accounts. */
export async function readAccessForInvariants(db: Tx) {
  const [instances, mappings, allocations, accounts] = await Promise.all([
    db.selectFrom('instances').select(['id', 'status', 'server_id']).where('deleted_at', 'is', null).execute(),
    db.selectFrom('outband_mappings').select(['instance_id', 'vpc_id', 'subnet_id', 'vip']).execute(),
    db.selectFrom('ip_allocations').select(['subnet_id', 'address', 'kind', 'owner_id']).where('kind', 'in', ['vip', 'backup']).execute(),
    db.selectFrom('bmc_accounts').select(['instance_id', 'server_id', 'username']).execute(),
  ]);
  return { instances, mappings, allocations, accounts };
}

/** For the invariant checker: EIPs, the EIP pool and what they are bound to. */
export async function readEipsForInvariants(db: Tx) {
  const [eips, pool, instances, held] = await Promise.all([
    db.selectFrom('eips').select(['id', 'account_uin', 'region', 'address', 'isp', 'instance_id', 'private_ip']).execute(),
    db.selectFrom('eip_pool').select(['address', 'region', 'isp']).execute(),
    db.selectFrom('instances').select(['id', 'account_uin', 'status']).where('deleted_at', 'is', null).execute(),
    db.selectFrom('ip_allocations').select(['owner_id', 'address']).where('kind', 'in', ['primary', 'backup']).execute(),
  ]);
  return { eips, pool, instances, held };
}

/** For the invariant checker: heartbeat groups, memberships and switch-port VLANs. */
export async function readVlansForInvariants(db: Tx) {
  const [groups, members, ports] = await Promise.all([
    db.selectFrom('heartbeat_groups').select(['id', 'region', 'vlan_id']).execute(),
    db.selectFrom('heartbeat_members').leftJoin('instances', 'instances.id', 'heartbeat_members.instance_id')
      .select(['heartbeat_members.instance_id', 'heartbeat_members.group_id', 'instances.id as live_id', 'instances.deleted_at', 'instances.server_id']).execute(),
    db.selectFrom('switch_ports').select(['server_id', 'heartbeat_vlan']).where('heartbeat_vlan', 'is not', null).execute(),
  ]);
  return { groups, members, ports };
}
