/**
 * Migration 0035: repeats answer instead of failing (issue 9).
 *
 * `request_repeats` replaces `request_replays`. It remembers a signed mutating request (its
 * signature with the service, action and region it was used for) while it runs — `running`,
 * claimed by the `request_id` that executes it until `lease_until` — and, once it succeeded,
 * its answer (`done`, the result members as JSON) until `expires_at`, the end of the signature's
 * timestamp window. A copy arriving meanwhile is not executed: it waits for a running one and
 * gets a done one's answer. A request that failed leaves no row. The index lets the purge
 * delete expired rows without a scan.
 *
 * `audit_events.repeat_of` names the RequestId whose answer a repeat was given (else null).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const requestRepeats: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('request_repeats')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('answer', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('request_repeats_expires_at_idx').on('request_repeats').column('expires_at').execute();
    // The old guard's records last five minutes and are replaced by the above.
    await db.schema.dropTable('request_replays').execute();
    await db.schema.alterTable('audit_events').addColumn('repeat_of', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('audit_events').dropColumn('repeat_of').execute();
    await db.schema.createTable('request_replays')
      .addColumn('signature', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await sql`create index request_replays_expires_at_idx on request_replays (expires_at)`.execute(db);
    await db.schema.dropTable('request_repeats').execute();
  },
};
