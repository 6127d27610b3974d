/**
 * Migration 0080: the power-state sync's schedule.
 *
 * `servers.power_due_at` is when the server's BMC is next to be read (ms; null = never read, so
 * due now). A pass claims the due servers by moving this forward in the same statement that
 * finds them, so every server process shares one schedule: a BMC is read once per period
 * however many processes run, and a fleet of any size is covered, not only its first rows.
 */
import type { Kysely, Migration } from 'kysely';

export const powerSync: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('servers').addColumn('power_due_at', 'bigint').execute();
    await db.schema.createIndex('servers_power_due_idx').on('servers').column('power_due_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('servers_power_due_idx').execute();
    await db.schema.alterTable('servers').dropColumn('power_due_at').execute();
  },
};
