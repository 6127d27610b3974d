/**
 * Migration 0011: indexes that keep DescribeInstances fast at 100k instances.
 *
 * Every filter column gets an index led by the account and followed by `deleted_at` and
 * `created_at`, so the planner can satisfy the account scope, the filter, "not deleted" and the
 * newest-first order from one index — SQLite without statistics otherwise prefers the plain
 * (account, deleted_at, created_at) index and walks every instance of the tenant. Addresses get
 * an index of their own, so "which instance holds 10.0.1.7" is a lookup, not a scan.
 */
import type { Kysely, Migration } from 'kysely';

const FILTER_COLUMNS = ['private_ip', 'subnet_id', 'vpc_id', 'status', 'zone', 'group_id', 'cpu_arch', 'os_type'] as const;

export const listIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const column of FILTER_COLUMNS) {
      await db.schema.createIndex(`instances_list_${column}_idx`).on('instances')
        .columns(['account_uin', column, 'deleted_at', 'created_at']).execute();
    }
    await db.schema.createIndex('ip_allocations_address_idx').on('ip_allocations').columns(['address', 'owner_id']).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const column of FILTER_COLUMNS) await db.schema.dropIndex(`instances_list_${column}_idx`).execute();
    await db.schema.dropIndex('ip_allocations_address_idx').execute();
  },
};
