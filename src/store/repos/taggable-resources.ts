/**
 * Which resources can carry tags, and whether one of them exists for an account.
 *
 * The tag service names resources by kind and id; before it tags one it asks here whether the
 * account has a live resource of that kind with that id, and in which region it lives. Another
 * account's resource is, to these queries, one that does not exist.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { resourceKey, type TaggableKind, type TaggedResource } from './resource-tags.ts';

/** The live resources among `resources` that belong to the account, with their regions, by `resourceKey`. */
export async function existingTaggables(db: Kysely<Database>, accountUin: string, resources: readonly TaggedResource[]): Promise<Map<string, { region: string }>> {
  const found = new Map<string, { region: string }>();
  const byKind = new Map<TaggableKind, string[]>();
  for (const r of resources) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.id]);
  for (const [kind, ids] of byKind) {
    for (const row of await regionsOf(db, accountUin, kind, ids)) found.set(resourceKey({ kind, id: row.id }), { region: row.region });
  }
  return found;
}

/** Where one resource lives, or undefined when the account has no such live resource. */
export async function taggableRegion(db: Kysely<Database>, accountUin: string, resource: TaggedResource): Promise<string | undefined> {
  return (await existingTaggables(db, accountUin, [resource])).get(resourceKey(resource))?.region;
}

function regionsOf(db: Kysely<Database>, accountUin: string, kind: TaggableKind, ids: string[]): Promise<Array<{ id: string; region: string }>> {
  switch (kind) {
    case 'instance':
      return db.selectFrom('instances as i').innerJoin('zones as z', 'z.zone', 'i.zone').select(['i.id', 'z.region'])
        .where('i.account_uin', '=', accountUin).where('i.id', 'in', ids).where('i.deleted_at', 'is', null).execute();
    case 'ps':
      return db.selectFrom('placement_groups').select(['id', 'region']).where('account_uin', '=', accountUin).where('id', 'in', ids).execute();
    case 'heartbeat':
      return db.selectFrom('heartbeat_groups').select(['id', 'region']).where('account_uin', '=', accountUin).where('id', 'in', ids).execute();
    case 'vpc':
      return db.selectFrom('vpcs').select(['id', 'region']).where('account_uin', '=', accountUin).where('id', 'in', ids).execute();
    case 'subnet':
      return db.selectFrom('subnets as s').innerJoin('vpcs as v', 'v.id', 's.vpc_id').select(['s.id', 'v.region'])
        .where('s.account_uin', '=', accountUin).where('s.id', 'in', ids).execute();
    case 'eip':
      return db.selectFrom('eips').select(['id', 'region']).where('account_uin', '=', accountUin).where('id', 'in', ids).execute();
  }
}
