/**
 * Bringing a database up to the current schema.
 *
 * Migrations are listed here, in code, rather than discovered by scanning a folder: a static
 * map works from any working directory, from a bundle, and under tsx alike. Kysely's Migrator
 * applies them in name order and records each in `kysely_migration`, so running it again is a
 * no-op. To add a migration: write `000N-topic.ts` exporting a `Migration`, add it to
 * `MIGRATIONS` below, and extend `schema.ts` to match.
 *
 * On PostgreSQL the Migrator takes a session advisory lock and runs all pending migrations in
 * one transaction, so concurrent starts queue up and the later ones find nothing to do. That
 * lock has one fixed id for the whole *database*, so servers using different schemas of one
 * database also take turns (harmlessly). On SQLite the Migrator neither locks nor uses a
 * transaction; `sqlite/migrate-sqlite.ts` supplies both.
 */
import { Migrator, type Kysely, type Migration } from 'kysely';

/** Migrations run before the typed schema exists, so they take a database of any shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migrator itself takes Kysely<any>
type AnyDb = Kysely<any>;
import type { StoreLogger } from '../store.ts';
import { identity } from './0001-identity.ts';
import { regions } from './0002-regions.ts';
import { gateway } from './0003-gateway.ts';
import { temporaryKeys } from './0004-temporary-keys.ts';
import { fleet } from './0005-fleet.ts';
import { network } from './0006-network.ts';
import { instances } from './0007-instances.ts';
import { placementAndAccess } from './0008-placement-and-access.ts';
import { iam } from './0009-iam.ts';
import { abuse } from './0010-abuse.ts';
import { listIndexes } from './0011-list-indexes.ts';
import { pageOrderIndexes } from './0012-page-order-indexes.ts';
import { instanceCounts } from './0013-instance-counts.ts';
import { eipTraffic } from './0030-eip-traffic.ts';
import { resourceTags } from './0031-resource-tags.ts';
import { requestRepeats } from './0035-request-repeats.ts';
import { signatureBinding } from './0036-signature-binding.ts';
import { metrics } from './0040-metrics.ts';
import { monitorAgents } from './0041-monitor-agents.ts';
import { alarms } from './0042-alarms.ts';
import { billing } from './0050-billing.ts';
import { redfish } from './0060-redfish.ts';
import { consoleSessions } from './0070-console.ts';
import { powerSync } from './0080-power-sync.ts';
import { billingIndexes } from './0090-billing-indexes.ts';
import { billingReconciliation } from './0091-billing-reconciliation.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-identity': identity,
  '0002-regions': regions,
  '0003-gateway': gateway,
  '0004-temporary-keys': temporaryKeys,
  '0005-fleet': fleet,
  '0006-network': network,
  '0007-instances': instances,
  '0008-placement-and-access': placementAndAccess,
  '0009-iam': iam,
  '0010-abuse': abuse,
  '0011-list-indexes': listIndexes,
  '0012-page-order-indexes': pageOrderIndexes,
  '0013-instance-counts': instanceCounts,
  '0030-eip-traffic': eipTraffic,
  '0031-resource-tags': resourceTags,
  '0035-request-repeats': requestRepeats,
  '0036-signature-binding': signatureBinding,
  '0040-metrics': metrics,
  '0041-monitor-agents': monitorAgents,
  '0042-alarms': alarms,
  '0050-billing': billing,
  '0060-redfish': redfish,
  '0070-console': consoleSessions,
  '0080-power-sync': powerSync,
  '0090-billing-indexes': billingIndexes,
  '0091-billing-reconciliation': billingReconciliation,
};

export interface MigrateOptions {
  /**
   * Where Kysely keeps its bookkeeping tables. Required on PostgreSQL with several schemas:
   * without it the Migrator looks for `kysely_migration` in *every* schema, finds another
   * schema's copy, and skips creating its own.
   */
  migrationTableSchema?: string;
  logger?: StoreLogger;
}

/** Applies every pending migration; returns the names applied. Throws if one fails. */
export async function migrateToLatest(db: AnyDb, options: MigrateOptions = {}): Promise<string[]> {
  const { error, results = [] } = await migratorFor(db, options).migrateToLatest();
  for (const { migrationName, status } of results) {
    options.logger?.info({ migration: migrationName, status }, 'database migration');
  }
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'bookkeeping';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The names of migrations not yet applied (reads only; takes no lock). */
export async function pendingMigrations(db: AnyDb, options: MigrateOptions = {}): Promise<string[]> {
  const infos = await migratorFor(db, options).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function migratorFor(db: AnyDb, { migrationTableSchema }: MigrateOptions): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    // Features are built in parallel, each with its own range of numbers, and land in any order:
    // a database that already ran 0030 must still take a later-landing 0014 instead of refusing.
    allowUnorderedMigrations: true,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}
