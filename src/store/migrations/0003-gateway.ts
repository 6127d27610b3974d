/**
 * Migration 0003: state the API gateway keeps between requests.
 *
 * `request_replays` remembers the signature of each accepted mutating request until its
 * `expires_at`, so a captured request cannot be sent twice; the index lets the purge delete
 * expired rows without scanning the table. `settings` is a small key/value table for service
 * state that has no table of its own.
 */
import type { Kysely, Migration } from 'kysely';

export const gateway: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('request_replays')
      .addColumn('signature', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('request_replays_expires_at_idx')
      .on('request_replays')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('settings').execute();
    await db.schema.dropTable('request_replays').execute();
  },
};
