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

  /**
   * `BEGIN IMMEDIATE`: the write lock is taken when the transaction begins, where SQLite waits
   * for it (busy_timeout) while another process writes. A plain BEGIN starts as a reader, and a
   * reader that then writes after another process committed cannot wait: SQLITE_BUSY at once
   * ("database is locked"). Within this process transactions run one at a time anyway.
   */
  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
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

type Statement = ReturnType<StatementSource['prepare']>;
type RowMaker = (values: unknown[]) => Record<string, unknown>;

const rowMakers = new WeakMap<Statement, RowMaker>();

/**
 * Rows as objects, built here rather than by better-sqlite3. Its own row objects cost ~4 µs
 * each for a 23-column instance (a 100-row page: 690 µs); fetched as arrays (`raw` mode) and
 * turned into objects by a function compiled once per statement — an object literal with the
 * statement's column names, so every row has one shape — the same page takes ~280 µs. A column
 * name repeated in the select list keeps its last value, as better-sqlite3 does.
 */
function rowMaker(statement: Statement): RowMaker {
  let make = rowMakers.get(statement);
  if (!make) {
    const names = statement.columns().map((c) => c.name);
    const fields = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
    make = new Function('v', `return { ${fields} };`) as RowMaker;
    statement.raw(true);
    rowMakers.set(statement, make);
  }
  return make;
}

class SqliteConnection implements DatabaseConnection {
  readonly #database: StatementSource;

  constructor(database: StatementSource) {
    this.#database = database;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#database.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) {
      const toRow = rowMaker(statement);
      const rows = (statement.all(parameters) as unknown[][]).map(toRow) as R[];
      return Promise.resolve({ rows });
    }
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}
