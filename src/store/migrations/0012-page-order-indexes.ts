/**
 * Migration 0012: list indexes that also give the page its order.
 *
 * DescribeInstances pages newest first, ties broken by id (`created_at DESC, id DESC`). The
 * 0011 indexes ended at `created_at`, so SQLite sorted every match on the id in a temporary
 * B-tree before it could take the first 100 — a 1% subnet at 100k instances read and sorted
 * 1,000 rows per page. Ending each index with `id` lets the planner walk it backwards and stop
 * after the page. The 0007 indexes that are prefixes of these (account + one column) go: any
 * query they served is served by the longer index, and each costs every insert a B-tree write.
 */
import type { Kysely, Migration } from 'kysely';

const FILTER_COLUMNS = ['private_ip', 'subnet_id', 'vpc_id', 'status', 'zone', 'group_id', 'cpu_arch', 'os_type'] as const;
/** 0007's (account_uin, column) indexes made redundant by the ones below. */
const PREFIX_INDEXES = ['status', 'private_ip', 'vpc_id', 'subnet_id', 'zone'] as const;

export const pageOrderIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const column of FILTER_COLUMNS) {
      await db.schema.dropIndex(`instances_list_${column}_idx`).execute();
      await db.schema.createIndex(`instances_page_${column}_idx`).on('instances')
        .columns(['account_uin', column, 'deleted_at', 'created_at', 'id']).execute();
    }
    await db.schema.dropIndex('instances_account_uin_deleted_at_created_at_idx').execute();
    await db.schema.createIndex('instances_page_idx').on('instances').columns(['account_uin', 'deleted_at', 'created_at', 'id']).execute();
    for (const column of PREFIX_INDEXES) await db.schema.dropIndex(`instances_account_uin_${column}_idx`).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const column of PREFIX_INDEXES) {
      await db.schema.createIndex(`instances_account_uin_${column}_idx`).on('instances').columns(['account_uin', column]).execute();
    }
    await db.schema.dropIndex('instances_page_idx').execute();
    await db.schema.createIndex('instances_account_uin_deleted_at_created_at_idx').on('instances')
      .columns(['account_uin', 'deleted_at', 'created_at']).execute();
    for (const column of FILTER_COLUMNS) {
      await db.schema.dropIndex(`instances_page_${column}_idx`).execute();
      await db.schema.createIndex(`instances_list_${column}_idx`).on('instances')
        .columns(['account_uin', column, 'deleted_at', 'created_at']).execute();
    }
  },
};
