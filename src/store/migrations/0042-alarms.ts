/**
 * Migration 0042: alarm policies, what they watch, their per-series state, the alarm history
 * and the webhook deliveries (an outbox: a delivery is recorded in the transaction that opens or
 * closes the alarm, then sent and retried from the table, so a crash never loses or doubles one).
 */
import type { Kysely, Migration } from 'kysely';

export const alarms: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('alarm_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('remark', 'text', (c) => c.notNull())
      .addColumn('enable', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull()) // JSON [{metric, period, operator, value, continuePeriod, noticeFrequency}]
      .addColumn('notice_ids', 'text', (c) => c.notNull()) // JSON
      .addColumn('webhook_url', 'text')
      .addColumn('webhook_secret_enc', 'text', (c) => c.notNull())
      .addColumn('last_edit_uin', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alarm_policies_account_idx').on('alarm_policies').columns(['account_uin', 'created_at']).execute();
    await db.schema.createTable('alarm_bindings')
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull()) // instance | tag
      .addColumn('instance_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('tag_key', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('tag_value', 'text', (c) => c.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('alarm_bindings_pk', ['policy_id', 'kind', 'instance_id', 'tag_key', 'tag_value'])
      .execute();
    await db.schema.createTable('alarm_states')
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('rule', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('last_bucket', 'bigint', (c) => c.notNull()) // unix s of the last bucket judged
      .addColumn('breaches', 'integer', (c) => c.notNull()) // periods in a row over the threshold
      .addColumn('alarm_id', 'text') // the open alarm, if any
      .addColumn('last_notified', 'bigint') // unix s
      .addPrimaryKeyConstraint('alarm_states_pk', ['policy_id', 'rule', 'instance_id'])
      .execute();
    await db.schema.createTable('alarm_histories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('policy_name', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('period', 'integer', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull()) // ALARM | OK
      .addColumn('first_occur', 'bigint', (c) => c.notNull())
      .addColumn('last_occur', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alarm_histories_account_idx').on('alarm_histories').columns(['account_uin', 'first_occur']).execute();
    await db.schema.createTable('alarm_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alarm_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull()) // ALARM | OK
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull()) // PENDING | DELIVERED | FAILED
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_at', 'bigint') // ms
      .addColumn('last_http_code', 'integer', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alarm_deliveries_due_idx').on('alarm_deliveries').columns(['status', 'next_at']).execute();
    await db.schema.createIndex('alarm_deliveries_alarm_idx').on('alarm_deliveries').columns(['alarm_id']).execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of ['alarm_deliveries', 'alarm_histories', 'alarm_states', 'alarm_bindings', 'alarm_policies']) await db.schema.dropTable(t).execute();
  },
};
