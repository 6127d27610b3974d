/**
 * Migration 0001: who may call the API.
 *
 * An account (tenant or operator) owns users; a user owns API keys. Keys are looked up by
 * SecretId on every signed request, and listed per user, hence the index on `user_id`.
 *
 * A migration is frozen once released: to change these tables, add a new migration rather than
 * editing this one. Column types are Kysely's portable names (`text`, `bigint`, `integer`), so
 * the same statements run on SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from 'kysely';

export const identity: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('accounts')
      .addColumn('uin', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'bigint', (c) => c.notNull().unique())
      .addColumn('uuid', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull().references('accounts.uin'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('uin', 'text', (c) => c.notNull().unique())
      .addColumn('is_root', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('users_account_uin_name_key', ['account_uin', 'name'])
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('secret_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('secret_key_enc', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_keys_user_id_idx').on('api_keys').column('user_id').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('api_keys').execute();
    await db.schema.dropTable('users').execute();
    await db.schema.dropTable('accounts').execute();
  },
};
