/**
 * Migration 0050: post-paid billing (issue 14).
 *
 * `instance_state_history` is the lifecycle journal: one row per status change, written by the
 * lifecycle gate in the same transaction as the change itself, so it holds exactly the committed
 * history. Billing derives every instance's billable interval from it (first RUNNING → the start
 * of its return, TERMINATING) instead of counting usage somewhere else.
 *
 * Billing's own rows are each keyed by what they stand for, so writing one twice is impossible:
 *   - `billing_records` — one usage record per (resource, period): key `bms:<start>:<instance>` or
 *     `eip:<start>:<eip>` (recordKey in src/billing/biller.ts); pushed at the period's end, deduction due a delay later;
 *   - `billing_ledger` — the account water: one row per deduction (key `deduct:<record key>`) or
 *     recharge (key given by the operator's request), with the balance after it;
 *   - `billing_accounts` — each account's balance (moved only together with a ledger row) and its
 *     budget warning;
 *   - `billing_cursors` — how far each resource has been pushed (rebuildable from the records;
 *     it only saves the biller from re-reading them);
 *   - `billing_prices` — price history: flavor hourly prices and ISP traffic prices per GB, each
 *     with the moment it takes effect, so a period is always rated at the price of its start;
 *   - `power_observation_hours` — power-on time the power sync observed, per instance and hour,
 *     for the daily reconciliation.
 * Money is integer cents (BIGINT); times are epoch milliseconds.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const billing: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('instance_state_history')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('from_status', 'text', (c) => c.notNull())
      .addColumn('to_status', 'text') // null: the instance is gone
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_state_history_pk', ['instance_id', 'seq'])
      .execute();
    await db.schema.createIndex('instance_state_history_to_idx').on('instance_state_history').columns(['to_status', 'instance_id']).execute();
    // Instances that already ran before the journal existed: their billing starts when it did.
    await sql`insert into instance_state_history (instance_id, seq, account_uin, from_status, to_status, event, at)
      select id, 0, account_uin, 'PENDING', 'RUNNING', 'journal_started', updated_at from instances
      where deleted_at is null and status not in ('PENDING', 'CREATE_FAILED')`.execute(db);

    await db.schema.createTable('billing_accounts')
      .addColumn('account_uin', 'text', (c) => c.primaryKey())
      .addColumn('balance_cents', 'bigint', (c) => c.notNull())
      .addColumn('warn_status', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('warn_threshold_cents', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('warned_at', 'bigint') // last notification; cleared when the balance rises above the threshold
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('billing_prices')
      .addColumn('product', 'text', (c) => c.notNull()) // 'flavor' | 'traffic'
      .addColumn('price_key', 'text', (c) => c.notNull()) // flavor id | ISP
      .addColumn('effective_from', 'bigint', (c) => c.notNull())
      .addColumn('price_cents', 'bigint', (c) => c.notNull()) // per hour | per GB
      .addPrimaryKeyConstraint('billing_prices_pk', ['product', 'price_key', 'effective_from'])
      .execute();

    await db.schema.createTable('billing_records')
      .addColumn('record_key', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('product', 'text', (c) => c.notNull()) // 'bms' | 'eip'
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('resource_name', 'text', (c) => c.notNull())
      .addColumn('sub_product', 'text', (c) => c.notNull()) // flavor id | ISP
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('zone', 'text', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('period_end', 'bigint', (c) => c.notNull())
      .addColumn('quantity', 'bigint', (c) => c.notNull()) // seconds | bytes
      .addColumn('unit_price_cents', 'bigint', (c) => c.notNull())
      .addColumn('amount_cents', 'bigint', (c) => c.notNull())
      .addColumn('final', 'integer', (c) => c.notNull())
      .addColumn('pushed_at', 'bigint', (c) => c.notNull())
      .addColumn('deduct_due_at', 'bigint', (c) => c.notNull())
      .addColumn('deducted_at', 'bigint')
      .execute();
    await db.schema.createIndex('billing_records_account_idx').on('billing_records').columns(['account_uin', 'period_start']).execute();
    await db.schema.createIndex('billing_records_due_idx').on('billing_records').columns(['deducted_at', 'deduct_due_at']).execute();

    await db.schema.createTable('billing_cursors')
      .addColumn('resource_id', 'text', (c) => c.primaryKey())
      .addColumn('pushed_until', 'bigint', (c) => c.notNull())
      .addColumn('closed', 'integer', (c) => c.notNull())
      .execute();

    await db.schema.createTable('billing_ledger')
      .addColumn('entry_key', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull()) // 'deduct' | 'recharge'
      .addColumn('amount_cents', 'bigint', (c) => c.notNull()) // signed: a deduction is negative
      .addColumn('balance_after_cents', 'bigint', (c) => c.notNull())
      .addColumn('record_key', 'text')
      .addColumn('remark', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('billing_ledger_account_idx').on('billing_ledger').columns(['account_uin', 'created_at']).execute();

    await db.schema.createTable('billing_notifications')
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('balance_cents', 'bigint', (c) => c.notNull())
      .addColumn('threshold_cents', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('billing_notifications_pk', ['account_uin', 'at'])
      .execute();

    await db.schema.createTable('power_observation_hours')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('hour_start', 'bigint', (c) => c.notNull())
      .addColumn('on_ms', 'bigint', (c) => c.notNull())
      .addColumn('observed_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('power_observation_hours_pk', ['instance_id', 'hour_start'])
      .execute();
    await db.schema.createTable('power_observation_last')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('powered_on', 'integer', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of ['power_observation_last', 'power_observation_hours', 'billing_notifications', 'billing_ledger', 'billing_cursors',
      'billing_records', 'billing_prices', 'billing_accounts', 'instance_state_history']) {
      await db.schema.dropTable(t).execute();
    }
  },
};
