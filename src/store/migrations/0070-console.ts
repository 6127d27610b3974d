/**
 * Migration 0070: the web console's sessions and per-user preferences.
 *
 * A session row is keyed by the SHA-256 of the cookie's token (the token itself is never
 * stored, so a copy of the database opens no session). It ends at `expires_at` (absolute) or
 * when `last_seen_at` is older than the idle limit; logout deletes it. Sessions live in the
 * store so that they survive a restart and hold across every server process.
 */
import type { Kysely, Migration } from 'kysely';

export const consoleSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('console_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('console_sessions_user_idx').on('console_sessions').column('user_id').execute();
    await db.schema.createTable('console_preferences')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('console_preferences').execute();
    await db.schema.dropTable('console_sessions').execute();
  },
};
