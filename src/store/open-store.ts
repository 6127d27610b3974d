/**
 * `openStore`: the one way into the database.
 *
 * The backend is chosen by configuration alone: no `databaseUrl` means a SQLite file in
 * `dataDir` (a single-node install with nothing else to run); a `postgres://` or
 * `postgresql://` URL means PostgreSQL (several server nodes sharing one database). Everything
 * above the store is the same for both.
 *
 * Opening also migrates: when the promise resolves, every table in `schema.ts` exists. A store
 * that failed to migrate is closed before the error propagates, so nothing leaks.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { changeRoute, feedOf, parsePayload, publishLocally, withAnnouncements } from './changes.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import { redactUrl, urlScheme } from './postgres/database-url.ts';
import { openPostgres } from './postgres/open-postgres.ts';
import type { Database } from './schema.ts';
import { migrateSqlite } from './sqlite/migrate-sqlite.ts';
import { isTransientConflict } from './errors.ts';
import { openSqlite } from './sqlite/open-sqlite.ts';
import type { Store, StoreDialect, StoreLogger } from './store.ts';

export interface OpenStoreOptions {
  /** Folder for the SQLite file `bms.sqlite`; created if missing. Unused with PostgreSQL. */
  dataDir: string;
  /** `postgres://user:pass@host:port/db[?schema=NAME]`; empty or absent selects SQLite. */
  databaseUrl?: string;
  logger?: StoreLogger;
}

const POSTGRES_SCHEMES = new Set(['postgres', 'postgresql']);

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const { dataDir, databaseUrl, logger } = opts;
  if (!databaseUrl) {
    const { db, file } = openSqlite(dataDir);
    await migrateOrClose(db, () => migrateSqlite(db, logger));
    logger?.info({ dialect: 'sqlite', file }, 'store opened');
    return storeOver(db, 'sqlite', undefined, logger);
  }
  const scheme = urlScheme(databaseUrl);
  if (scheme === undefined || !POSTGRES_SCHEMES.has(scheme)) {
    throw new Error(
      `Unsupported database URL scheme ${JSON.stringify(scheme ?? '')} in ${redactUrl(databaseUrl)}: ` +
        'expected postgres:// or postgresql://, or no URL for SQLite',
    );
  }
  const { db, schema, safeUrl, connectionString } = await openPostgres(databaseUrl, logger);
  await migrateOrClose(db, () => migrateToLatest(db, { migrationTableSchema: schema, ...(logger ? { logger } : {}) }));
  logger?.info({ dialect: 'postgres', url: safeUrl, schema }, 'store opened');
  return storeOver(db, 'postgres', { connectionString, channel: changeChannel(schema) }, logger);
}

/** One NOTIFY channel per schema (stores in other schemas of the database hear nothing), within 63 bytes. */
function changeChannel(schema: string): string {
  return `bms_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

async function migrateOrClose(db: Kysely<Database>, migrate: () => Promise<unknown>): Promise<void> {
  try {
    await migrate();
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function storeOver(
  db: Kysely<Database>, dialect: StoreDialect, pgFeed: { connectionString: string; channel: string } | undefined, logger?: StoreLogger,
): Store {
  let closing: Promise<void> | undefined;
  const route = changeRoute(db, dialect, pgFeed?.channel ?? 'local');
  const listener = pgFeed ? changeListener(pgFeed, (changes) => route.emitter.emit('changes', changes), logger) : undefined;
  return {
    db,
    dialect,
    transaction: async (fn) => {
      const { result, changes } = await retryingTransient(() => db.transaction().execute((tx) => withAnnouncements(route, tx, fn)));
      publishLocally(route, changes); // SQLite: after the commit returned (PostgreSQL: delivered by NOTIFY)
      return result;
    },
    changes: feedOf(route, () => listener?.start()),
    close: () => (closing ??= Promise.all([listener?.stop(), db.destroy()]).then(() => undefined)),
  };
}

/**
 * The PostgreSQL side of the change feed: one connection LISTENing on the store's channel,
 * opened when the first listener subscribes and opened again (after a second) if it drops.
 * Changes committed while it was down are not replayed: consumers refetch on reconnect.
 */
function changeListener(feed: { connectionString: string; channel: string }, emit: (changes: ReturnType<typeof parsePayload>) => void, logger?: StoreLogger) {
  let client: pg.Client | undefined;
  let started: Promise<void> | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new pg.Client({ connectionString: feed.connectionString });
    client = c;
    const again = () => {
      if (stopped || client !== c) return;
      client = undefined;
      retry = setTimeout(() => void connect(), 1_000);
      retry.unref();
    };
    c.on('error', (err) => {
      logger?.info({ err }, 'change feed connection failed');
      again();
    });
    c.on('end', again);
    c.on('notification', (msg) => {
      if (msg.channel === feed.channel) emit(parsePayload(msg.payload));
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${feed.channel}"`);
    } catch (err) {
      logger?.info({ err }, 'change feed could not listen');
      void c.end().catch(() => undefined);
      again();
    }
  };
  return {
    start(): Promise<void> {
      return (started ??= stopped ? Promise.resolve() : connect());
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}

/** Attempts at a transaction PostgreSQL aborted as a deadlock victim or a serialization failure. */
const TRANSACTION_ATTEMPTS = 5;

/**
 * Runs `attempt` again when PostgreSQL aborted it to break a deadlock or a serialization
 * conflict — the transaction was rolled back whole, so it is simply run again after a short,
 * growing, jittered pause (the other party finishes meanwhile). Every other error, and the
 * fifth transient one, goes to the caller.
 */
async function retryingTransient<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= TRANSACTION_ATTEMPTS || !isTransientConflict(error)) throw error;
      await new Promise((r) => setTimeout(r, (5 + Math.random() * 20) * n));
    }
  }
}
