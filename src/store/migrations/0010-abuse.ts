/**
 * Migration 0010: what abuse resistance keeps between requests and across processes.
 *
 * `rate_counters` holds one row per (limiter key, one-second window): every server process
 * increments the same row with one atomic upsert, so a limit holds for the sum of all
 * processes sharing the database. Old windows are purged; the table stays tiny.
 *
 * `rate_limits` holds the operator's overrides of the spec's per-action limits, for one account
 * or (account_uin '*') for every account.
 *
 * `audit_events` records every mutating call — success or error — with who, when, what, the
 * outcome and where from; `audit_resources` indexes its resource ids so "everything that
 * happened to bms-xxxxxxxx" is one index lookup. Parameter values other than resource ids are
 * never stored.
 */
import type { Kysely, Migration } from 'kysely';

export const abuse: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('rate_counters')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('window', 'bigint', (c) => c.notNull()) // epoch seconds
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_counters_pk', ['key', 'window'])
      .execute();
    await db.schema.createIndex('rate_counters_window_idx').on('rate_counters').column('window').execute();

    await db.schema.createTable('rate_limits')
      .addColumn('account_uin', 'text', (c) => c.notNull()) // '*' = every account
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('per_second', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_limits_pk', ['account_uin', 'service', 'action'])
      .execute();

    await db.schema.createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('user_uin', 'text', (c) => c.notNull())
      .addColumn('secret_id', 'text', (c) => c.notNull())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('resource_ids', 'text', (c) => c.notNull()) // JSON array of strings
      .addColumn('result_code', 'text', (c) => c.notNull()) // 'Success' or the error code
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_events_account_at_idx').on('audit_events').columns(['account_uin', 'at']).execute();
    await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();

    await db.schema.createTable('audit_resources')
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_resources_pk', ['resource_id', 'event_id'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['audit_resources', 'audit_events', 'rate_limits', 'rate_counters']) await db.schema.dropTable(t).execute();
  },
};
