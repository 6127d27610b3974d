/**
 * Opening the SQLite backend: one file, one connection.
 *
 * The file is `<dataDir>/bms.sqlite`. better-sqlite3 is synchronous and Kysely's SqliteDialect
 * serialises all queries — transactions included — over its single connection, so within one
 * process there is no lock contention at all. The pragmas are for the other processes that may
 * open the same file (a second server, an admin CLI):
 *   - journal_mode=WAL: readers never block the writer nor the writer the readers;
 *   - synchronous=NORMAL: with WAL, durable across application crashes and only the last
 *     transactions at risk on power loss — the usual trade for a server;
 *   - busy_timeout=5000: wait up to 5 s for another process's write lock instead of failing;
 *   - foreign_keys=ON: SQLite ignores REFERENCES clauses unless told otherwise, per connection;
 *   - wal_autocheckpoint=4000: the WAL is copied back into the file (and both are fsynced) once it
 *     holds 4000 pages (16 MB), not SQLite's default 1000. A checkpoint writes each page once
 *     however often it changed meanwhile, and with synchronous=NORMAL its fsyncs are the only
 *     ones: a quarter as many waits on the disk, and pages rewritten by consecutive transactions
 *     (the tail of an index, a table of cursors) written back once. The WAL file stays around
 *     that size. bench:billing writes 562 MB instead of 599 MB.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { serialSqliteDialect, type StatementSource } from './serial-driver.ts';

export const SQLITE_FILE_NAME = 'bms.sqlite';

export interface OpenedSqlite {
  db: Kysely<Database>;
  file: string;
}

export function openSqlite(dataDir: string): OpenedSqlite {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SQLITE_FILE_NAME);
  const database = new SqliteDatabase(file, { timeout: 5000 });
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('wal_autocheckpoint = 4000');
  // Refresh the planner's statistics where they are stale (cheap; SQLite's own recommendation at open).
  database.pragma('optimize = 0x10002');
  return { db: new Kysely<Database>({ dialect: serialSqliteDialect(withStatementCache(database)) }), file };
}

/**
 * Kysely prepares every query anew; preparing costs several times more than running a small
 * statement. Queries built by Kysely repeat the same SQL text with different parameters, so
 * prepared statements are kept per SQL text (bounded; better-sqlite3 statements are reusable
 * as long as one is not iterated while run again, which Kysely's driver never does).
 */
function withStatementCache(database: SqliteDatabase.Database): StatementSource {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
