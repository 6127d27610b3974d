/**
 * Spread placement groups: a tenant's named promise that its members sit on different racks
 * (and different switches, or one switch — the group's type). Membership is not a table of its
 * own: an instance's `group_id` names its group, and a member counts while the instance is live
 * (not yet gone from the lists), so returning an instance leaves its group by itself.
 *
 * Every read and write takes the owning account and region, so another tenant's group is, to
 * the query, a group that does not exist. `lockGroup` takes the group row's write lock with a
 * no-op UPDATE (held until the transaction ends, on PostgreSQL across any number of nodes; on
 * SQLite a writing transaction already excludes every other): launches into one group, joins
 * and deletes of it are serialised, so two of them cannot both see the same free rack, and a
 * group cannot be deleted while a member is being added.
 */
import type { Kysely, Selectable } from 'kysely';
import { forgetDeletedResources } from './resource-tags.ts';
import type { Database, PlacementGroupsTable } from '../schema.ts';
import { conditionsOn, type ListCondition } from './list-conditions.ts';

export interface PlacementGroup {
  id: string;
  accountUin: string;
  region: string;
  name: string;
  type: string;
  createdAt: number;
  updatedAt: number;
}

export interface GroupScope {
  accountUin: string;
  region: string;
}

/** A listing condition: `column` equals one of `values`, or (`contains`) holds one as a case-insensitive substring. */
export type GroupCondition = ListCondition<'id' | 'name' | 'type'>;

/** A live member of a group and where its server sits (server fields null when it holds none, e.g. CREATE_FAILED). */
export interface GroupMember {
  instanceId: string;
  status: string;
  serverId: string | null;
  zone: string | null;
  rackId: string | null;
  switchId: string | null;
}

export async function insertGroup(db: Kysely<Database>, g: PlacementGroup): Promise<PlacementGroup> {
  await db.insertInto('placement_groups').values(toRow(g)).execute();
  return g;
}

/** Holds the group's write lock until the transaction ends and returns it; undefined when the scope has no such group. */
export async function lockGroup(db: Kysely<Database>, scope: GroupScope, id: string): Promise<PlacementGroup | undefined> {
  const row = await db.updateTable('placement_groups').set((eb) => ({ name: eb.ref('name') }))
    .where('id', '=', id).where('account_uin', '=', scope.accountUin).where('region', '=', scope.region)
    .returningAll().executeTakeFirst();
  return row && toGroup(row);
}

export async function countGroups(db: Kysely<Database>, scope: GroupScope): Promise<number> {
  const row = await db.selectFrom('placement_groups').select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('account_uin', '=', scope.accountUin).where('region', '=', scope.region).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of the scope's groups satisfying every condition, with the total before paging.
 * Newest first — a group just created is the first answer to a search by its name — and, when
 * `exactNames` are given, groups named exactly so before those merely containing the text.
 */
export async function listGroups(
  db: Kysely<Database>, scope: GroupScope, conditions: readonly GroupCondition[], page: { offset: number; limit: number },
  exactNames: readonly string[] = [],
): Promise<{ total: number; items: PlacementGroup[] }> {
  const matching = conditionsOn('placement_groups', conditions);
  if (!matching) return { total: 0, items: [] };
  let base = db.selectFrom('placement_groups').where('account_uin', '=', scope.accountUin).where('region', '=', scope.region);
  for (const m of matching) base = base.where(m);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  let rows = base.selectAll();
  if (exactNames.length > 0) rows = rows.orderBy((eb) => eb.case().when('name', 'in', exactNames).then(0).else(1).end());
  const items = await rows.orderBy('created_at', 'desc').orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute();
  return { total: Number(counted.n), items: items.map(toGroup) };
}

/** Renames the group; false when the scope has no such group. */
export async function renameGroup(db: Kysely<Database>, scope: GroupScope, id: string, name: string, now: number): Promise<boolean> {
  const result = await db.updateTable('placement_groups').set({ name, updated_at: now })
    .where('id', '=', id).where('account_uin', '=', scope.accountUin).where('region', '=', scope.region).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteGroups(db: Kysely<Database>, scope: GroupScope, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const gone = await db.deleteFrom('placement_groups').where('id', 'in', ids)
    .where('account_uin', '=', scope.accountUin).where('region', '=', scope.region).returning('id').execute();
  await forgetDeletedResources(db, gone.map((r) => ({ kind: 'ps', id: r.id })));
}

/** Live members per group id (groups without members are absent). */
export async function countMembers(db: Kysely<Database>, accountUin: string, groupIds: readonly string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db.selectFrom('instances').select(['group_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('account_uin', '=', accountUin).where('group_id', 'in', groupIds).where('deleted_at', 'is', null)
    .groupBy('group_id').execute();
  return new Map(rows.map((r) => [r.group_id!, Number(r.n)]));
}

/** The group's live members with their server's place, oldest first. */
export async function membersOf(db: Kysely<Database>, accountUin: string, groupId: string): Promise<GroupMember[]> {
  const rows = await db.selectFrom('instances').leftJoin('servers', 'servers.id', 'instances.server_id')
    .select(['instances.id', 'instances.status', 'instances.server_id', 'servers.zone', 'servers.rack_id', 'servers.switch_id'])
    .where('instances.account_uin', '=', accountUin).where('instances.group_id', '=', groupId).where('instances.deleted_at', 'is', null)
    .orderBy('instances.created_at').orderBy('instances.id').execute();
  return rows.map((r) => ({
    instanceId: r.id, status: r.status, serverId: r.server_id, zone: r.zone ?? null, rackId: r.rack_id ?? null, switchId: r.switch_id ?? null,
  }));
}

/** Records the live instance's group; false when it is gone. */
export async function setInstanceGroup(db: Kysely<Database>, instanceId: string, groupId: string, now: number): Promise<boolean> {
  const result = await db.updateTable('instances').set({ group_id: groupId, updated_at: now })
    .where('id', '=', instanceId).where('deleted_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function toRow(g: PlacementGroup): PlacementGroupsTable {
  return { id: g.id, account_uin: g.accountUin, region: g.region, name: g.name, type: g.type, created_at: g.createdAt, updated_at: g.updatedAt };
}

function toGroup(row: Selectable<PlacementGroupsTable>): PlacementGroup {
  return {
    id: row.id, accountUin: row.account_uin, region: row.region, name: row.name, type: row.type,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}
