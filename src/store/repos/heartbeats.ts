/**
 * Heartbeat network groups, their members, and the VLAN ranges operators give each zone.
 *
 * A group holds one VLAN of its region; UNIQUE(region, vlan_id) is the whole concurrency story
 * of allocation. An allocator reads the VLANs in use, picks the smallest free one
 * (src/network/vlans.ts) and inserts with `ON CONFLICT (region, vlan_id) DO NOTHING`: when the
 * row does not come back, another allocator took that VLAN in the meantime, and the allocator
 * tries the next free one. (Catching the unique violation instead would not do: on PostgreSQL
 * a failed statement aborts the whole transaction.) Ids are tried in ascending order, so two
 * allocators wait on each other in the same order and cannot deadlock.
 *
 * A member row (instance_id is the key) ties an instance to at most one group; moving it is an
 * upsert. Row locks (`lock`) matter only on PostgreSQL — pass one only there: SQLite runs one
 * transaction at a time and has no `FOR UPDATE`.
 */
import type { Kysely, Selectable } from 'kysely';
import { forgetDeletedResources } from './resource-tags.ts';
import type { Database, HeartbeatGroupsTable } from '../schema.ts';

export type RowLock = 'share' | 'update' | undefined;

export interface HeartbeatGroup {
  id: string;
  accountUin: string;
  region: string;
  name: string;
  vlanId: number;
  createdAt: number;
  updatedAt: number;
}

export interface HeartbeatGroupSummary extends HeartbeatGroup {
  memberCount: number;
}

/** A closed range of VLAN ids (the same shape as src/network/vlans.ts `VlanRange`). */
export interface StoredVlanRange {
  first: number;
  last: number;
}

// ---- VLAN ranges -----------------------------------------------------------------------------

/** The configured ranges of `zones` (zones without a row are absent). */
export async function vlanRanges(db: Kysely<Database>, zones: readonly string[]): Promise<Map<string, StoredVlanRange>> {
  if (zones.length === 0) return new Map();
  const rows = await db.selectFrom('vlan_ranges').selectAll().where('zone', 'in', zones).execute();
  return new Map(rows.map((r) => [r.zone, { first: Number(r.first_vlan), last: Number(r.last_vlan) }]));
}

export async function setVlanRange(db: Kysely<Database>, zone: string, range: StoredVlanRange): Promise<void> {
  const values = { first_vlan: range.first, last_vlan: range.last };
  await db.insertInto('vlan_ranges').values({ zone, ...values }).onConflict((oc) => oc.column('zone').doUpdateSet(values)).execute();
}

/**
 * Locks the zone rows of a region so that allocation (`share`, many at once) and a range
 * change (`update`, alone) exclude each other: a range is never shrunk below a VLAN that a
 * concurrent, not yet committed, CreateHeartbeat took from it.
 */
export async function lockZones(db: Kysely<Database>, zones: readonly string[], lock: RowLock): Promise<void> {
  if (!lock || zones.length === 0) return;
  const q = db.selectFrom('zones').select('zone').where('zone', 'in', zones).orderBy('zone');
  await (lock === 'share' ? q.forShare() : q.forUpdate()).execute();
}

// ---- groups ----------------------------------------------------------------------------------

/** The VLANs held by the region's groups, with the group holding each. */
export async function vlansInUse(db: Kysely<Database>, region: string): Promise<Array<{ vlanId: number; groupId: string }>> {
  const rows = await db.selectFrom('heartbeat_groups').select(['vlan_id', 'id']).where('region', '=', region).orderBy('vlan_id').execute();
  return rows.map((r) => ({ vlanId: Number(r.vlan_id), groupId: r.id }));
}

