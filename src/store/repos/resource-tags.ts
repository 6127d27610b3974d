/**
 * Tags of resources (migration 0031): the one place every reader and writer of tags goes.
 *
 * A resource is named by its CAM kind and id (`instance/bms-…`, `ps/ps-…`, `heartbeat/…`,
 * `vpc/…`, `subnet/…`, `eip/…`); a resource carries at most one value per tag key. Every
 * function takes the owning account, and every query is narrowed to it, so another tenant's
 * resource simply has no tags here and cannot be given any. Whether a resource exists is not
 * this module's business (see `taggable-resources.ts`); callers tag resources they have found.
 *
 * The account's tag catalogue (`tag_catalogue`) lists every (key, value) it has created or
 * attached; attaching a tag enters it there too, so the catalogue is always a superset of the
 * tags in use. Readers: RunInstances and TerminateInstances (instance tags), DescribeInstances
 * (tag filters, `resourceTagged`), CAM tag conditions, the tag service, monitoring alarms bound
 * to tags and billing summaries by tag (`tagsOfResources`, `resourcesTagged`).
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../schema.ts';

export const TAGGABLE_KINDS = ['instance', 'ps', 'heartbeat', 'vpc', 'subnet', 'eip'] as const;
export type TaggableKind = (typeof TAGGABLE_KINDS)[number];

export interface Tag { key: string; value: string }

export interface TaggedResource { kind: TaggableKind; id: string }

/** Who owns a resource and where it lives (the region is kept for listings by region). */
export interface TagOwner { accountUin: string; region: string }

/** `kind/id`: the key of a resource in the maps this module returns. */
export const resourceKey = (r: TaggedResource): string => `${r.kind}/${r.id}`;

/** A condition on one tag key: the resource carries the key (with one of `values`, when given). */
export interface TagCondition { key: string; values?: readonly string[] }

// ---- tags on resources ---------------------------------------------------------------------

/** The tags of each given resource (ordered by key), by `resourceKey`; every resource given is in the map. */
export async function tagsOfResources(db: Kysely<Database>, accountUin: string, resources: readonly TaggedResource[]): Promise<Map<string, Tag[]>> {
  const out = new Map<string, Tag[]>(resources.map((r) => [resourceKey(r), []]));
  for (const [kind, ids] of idsByKind(resources)) {
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db.selectFrom('resource_tags').select(['resource_id', 'tag_key', 'tag_value'])
        .where('account_uin', '=', accountUin).where('resource_kind', '=', kind).where('resource_id', 'in', ids.slice(i, i + 500))
        .orderBy('tag_key').execute();
      for (const r of rows) out.get(`${kind}/${r.resource_id}`)?.push({ key: r.tag_key, value: r.tag_value });
    }
  }
  return out;
}

/** The tags of one resource, ordered by key. */
export async function tagsOfResource(db: Kysely<Database>, accountUin: string, resource: TaggedResource): Promise<Tag[]> {
  return (await tagsOfResources(db, accountUin, [resource])).get(resourceKey(resource)) ?? [];
}

/**
 * Gives each resource the tags: a key the resource lacks is added, a key it has takes the new
 * value; its other tags stay. Each tag enters the account's catalogue.
 */
export async function setTags(db: Kysely<Database>, owner: TagOwner, resources: readonly TaggedResource[], tags: readonly Tag[], now: number): Promise<void> {
  if (tags.length === 0 || resources.length === 0) return;
  const rows = resources.flatMap((r) => tags.map((t) => ({
    resource_kind: r.kind, resource_id: r.id, tag_key: t.key, tag_value: t.value, account_uin: owner.accountUin, region: owner.region, created_at: now,
  })));
  for (let i = 0; i < rows.length; i += 200) {
    await db.insertInto('resource_tags').values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['resource_kind', 'resource_id', 'tag_key']).doUpdateSet({ tag_value: (eb) => eb.ref('excluded.tag_value') }))
      .execute();
  }
  await catalogueTags(db, owner.accountUin, tags, now);
}

