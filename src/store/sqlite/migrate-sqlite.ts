/**
 * Migrating SQLite safely when several stores start at once on one file.
 *
 * Kysely's Migrator does not lock on SQLite and, because its SQLite adapter reports no
 * transactional DDL, runs each migration outside any transaction. SQLite does support
 * transactional DDL, so we wrap the whole run in `BEGIN IMMEDIATE`: it takes the file's write
 * lock up front, the Migrator re-reads what is applied under that lock, and a failing
 * migration rolls back completely. A database that is already current is detected first,
 * without the lock, so ordinary starts never wait.
 *
 * Waiting for the lock is done here, asynchronously, not by SQLite's busy_timeout: better-sqlite3
 * is synchronous, so a busy wait would block the event loop — and if the lock holder is another
 * connection in this same process, it could never finish. We set busy_timeout to 0 for the
 * attempt, retry on SQLITE_BUSY every few milliseconds, and restore it afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest, pendingMigrations } from '../migrations/migrate.ts';
import type { Database } from '../schema.ts';
import type { StoreLogger } from '../store.ts';

const LOCK_WAIT_MS = 30_000;
const RETRY_EVERY_MS = 20;

export async function migrateSqlite(db: Kysely<Database>, logger?: StoreLogger): Promise<string[]> {
  if ((await pendingMigrations(db)).length === 0) return [];
  return db.connection().execute(async (conn) => {
    await beginImmediate(conn);
    try {
      const applied = await migrateToLatest(conn, logger ? { logger } : {});
      await sql`commit`.execute(conn);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn);
  const busyTimeout = rows[0]?.timeout ?? 0;
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        await sleep(RETRY_EVERY_MS);
      }
    }
  } finally {
    await sql`pragma busy_timeout = ${sql.raw(String(busyTimeout))}`.execute(conn);
  }
}
