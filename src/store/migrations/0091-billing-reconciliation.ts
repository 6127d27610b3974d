/**
 * Migration 0091: the daily billing reconciliation's results.
 *
 * One row per day (UTC+8, "YYYY-MM-DD") that was checked: when, with which tolerance, and its
 * findings as JSON (instance, account, billed, powered-on and observed seconds, difference).
 * The day is the key, so however many server processes run the daily check, one of them checks
 * a day and logs its findings, once.
 */
import type { Kysely, Migration } from 'kysely';

export const billingReconciliation: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('billing_reconciliations')
      .addColumn('day', 'text', (c) => c.primaryKey())
      .addColumn('checked_at', 'bigint', (c) => c.notNull())
      .addColumn('tolerance_seconds', 'integer', (c) => c.notNull())
      .addColumn('finding_count', 'integer', (c) => c.notNull())
      .addColumn('findings', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('billing_reconciliations').execute();
  },
};
