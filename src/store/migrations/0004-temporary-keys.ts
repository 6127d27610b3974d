/**
 * Migration 0004: temporary credentials.
 *
 * A temporary key is an ordinary `api_keys` row with the SHA-256 of its token (the token is a
 * bearer secret and is never stored) and the moment it stops working. Both are NULL for a
 * permanent key.
 */
import type { Kysely, Migration } from 'kysely';

export const temporaryKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('api_keys').addColumn('token_hash', 'text').execute();
    await db.schema.alterTable('api_keys').addColumn('expires_at', 'bigint').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('api_keys').dropColumn('expires_at').execute();
    await db.schema.alterTable('api_keys').dropColumn('token_hash').execute();
  },
};
