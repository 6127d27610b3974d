/**
 * Migration 0090: billing's two hot reads served by small indexes.
 *
 *   - Deductions due: the biller asks for records not yet deducted whose deduction is due, oldest
 *     first. 0050 indexed every record on (deducted_at, deduct_due_at), so each deduction moved
 *     an entry across an index as large as all records ever pushed. A partial index over the
 *     records still waiting (`where deducted_at is null`) holds only those: an entry is added at
 *     the push and removed at the deduction, and the index stays the size of one cycle's records.
 *   - Billable spans: each run reads, per instance, when it first reached RUNNING and when its
 *     return began. A covering index (to_status, instance_id, account_uin, at) answers that from
 *     the index alone, without visiting the journal's rows.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const billingIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('billing_records_due_idx').execute();
    await db.schema.createIndex('billing_records_pending_idx').on('billing_records').columns(['deduct_due_at', 'record_key'])
      .where(sql.ref('deducted_at'), 'is', null).execute();
    await db.schema.dropIndex('instance_state_history_to_idx').execute();
    await db.schema.createIndex('instance_state_history_span_idx').on('instance_state_history')
      .columns(['to_status', 'instance_id', 'account_uin', 'at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('instance_state_history_span_idx').execute();
    await db.schema.createIndex('instance_state_history_to_idx').on('instance_state_history').columns(['to_status', 'instance_id']).execute();
    await db.schema.dropIndex('billing_records_pending_idx').execute();
    await db.schema.createIndex('billing_records_due_idx').on('billing_records').columns(['deducted_at', 'deduct_due_at']).execute();
  },
};
