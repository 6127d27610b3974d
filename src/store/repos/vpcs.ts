/**
 * VPCs: a tenant's private networks, one IPv4 block each (and optionally an IPv6 one).
 *
 * Every read takes the owning account and the region, so a caller cannot reach another
 * tenant's VPC by guessing its id: to the query it simply does not exist.
 *
 * Check-then-act sequences (count the VPCs, then create one; check a VPC has no subnets, then
 * delete it; check a new subnet overlaps nothing, then insert it) must not interleave with a
 * concurrent request doing the same, or two requests could both pass the check. `lockAccount`
 * and `lockVpc` serialise them by taking a row's write lock with a no-op UPDATE: that works on
 * PostgreSQL across any number of server nodes (the lock holds until the transaction ends) and
 * on SQLite (where a writing transaction already excludes every other), whereas
 * `SELECT … FOR UPDATE` does not exist in SQLite. Taking the lock also tells whether the row
 * exists, so it doubles as the existence check.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import { conditionsOn, type ListCondition } from './list-conditions.ts';
import { forgetDeletedResources } from './resource-tags.ts';
import type { Database, VpcsTable } from '../schema.ts';

export interface Vpc {
  id: string;
  accountUin: string;
  region: string;
  name: string;
  cidr: string;
  ipv6Cidr: string | null;
  createdAt: number;
}

export interface VpcScope {
  accountUin: string;
  region: string;
}

/**
 * A listing condition: the column equals one of `values` — or, with `contains`, holds one of
 * them as a case-insensitive substring (Tencent's "fuzzy" name filters).
 */
export type VpcCondition = ListCondition<'id' | 'name' | 'cidr'>;

export async function insertVpc(db: Kysely<Database>, vpc: Vpc): Promise<Vpc> {
  await translatingConflicts(db.insertInto('vpcs').values(toRow(vpc)).execute());
  return vpc;
}

export async function getVpc(db: Kysely<Database>, scope: VpcScope, id: string): Promise<Vpc | undefined> {
  const row = await db
    .selectFrom('vpcs')
    .selectAll()
    .where('id', '=', id)
    .where('account_uin', '=', scope.accountUin)
    .where('region', '=', scope.region)
    .executeTakeFirst();
  return row && toVpc(row);
}

/** The account's VPC called `name` in the region (the oldest, names not being unique). */
export async function findVpcByName(db: Kysely<Database>, scope: VpcScope, name: string): Promise<Vpc | undefined> {
  const row = await db
    .selectFrom('vpcs')
    .selectAll()
    .where('account_uin', '=', scope.accountUin)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
  return row && toVpc(row);
}

/** Holds the account row's write lock until the transaction ends: serialises VPC creation per account. */
export async function lockAccount(db: Kysely<Database>, accountUin: string): Promise<boolean> {
  const result = await db.updateTable('accounts').set((eb) => ({ name: eb.ref('name') })).where('uin', '=', accountUin).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Holds the VPC row's write lock until the transaction ends; false when no such VPC is visible. */
export async function lockVpc(db: Kysely<Database>, scope: VpcScope, id: string): Promise<boolean> {
  const result = await db
    .updateTable('vpcs')
    .set((eb) => ({ name: eb.ref('name') }))
    .where('id', '=', id)
    .where('account_uin', '=', scope.accountUin)
    .where('region', '=', scope.region)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countVpcs(db: Kysely<Database>, scope: VpcScope): Promise<number> {
  const row = await db
    .selectFrom('vpcs')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('account_uin', '=', scope.accountUin)
    .where('region', '=', scope.region)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of the account's VPCs in the region that satisfy every condition (values of one
 * condition are alternatives), oldest first, with the total count before paging.
 */
export async function listVpcs(
  db: Kysely<Database>, scope: VpcScope, conditions: readonly VpcCondition[], page: { offset: number; limit: number },
): Promise<{ total: number; items: Vpc[] }> {
  const matching = conditionsOn('vpcs', conditions);
  if (!matching) return { total: 0, items: [] };
  let base = db.selectFrom('vpcs').where('account_uin', '=', scope.accountUin).where('region', '=', scope.region);
  for (const m of matching) base = base.where(m);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').offset(page.offset).limit(page.limit).execute();
  return { total: Number(counted.n), items: rows.map(toVpc) };
}

/** Deletes the VPC (its subnets must be gone first); false when it was not there. */
export async function deleteVpc(db: Kysely<Database>, scope: VpcScope, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('vpcs')
    .where('id', '=', id)
    .where('account_uin', '=', scope.accountUin)
    .where('region', '=', scope.region)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) return false;
  await forgetDeletedResources(db, [{ kind: 'vpc', id }]);
  return true;
}

function toRow(v: Vpc): VpcsTable {
  return {
    id: v.id, account_uin: v.accountUin, region: v.region, name: v.name, cidr: v.cidr, ipv6_cidr: v.ipv6Cidr, created_at: v.createdAt,
  };
}

function toVpc(row: Selectable<VpcsTable>): Vpc {
  return {
    id: row.id,
    accountUin: row.account_uin,
    region: row.region,
    name: row.name,
    cidr: row.cidr,
    ipv6Cidr: row.ipv6_cidr,
    createdAt: row.created_at,
  };
}
