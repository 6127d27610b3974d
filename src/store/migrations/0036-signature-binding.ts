/**
 * Migration 0036: a signature serves one purpose (issue 9).
 *
 * `signature_uses` keeps, for each TC3 signature that did not sign `X-TC-Action`, the service
 * and action it was first used for, until the end of its timestamp window (`expires_at`): the
 * gateway lets it serve only that action or a read that reveals no secret. `account_security`
 * holds per-account settings — `require_signed_action` (1: mutating calls must sign
 * X-TC-Action). An account without a row follows the operator's default for new accounts
 * (`settings` key `security.requireSignedAction.default`).
 */
import type { Kysely, Migration } from 'kysely';

export const signatureBinding: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('signature_uses')
      .addColumn('signature', 'text', (c) => c.primaryKey())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('signature_uses_expires_at_idx').on('signature_uses').column('expires_at').execute();
    await db.schema.createTable('account_security')
      .addColumn('account_uin', 'text', (c) => c.primaryKey())
      .addColumn('require_signed_action', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('account_security').execute();
    await db.schema.dropTable('signature_uses').execute();
  },
};