/** Inserts `g` unless its VLAN is taken in its region; false when it was (try another VLAN). */
export async function tryInsertGroup(db: Kysely<Database>, g: HeartbeatGroup): Promise<boolean> {
  const result = await db.insertInto('heartbeat_groups').values(toRow(g))
    .onConflict((oc) => oc.columns(['region', 'vlan_id']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The tenant's groups among `ids` (others — another tenant's, another region's — are absent). */
export async function findGroups(
  db: Kysely<Database>, accountUin: string, region: string, ids: readonly string[], lock?: RowLock,
): Promise<HeartbeatGroup[]> {
  if (ids.length === 0) return [];
  const q = db.selectFrom('heartbeat_groups').selectAll().where('account_uin', '=', accountUin).where('region', '=', region)
    .where('id', 'in', ids).orderBy('id');
  const locked = lock === 'share' ? q.forShare() : lock === 'update' ? q.forUpdate() : q;
  return (await locked.execute()).map(toGroup);
}

export async function renameGroup(db: Kysely<Database>, id: string, name: string, now: number): Promise<void> {
  await db.updateTable('heartbeat_groups').set({ name, updated_at: now }).where('id', '=', id).execute();
}

export async function deleteGroups(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('heartbeat_groups').where('id', 'in', ids).execute();
  await forgetDeletedResources(db, ids.map((id) => ({ kind: 'heartbeat', id })));
}

/** Which groups to list: a tenant's, in a region, optionally by ids, names (exact) and VLANs. */
export interface GroupQuery {
  accountUin: string;
  region: string;
  ids?: readonly string[];
  /** One list per `Name` filter: a group must match a value of every list. */
  names?: ReadonlyArray<readonly string[]>;
  vlanIds?: ReadonlyArray<readonly number[]>;
  /** One list per `InstanceId` filter: a group must have a member of every list. */
  instanceIds?: ReadonlyArray<readonly string[]>;
}

/** One page of groups (newest first) with their live member counts, and the total before paging. */
export async function listGroups(
  db: Kysely<Database>, query: GroupQuery, page: { offset: number; limit: number },
): Promise<{ total: number; items: HeartbeatGroupSummary[] }> {
  const lists = [query.ids, ...(query.names ?? []), ...(query.vlanIds ?? []), ...(query.instanceIds ?? [])];
  if (lists.some((l) => l !== undefined && l.length === 0)) return { total: 0, items: [] };
  let base = db.selectFrom('heartbeat_groups').where('account_uin', '=', query.accountUin).where('region', '=', query.region);
  if (query.ids) base = base.where('id', 'in', query.ids);
  for (const names of query.names ?? []) base = base.where('name', 'in', names);
  for (const vlans of query.vlanIds ?? []) base = base.where('vlan_id', 'in', vlans);
  for (const members of query.instanceIds ?? []) {
    base = base.where('id', 'in', db.selectFrom('heartbeat_members').select('group_id').where('instance_id', 'in', members));
  }
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll()
    .select((eb) => eb.selectFrom('heartbeat_members as m').whereRef('m.group_id', '=', 'heartbeat_groups.id')
      .select((e) => e.fn.countAll<number | string | bigint>().as('n')).as('member_count'))
    .orderBy('created_at', 'desc').orderBy('id')
    .offset(page.offset).limit(page.limit)
    .execute();
  return { total: Number(counted.n), items: rows.map((r) => ({ ...toGroup(r), memberCount: Number(r.member_count ?? 0) })) };
}

// ---- members ---------------------------------------------------------------------------------

/** Members of each of `groupIds` (groups without members are absent). */
export async function membersOf(db: Kysely<Database>, groupIds: readonly string[]): Promise<Map<string, string[]>> {
  const byGroup = new Map<string, string[]>();
  if (groupIds.length === 0) return byGroup;
  const rows = await db.selectFrom('heartbeat_members').select(['group_id', 'instance_id']).where('group_id', 'in', groupIds)
    .orderBy('instance_id').execute();
  for (const r of rows) byGroup.set(r.group_id, [...(byGroup.get(r.group_id) ?? []), r.instance_id]);
  return byGroup;
}

/** Puts every instance into `groupId`, moving it out of any other group. */
export async function setMembership(db: Kysely<Database>, instanceIds: readonly string[], groupId: string, now: number): Promise<void> {
  if (instanceIds.length === 0) return;
  await db.insertInto('heartbeat_members').values(instanceIds.map((id) => ({ instance_id: id, group_id: groupId, created_at: now })))
    .onConflict((oc) => oc.column('instance_id').doUpdateSet((eb) => ({ group_id: eb.ref('excluded.group_id'), created_at: eb.ref('excluded.created_at') })))
    .execute();
}

export async function deleteMembership(db: Kysely<Database>, instanceId: string): Promise<void> {
  await db.deleteFrom('heartbeat_members').where('instance_id', '=', instanceId).execute();
}

/** The group an instance is in and its VLAN, or undefined. */
export async function membershipOf(db: Kysely<Database>, instanceId: string): Promise<{ groupId: string; vlanId: number } | undefined> {
  const row = await db.selectFrom('heartbeat_members as m').innerJoin('heartbeat_groups as g', 'g.id', 'm.group_id')
    .select(['g.id', 'g.vlan_id']).where('m.instance_id', '=', instanceId).executeTakeFirst();
  return row && { groupId: row.id, vlanId: Number(row.vlan_id) };
}

function toRow(g: HeartbeatGroup): HeartbeatGroupsTable {
  return {
    id: g.id, account_uin: g.accountUin, region: g.region, name: g.name, vlan_id: g.vlanId, created_at: g.createdAt, updated_at: g.updatedAt,
  };
}

function toGroup(r: Selectable<HeartbeatGroupsTable>): HeartbeatGroup {
  return {
    id: r.id, accountUin: r.account_uin, region: r.region, name: r.name, vlanId: Number(r.vlan_id),
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
