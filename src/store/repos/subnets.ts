/**
 * Subnets: blocks of a VPC's address space, each in one zone; a BMS subnet (`isBms`) holds only
 * bare-metal instances.
 *
 * A subnet has no region of its own — it has its VPC's — so the tenant-facing reads join the
 * VPC and filter on the VPC's account and region: another tenant's subnet id, or one in
 * another region, finds nothing.
 *
 * Deleting a subnet races with address allocation: an allocator may insert an address row for
 * the subnet just as the subnet row goes. The foreign key from `ip_allocations` settles it —
 * the loser's statement fails — and `deleteSubnet` translates that failure (by the drivers'
 * error codes, SQLite `SQLITE_CONSTRAINT_FOREIGNKEY`, PostgreSQL SQLSTATE 23503) into
 * `'in-use'`. On PostgreSQL the transaction is aborted by then, so the caller must end it by
 * throwing, which it does anyway to report the subnet in use.
 */
import type { Kysely, Selectable } from 'kysely';
import { isForeignKeyViolation, translatingConflicts } from '../errors.ts';
import { forgetDeletedResources } from './resource-tags.ts';
import type { Database, SubnetsTable } from '../schema.ts';
import { conditionsOn, type ListCondition } from './list-conditions.ts';
import type { VpcScope } from './vpcs.ts';

export interface Subnet {
  id: string;
  accountUin: string;
  vpcId: string;
  zone: string;
  name: string;
  cidr: string;
  ipv6Cidr: string | null;
  isBms: boolean;
  createdAt: number;
}

/** A listing condition, as for VPCs: equal to one of `values`, or (`contains`) holding one as a substring. */
export type SubnetCondition = ListCondition<'id' | 'vpc_id' | 'name' | 'cidr' | 'zone' | 'is_bms'>;

export async function insertSubnet(db: Kysely<Database>, subnet: Subnet): Promise<Subnet> {
  await translatingConflicts(db.insertInto('subnets').values(toRow(subnet)).execute());
  return subnet;
}

/** The subnet, if it belongs to the account and its VPC to the region. */
export async function getSubnet(db: Kysely<Database>, scope: VpcScope, id: string): Promise<Subnet | undefined> {
  const row = await scoped(db, scope).selectAll('subnets').where('subnets.id', '=', id).executeTakeFirst();
  return row && toSubnet(row);
}

/** Every subnet of one VPC, oldest first (the VPC is assumed visible to the caller). */
export async function listSubnetsOfVpc(db: Kysely<Database>, vpcId: string): Promise<Subnet[]> {
  const rows = await db.selectFrom('subnets').selectAll().where('vpc_id', '=', vpcId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toSubnet);
}

/** One page of the account's subnets in the region matching every condition, with the total before paging. */
export async function listSubnets(
  db: Kysely<Database>, scope: VpcScope, conditions: readonly SubnetCondition[], page: { offset: number; limit: number },
): Promise<{ total: number; items: Subnet[] }> {
  const matching = conditionsOn('subnets', conditions);
  if (!matching) return { total: 0, items: [] };
  let base = scoped(db, scope);
  for (const m of matching) base = base.where(m);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('subnets')
    .orderBy('subnets.created_at')
    .orderBy('subnets.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { total: Number(counted.n), items: rows.map(toSubnet) };
}

/**
 * Deletes the subnet. `'in-use'` when addresses are still allocated in it (including one
 * allocated concurrently — see the module comment); `'missing'` when there was no such subnet.
 */
export async function deleteSubnet(db: Kysely<Database>, id: string): Promise<'deleted' | 'in-use' | 'missing'> {
  try {
    const result = await db.deleteFrom('subnets').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) return 'missing';
    await forgetDeletedResources(db, [{ kind: 'subnet', id }]);
    return 'deleted';
  } catch (error) {
    if (isForeignKeyViolation(error)) return 'in-use';
    throw error;
  }
}

function scoped(db: Kysely<Database>, scope: VpcScope) {
  return db
    .selectFrom('subnets')
    .innerJoin('vpcs', 'vpcs.id', 'subnets.vpc_id')
    .where('vpcs.account_uin', '=', scope.accountUin)
    .where('vpcs.region', '=', scope.region);
}

function toRow(s: Subnet): SubnetsTable {
  return {
    id: s.id,
    account_uin: s.accountUin,
    vpc_id: s.vpcId,
    zone: s.zone,
    name: s.name,
    cidr: s.cidr,
    ipv6_cidr: s.ipv6Cidr,
    is_bms: s.isBms ? 1 : 0,
    created_at: s.createdAt,
  };
}

function toSubnet(row: Selectable<SubnetsTable>): Subnet {
  return {
    id: row.id,
    accountUin: row.account_uin,
    vpcId: row.vpc_id,
    zone: row.zone,
    name: row.name,
    cidr: row.cidr,
    ipv6Cidr: row.ipv6_cidr,
    isBms: row.is_bms === 1,
    createdAt: row.created_at,
  };
}