/** Takes the keys off a resource; answers how many it carried. */
export async function removeTags(db: Kysely<Database>, accountUin: string, resource: TaggedResource, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const result = await db.deleteFrom('resource_tags').where('account_uin', '=', accountUin)
    .where('resource_kind', '=', resource.kind).where('resource_id', '=', resource.id).where('tag_key', 'in', [...keys])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Drops every tag of resources that are gone (terminated, released, deleted). */
export async function forgetTagsOf(db: Kysely<Database>, accountUin: string, resources: readonly TaggedResource[]): Promise<void> {
  for (const [kind, ids] of idsByKind(resources)) {
    await db.deleteFrom('resource_tags').where('account_uin', '=', accountUin).where('resource_kind', '=', kind).where('resource_id', 'in', ids).execute();
  }
}

/**
 * Drops every tag of resources just deleted, whoever owned them (the deleting repository has
 * already checked the owner; ids are unique per kind, so no other resource is touched).
 */
export async function forgetDeletedResources(db: Kysely<Database>, resources: readonly TaggedResource[]): Promise<void> {
  for (const [kind, ids] of idsByKind(resources)) {
    for (let i = 0; i < ids.length; i += 500) {
      await db.deleteFrom('resource_tags').where('resource_kind', '=', kind).where('resource_id', 'in', ids.slice(i, i + 500)).execute();
    }
  }
}

/** How many tags a resource carries. */
export async function tagCountOf(db: Kysely<Database>, accountUin: string, resource: TaggedResource): Promise<number> {
  const row = await db.selectFrom('resource_tags').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_uin', '=', accountUin).where('resource_kind', '=', resource.kind).where('resource_id', '=', resource.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * A condition for a query over another table: the row whose id column is `idColumn` names a
 * resource of `kind` carrying the tag (`DescribeInstances`' tag filters). `keys` alone: any of
 * those keys; `values` alone: any key with one of those values; both: one of the keys with one
 * of the values.
 */
export function resourceTagged(
  kind: TaggableKind,
  idColumn: string,
  match: { keys?: readonly string[]; values?: readonly string[] },
): Expression<SqlBool> {
  if (match.keys?.length === 0 || match.values?.length === 0) return sql<SqlBool>`(1 = 0)`;
  const conditions = [sql`rt.resource_kind = ${kind}`, sql`rt.resource_id = ${sql.ref(idColumn)}`];
  if (match.keys) conditions.push(sql`rt.tag_key in (${sql.join([...match.keys])})`);
  if (match.values) conditions.push(sql`rt.tag_value in (${sql.join([...match.values])})`);
  return sql<SqlBool>`exists (select 1 from resource_tags rt where ${sql.join(conditions, sql` and `)})`;
}

export interface ResourcesTaggedQuery {
  /** Every condition must hold (values of one condition are alternatives); none: every tagged resource. */
  conditions: readonly TagCondition[];
  kinds?: readonly TaggableKind[];
  region?: string;
  /** Only this resource id. */
  resourceId?: string;
  offset?: number;
  limit?: number;
}

/** The account's resources carrying the tags, in (kind, id) order, one page of them and the total. */
export async function resourcesTagged(db: Kysely<Database>, accountUin: string, query: ResourcesTaggedQuery): Promise<{ total: number; resources: Array<TaggedResource & { region: string }> }> {
  let q = db.selectFrom('resource_tags as r').where('r.account_uin', '=', accountUin);
  if (query.kinds) q = q.where('r.resource_kind', 'in', query.kinds.length > 0 ? [...query.kinds] : ['']);
  if (query.region) q = q.where('r.region', '=', query.region);
  if (query.resourceId) q = q.where('r.resource_id', '=', query.resourceId);
  for (const c of query.conditions) {
    q = q.where((eb) => {
      let sub = eb.selectFrom('resource_tags as c').select('c.tag_key')
        .whereRef('c.resource_kind', '=', 'r.resource_kind').whereRef('c.resource_id', '=', 'r.resource_id')
        .where('c.tag_key', '=', c.key);
      if (c.values && c.values.length > 0) sub = sub.where('c.tag_value', 'in', [...c.values]);
      return eb.exists(sub);
    });
  }
  const distinct = q.select(['r.resource_kind', 'r.resource_id', 'r.region']).distinct();
  const totalRow = await db.selectFrom(distinct.as('d')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let page = distinct.orderBy('r.resource_kind').orderBy('r.resource_id');
  if (query.limit !== undefined) page = page.limit(query.limit).offset(query.offset ?? 0);
  const rows = await page.execute();
  return {
    total: Number(totalRow.n),
    resources: rows.map((r) => ({ kind: r.resource_kind as TaggableKind, id: r.resource_id, region: r.region })),
  };
}

export interface ResourceTagRow extends TaggedResource { region: string; key: string; value: string }

/** One (resource, tag) pair per row, of the account's resources matching the query, in resource then key order. */
export async function resourceTagRows(
  db: Kysely<Database>,
  accountUin: string,
  query: { kinds?: readonly TaggableKind[]; region?: string; resourceIds?: readonly string[]; offset: number; limit: number },
): Promise<{ total: number; rows: ResourceTagRow[] }> {
  let q = db.selectFrom('resource_tags').where('account_uin', '=', accountUin);
  if (query.kinds) q = q.where('resource_kind', 'in', query.kinds.length > 0 ? [...query.kinds] : ['']);
  if (query.region) q = q.where('region', '=', query.region);
  if (query.resourceIds) q = q.where('resource_id', 'in', query.resourceIds.length > 0 ? [...query.resourceIds] : ['']);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['resource_kind', 'resource_id', 'region', 'tag_key', 'tag_value'])
    .orderBy('resource_kind').orderBy('resource_id').orderBy('tag_key').limit(query.limit).offset(query.offset).execute();
  return {
    total,
    rows: rows.map((r) => ({ kind: r.resource_kind as TaggableKind, id: r.resource_id, region: r.region, key: r.tag_key, value: r.tag_value })),
  };
}

// ---- the account's tag catalogue -------------------------------------------------------------

/** Enters the tags into the account's catalogue (those already there stay as they were); answers how many were new. */
export async function catalogueTags(db: Kysely<Database>, accountUin: string, tags: readonly Tag[], now: number): Promise<number> {
  if (tags.length === 0) return 0;
  const unique = [...new Map(tags.map((t) => [`${t.key}\u0000${t.value}`, t])).values()];
  const result = await db.insertInto('tag_catalogue')
    .values(unique.map((t) => ({ account_uin: accountUin, tag_key: t.key, tag_value: t.value, created_at: now })))
    .onConflict((oc) => oc.columns(['account_uin', 'tag_key', 'tag_value']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Whether the catalogue holds the tag. */
export async function isCatalogued(db: Kysely<Database>, accountUin: string, tag: Tag): Promise<boolean> {
  const row = await db.selectFrom('tag_catalogue').select('tag_key').where('account_uin', '=', accountUin)
    .where('tag_key', '=', tag.key).where('tag_value', '=', tag.value).executeTakeFirst();
  return row !== undefined;
}

/** Whether any resource of the account carries the tag. */
export async function isTagInUse(db: Kysely<Database>, accountUin: string, tag: Tag): Promise<boolean> {
  const row = await db.selectFrom('resource_tags').select('tag_key').where('account_uin', '=', accountUin)
    .where('tag_key', '=', tag.key).where('tag_value', '=', tag.value).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Removes a tag from the catalogue; answers whether it was there. */
export async function uncatalogueTag(db: Kysely<Database>, accountUin: string, tag: Tag): Promise<boolean> {
  const result = await db.deleteFrom('tag_catalogue').where('account_uin', '=', accountUin)
    .where('tag_key', '=', tag.key).where('tag_value', '=', tag.value).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** How many different keys the catalogue holds, and how many values `key` has. */
export async function catalogueSize(db: Kysely<Database>, accountUin: string, key: string): Promise<{ keys: number; valuesOfKey: number }> {
  const keys = await db.selectFrom('tag_catalogue').select((eb) => eb.fn.count<number>('tag_key').distinct().as('n'))
    .where('account_uin', '=', accountUin).executeTakeFirstOrThrow();
  const values = await db.selectFrom('tag_catalogue').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_uin', '=', accountUin).where('tag_key', '=', key).executeTakeFirstOrThrow();
  return { keys: Number(keys.n), valuesOfKey: Number(values.n) };
}

export interface CatalogueEntry extends Tag { inUse: boolean }

/** A page of the catalogue (key, then value order), narrowed to `keys` and/or one `value` when given. */
export async function catalogueTagsPage(
  db: Kysely<Database>,
  accountUin: string,
  query: { keys?: readonly string[]; value?: string; offset: number; limit: number },
): Promise<{ total: number; tags: CatalogueEntry[] }> {
  let q = db.selectFrom('tag_catalogue as c').where('c.account_uin', '=', accountUin);
  if (query.keys) q = q.where('c.tag_key', 'in', query.keys.length > 0 ? [...query.keys] : ['']);
  if (query.value !== undefined) q = q.where('c.tag_value', '=', query.value);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['c.tag_key', 'c.tag_value'])
    .select((eb) => eb.exists(eb.selectFrom('resource_tags as r').select('r.tag_key')
      .where('r.account_uin', '=', accountUin).whereRef('r.tag_key', '=', 'c.tag_key').whereRef('r.tag_value', '=', 'c.tag_value')).as('in_use'))
    .orderBy('c.tag_key').orderBy('c.tag_value').limit(query.limit).offset(query.offset).execute();
  return { total, tags: rows.map((r) => ({ key: r.tag_key, value: r.tag_value, inUse: Boolean(r.in_use) })) };
}

/** A page of the catalogue's distinct keys, in order. */
export async function catalogueKeysPage(db: Kysely<Database>, accountUin: string, page: { offset: number; limit: number }): Promise<{ total: number; keys: string[] }> {
  const q = db.selectFrom('tag_catalogue').where('account_uin', '=', accountUin);
  const total = Number((await q.select((eb) => eb.fn.count<number>('tag_key').distinct().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select('tag_key').distinct().orderBy('tag_key').limit(page.limit).offset(page.offset).execute();
  return { total, keys: rows.map((r) => r.tag_key) };
}

function idsByKind(resources: readonly TaggedResource[]): Map<TaggableKind, string[]> {
  const sets = new Map<TaggableKind, Set<string>>();
  for (const r of resources) {
    const set = sets.get(r.kind) ?? new Set<string>();
    set.add(r.id);
    sets.set(r.kind, set);
  }
  return new Map([...sets].map(([kind, ids]) => [kind, [...ids]]));
}
