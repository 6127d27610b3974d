/**
 * How PostgreSQL values become JavaScript values in this store.
 *
 * pg returns BIGINT (int8) as a *string* by default, because an int8 can exceed JavaScript's
 * safe-integer range (2^53 - 1). Our BIGINT columns hold epoch milliseconds and Tencent ids
 * such as AppId 1300000000123 — far above 2^31, far below 2^53 — so we parse them into numbers,
 * matching what better-sqlite3 returns for SQLite INTEGER. A value beyond 2^53 fails the
 * query with a RangeError instead of silently losing digits. `count(*)` is int8 too, so counts
 * come back as numbers as well.
 *
 * The parser is installed per pool (the `types` option), not globally with
 * `pg.types.setTypeParser`, so other pg users in the same process are unaffected.
 */
import pg from 'pg';

const INT8_OID = pg.types.builtins.INT8;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`BIGINT value ${text} is outside JavaScript's safe integer range`);
  }
  return value;
}

function getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format);
}

/** The `types` option for a pg Pool. */
export const storeTypes = { getTypeParser } as pg.CustomTypesConfig;
