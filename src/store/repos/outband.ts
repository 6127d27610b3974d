/**
 * Out-of-band mappings: a server's BMC services (HTTPS, IPMI, KVM…) reachable from a tenant's
 * VPC at one overlay IP (the VIP), one mapping per (instance, VPC).
 *
 * The primary key (instance_id, vpc_id) is what makes "one mapping per VPC" hold under
 * concurrency: `insertMapping` inserts with ON CONFLICT DO NOTHING and says whether the row is
 * its own, so two concurrent creations for the same VPC cannot both succeed. The VIP itself
 * is an `ip_allocations` row (kind 'vip', owned by the instance), allocated and released by
 * the caller in the same transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OutbandMappingsTable } from '../schema.ts';

/** One mapped BMC service: reachable at VIP:vport, forwarded to the BMC's `port`. */
export interface OutbandPort {
  service: string;
  vport: number;
  port: number;
}

export interface OutbandMapping {
  instanceId: string;
  vpcId: string;
  subnetId: string;
  accountUin: string;
  vip: string;
  ports: OutbandPort[];
  createdAt: number;
}

/** A mapping with the name of its instance, as listings show it. */
export interface OutbandMappingView extends OutbandMapping {
  instanceName: string;
}

/** Inserts the mapping; false when the instance is already mapped into that VPC. */
export async function insertMapping(db: Kysely<Database>, m: OutbandMapping): Promise<boolean> {
  const inserted = await db.insertInto('outband_mappings').values(toRow(m))
    .onConflict((oc) => oc.columns(['instance_id', 'vpc_id']).doNothing())
    .returning('instance_id').execute();
  return inserted.length === 1;
}

/** The account's mapping of `instanceId` into `vpcId`, if any. */
export async function getMapping(db: Kysely<Database>, accountUin: string, instanceId: string, vpcId: string): Promise<OutbandMapping | undefined> {
  const row = await db.selectFrom('outband_mappings').selectAll().where('account_uin', '=', accountUin)
    .where('instance_id', '=', instanceId).where('vpc_id', '=', vpcId).executeTakeFirst();
  return row && toMapping(row);
}

/** One page of the account's mappings of live instances (optionally of one instance), oldest first, with the total. */
export async function listMappings(
  db: Kysely<Database>, accountUin: string, filter: { instanceId?: string }, page: { offset: number; limit: number },
): Promise<{ total: number; items: OutbandMappingView[] }> {
  let base = db.selectFrom('outband_mappings as m').innerJoin('instances as i', 'i.id', 'm.instance_id')
    .where('m.account_uin', '=', accountUin).where('i.deleted_at', 'is', null);
  if (filter.instanceId) base = base.where('m.instance_id', '=', filter.instanceId);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('m').select('i.name as instance_name')
    .orderBy('m.created_at').orderBy('m.instance_id').orderBy('m.vpc_id').offset(page.offset).limit(page.limit).execute();
  return { total: Number(counted.n), items: rows.map((r) => ({ ...toMapping(r), instanceName: r.instance_name })) };
}

/** Deletes one mapping; false when there was none. */
export async function deleteMapping(db: Kysely<Database>, instanceId: string, vpcId: string): Promise<boolean> {
  const result = await db.deleteFrom('outband_mappings').where('instance_id', '=', instanceId).where('vpc_id', '=', vpcId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deletes every mapping of the instance; returns how many there were. */
export async function deleteMappingsOf(db: Kysely<Database>, instanceId: string): Promise<number> {
  const result = await db.deleteFrom('outband_mappings').where('instance_id', '=', instanceId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toRow(m: OutbandMapping): OutbandMappingsTable {
  return {
    instance_id: m.instanceId, vpc_id: m.vpcId, subnet_id: m.subnetId, account_uin: m.accountUin, vip: m.vip,
    ports: JSON.stringify(m.ports), created_at: m.createdAt,
  };
}

function toMapping(row: Selectable<OutbandMappingsTable>): OutbandMapping {
  return {
    instanceId: row.instance_id, vpcId: row.vpc_id, subnetId: row.subnet_id, accountUin: row.account_uin, vip: row.vip,
    ports: JSON.parse(row.ports) as OutbandPort[], createdAt: Number(row.created_at),
  };
}
