/**
 * Migration 0031: one table of tags for every taggable resource, and the tag catalogue.
 *
 * Until now only instances had tags (`instance_tags`, migration 0007). The `tag` service tags
 * bms instances, spread placement groups, heartbeat groups, VPCs, subnets and EIPs, and
 * RunInstances, DescribeInstances filters, CAM tag conditions, monitoring and billing all read
 * the same rows, so tags move to `resource_tags`, keyed by the resource's kind and id (ids are
 * unique per kind across accounts) and carrying the owner account and the region — every read
 * names the account, so a tenant never reaches another's tags. Existing instance tags are
 * copied over (their region taken from the instance's zone) and `instance_tags` is dropped.
 *
 * `tag_catalogue` holds the account's tags (key, value) as the tag service lists them: a pair
 * enters it through CreateTag or by being attached to a resource, and leaves it through
 * DeleteTag (only while no resource carries it).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const resourceTags: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('resource_tags')
      .addColumn('resource_kind', 'text', (c) => c.notNull()) // instance | ps | heartbeat | vpc | subnet | eip
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_tags_pk', ['resource_kind', 'resource_id', 'tag_key'])
      .execute();
    await db.schema.createIndex('resource_tags_account_kv_idx').on('resource_tags').columns(['account_uin', 'tag_key', 'tag_value']).execute();
    await db.schema.createIndex('resource_tags_account_resource_idx').on('resource_tags')
      .columns(['account_uin', 'resource_kind', 'resource_id']).execute();

    await db.schema.createTable('tag_catalogue')
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tag_catalogue_pk', ['account_uin', 'tag_key', 'tag_value'])
      .execute();

    await sql`insert into resource_tags (resource_kind, resource_id, tag_key, tag_value, account_uin, region, created_at)
      select 'instance', t.instance_id, t.tag_key, t.tag_value, i.account_uin, coalesce(z.region, ''), i.created_at
      from instance_tags t join instances i on i.id = t.instance_id left join zones z on z.zone = i.zone
      where i.deleted_at is null`.execute(db);
    await sql`insert into tag_catalogue (account_uin, tag_key, tag_value, created_at)
      select account_uin, tag_key, tag_value, min(created_at) from resource_tags group by account_uin, tag_key, tag_value`.execute(db);
    await db.schema.dropTable('instance_tags').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.createTable('instance_tags')
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_tags_pk', ['instance_id', 'tag_key'])
      .execute();
    await db.schema.createIndex('instance_tags_kv_idx').on('instance_tags').columns(['tag_key', 'tag_value']).execute();
    await sql`insert into instance_tags (instance_id, tag_key, tag_value)
      select resource_id, tag_key, tag_value from resource_tags where resource_kind = 'instance'`.execute(db);
    await db.schema.dropTable('tag_catalogue').execute();
    await db.schema.dropTable('resource_tags').execute();
  },
};
