/**
 * Migration 0060: what the `redfish` hardware type keeps in the store.
 *
 * - `redfish_sessions`: the one live session per BMC and account, shared by every BMS process
 *   (the token sealed with the master key; `credential` a digest telling which password opened it).
 * - `bmc_trust`: the certificate pinned for a BMC origin at enrolment (trust on first use, shown to
 *   the operator by fingerprint), and a changed certificate seen since, waiting for the operator.
 * - `install_media`: one row per install through virtual media: the media token naming the
 *   short-lived URLs, the SHA-256 of the installer's callback token, the rendered seed (sealed:
 *   it holds the password hash), when it expires, completed and finished.
 */
import type { Kysely, Migration } from 'kysely';

export const redfish: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('redfish_sessions')
      .addColumn('bmc_key', 'text', (c) => c.primaryKey())
      .addColumn('token_enc', 'text', (c) => c.notNull())
      .addColumn('location', 'text', (c) => c.notNull())
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('bmc_trust')
      .addColumn('origin', 'text', (c) => c.primaryKey())
      .addColumn('fingerprint256', 'text', (c) => c.notNull())
      .addColumn('pem', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'bigint', (c) => c.notNull())
      .addColumn('seen_fingerprint256', 'text')
      .addColumn('seen_pem', 'text')
      .addColumn('seen_at', 'bigint')
      .execute();
    await db.schema.createTable('install_media')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('server_id', 'text', (c) => c.notNull())
      .addColumn('media_token', 'text', (c) => c.notNull().unique())
      .addColumn('callback_sha256', 'text', (c) => c.notNull())
      .addColumn('seed_enc', 'text', (c) => c.notNull())
      .addColumn('os_name', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('install_media').execute();
    await db.schema.dropTable('bmc_trust').execute();
    await db.schema.dropTable('redfish_sessions').execute();
  },
};
