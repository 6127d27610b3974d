/**
 * The store port: what the rest of BMS holds once the database is open.
 *
 * A `Store` is a Kysely handle plus the two things a caller cannot do with the handle alone:
 * run several statements atomically (`transaction`) and let go of connections (`close`). The
 * repositories in `repos/` take a plain `Kysely<Database>`, so the same function works on
 * `store.db` or on the `tx` handed to a transaction callback.
 *
 * Inside `transaction(fn)`, use only `tx`. On SQLite there is a single connection, so a query
 * on `store.db` from inside the callback waits for the transaction to end — which it never
 * does. On PostgreSQL it would silently run outside the transaction.
 */
import type { Kysely } from 'kysely';
import type { ChangeFeed } from './changes.ts';
import type { Database } from './schema.ts';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * What a repository function runs on: `store.db`, or the `tx` a transaction hands its callback.
 * Callers outside src/store pass it along; only repositories build queries on it.
 */
export type Tx = Kysely<Database>;

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Committed changes announced with `announce` (changes.ts), from this process or — on PostgreSQL — any. */
  readonly changes: ChangeFeed;
  /** Closes every connection (calling it again is harmless). The store is unusable afterwards. */
  close(): Promise<void>;
}

/** The minimal logger the store writes to (pino's signature, so a pino logger fits). */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
}
