/**
 * Migration 0009: identity and access management beyond keys.
 *
 * - `user_credentials`: what a user has besides API keys — a remark, whether it may log in to
 *   the console, and its console password as a slow hash (scrypt, see src/iam/passwords.ts;
 *   never the password). One row per user that has any of these; root users may have none.
 * - `policies`: CAM policy documents of an account, by numeric PolicyId, names unique per account.
 * - `user_policies`: which policies are attached to which users.
 * - `session_policies`: the policy given to GetFederationToken, kept beside the temporary key
 *   it narrows (and deleted with it).
 */
import type { Kysely, Migration } from 'kysely';

export const iam: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('user_credentials')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('remark', 'text', (c) => c.notNull())
      .addColumn('console_login', 'integer', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('policies')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull().references('accounts.uin'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('policies_account_uin_name_key', ['account_uin', 'name'])
      .execute();

    await db.schema.createTable('user_policies')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('policy_id', 'bigint', (c) => c.notNull().references('policies.id'))
      .addColumn('attached_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_policies_pk', ['user_id', 'policy_id'])
      .execute();
    await db.schema.createIndex('user_policies_policy_idx').on('user_policies').column('policy_id').execute();

    await db.schema.createTable('session_policies')
      .addColumn('secret_id', 'text', (c) => c.primaryKey().references('api_keys.secret_id'))
      .addColumn('document', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['session_policies', 'user_policies', 'policies', 'user_credentials']) await db.schema.dropTable(t).execute();
  },
};
