/**
 * The SQLite dialect with a first-come, first-served connection queue.
 *
 * SQLite in this process is one better-sqlite3 connection; every query and every transaction
 * takes it in turn. Kysely's own SqliteDriver guards it with a mutex whose waiters all await
 * one shared promise: each release wakes every waiter, one wins and the others go back to
 * sleep. With n requests queued that is n wake-ups per query — O(n²) microtasks for a burst —
 * and since microtasks run before the event loop polls again, a burst of 32 concurrent
 * DescribeInstances spent most of its time waking waiters and stalled accept() meanwhile.
 *
 * Here waiters form a queue and a release hands the connection to exactly the oldest one:
 * one wake-up per query, and strict arrival order (a transaction waiting behind reads is not
 * overtaken by later reads). Statements and transactions run as with Kysely's driver (this code
 * uses no savepoints and no streaming, so neither is offered).
 */
import type { Database as BetterSqlite } from 'better-sqlite3';
import {
  CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings,
} from 'kysely';

/** What the driver needs of a database: statements by SQL text (better-sqlite3, or a cache in front of it). */
export interface StatementSource {
  prepare(sql: string): ReturnType<BetterSqlite['prepare']>;
  close(): void;
}

export function serialSqliteDialect(database: StatementSource): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SerialSqliteDriver(database),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}

class SerialSqliteDriver implements Driver {
  readonly #connection: SqliteConnection;
  readonly #database: StatementSource;
  /** Waiting acquirers, oldest first; `#busy` while one holds the connection. */
  readonly #waiting: Array<(connection: DatabaseConnection) => void> = [];
  #busy = false;

  constructor(database: StatementSource) {
    this.#database = database;
    this.#connection = new SqliteConnection(database);
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve(this.#connection);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  releaseConnection(): Promise<void> {
    const next = this.#waiting.shift();
    if (next) next(this.#connection); // handed over: stays busy
    else this.#busy = false;
    return Promise.resolve();
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.#database.close();
  }
}

class SqliteConnection implements DatabaseConnection {
  readonly #database: StatementSource;

  constructor(database: StatementSource) {
    this.#database = database;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#database.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}
