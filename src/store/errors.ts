/**
 * Errors the store raises, translated from the database's own.
 *
 * A driver error is a foreign error: its shape differs between better-sqlite3 and pg, and
 * letting it escape would make every caller know both. The store therefore translates, at the
 * point where the error enters (the repository call), into errors that name what happened in
 * our terms. Today there is one: `ConflictError`, a unique or primary-key constraint refused a
 * row because another row already holds that value.
 *
 * What happened is decided by the drivers' error *codes* — SQLite's extended result codes
 * `SQLITE_CONSTRAINT_UNIQUE` / `SQLITE_CONSTRAINT_PRIMARYKEY`, PostgreSQL's SQLSTATE `23505` —
 * never by matching message text. Only *which* columns clashed is read from the text the
 * drivers provide for that purpose (SQLite's message, PostgreSQL's `detail`), because neither
 * exposes it otherwise; if that text ever changes shape, `columns` comes back empty and the
 * error is still a ConflictError.
 */

const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE_VIOLATION = '23505';

/** A row was refused because another row already holds the same unique value. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';

  constructor(
    /** The table whose constraint refused the row, when the driver says. */
    readonly table: string | undefined,
    /** The constrained columns, e.g. `['app_id']` or `['account_uin', 'name']`. */
    readonly columns: readonly string[],
    /** The constraint's name (PostgreSQL only; SQLite does not report it). */
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    const where = `${table ?? '?'}(${columns.join(', ')})`;
    super(`unique constraint violated on ${where}`, options);
  }
}

interface DriverError {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

/** The ConflictError that `error` stands for, or undefined if it is something else. */
export function asConflict(error: unknown): ConflictError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as DriverError;
  if (typeof e.code !== 'string') return undefined;
  if (SQLITE_UNIQUE_CODES.has(e.code)) return fromSqlite(e, error);
  if (e.code === PG_UNIQUE_VIOLATION) return fromPostgres(e, error);
  return undefined;
}

const FOREIGN_KEY_CODES = new Set(['SQLITE_CONSTRAINT_FOREIGNKEY', '23503']);

/** Whether a driver error says a foreign key refused the statement (decided by code, never by message). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && FOREIGN_KEY_CODES.has(code);
}

/**
 * PostgreSQL aborted the transaction to break a deadlock (40P01) or because it could not be
 * serialized (40001): nothing of it happened, and running it again is the documented remedy.
 */
const TRANSIENT_CODES = new Set(['40P01', '40001']);

export function isTransientConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** Awaits `work`, rethrowing unique violations as ConflictError and anything else unchanged. */
export async function translatingConflicts<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw asConflict(error) ?? error;
  }
}

/** SQLite says "UNIQUE constraint failed: users.account_uin, users.name". */
function fromSqlite(e: DriverError, cause: unknown): ConflictError {
  const text = typeof e.message === 'string' ? e.message : '';
  const list = text.slice(text.lastIndexOf(':') + 1).trim();
  const qualified = list ? list.split(',').map((c) => c.trim()) : [];
  const table = qualified[0]?.split('.')[0];
  const columns = qualified.map((c) => c.slice(c.indexOf('.') + 1));
  return new ConflictError(table, columns, undefined, { cause });
}

/** PostgreSQL says detail "Key (account_uin, name)=(a, b) already exists." */
function fromPostgres(e: DriverError, cause: unknown): ConflictError {
  const detail = typeof e.detail === 'string' ? e.detail : '';
  const list = /^Key \(([^)]*)\)=/.exec(detail)?.[1];
  const columns = list ? list.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : [];
  const table = typeof e.table === 'string' ? e.table : undefined;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  return new ConflictError(table, columns, constraint, { cause });
}
