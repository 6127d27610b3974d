/**
 * Chunked statements — multi-row INSERTs, `where key in (…)` — compiled once per shape, run many times.
 *
 * Kysely builds an operation tree for every value of every row and compiles it to SQL anew on
 * each execute; for a 500-row chunk of 17 columns that is most of what the statement costs on
 * the JavaScript side (bench:billing spent longer parsing and compiling its inserts than SQLite
 * spent running them). The SQL text of such an insert depends only on the statement's shape —
 * the dialect and its plugins, the table, the columns, the conflict clause and the row count —
 * while its parameters are the rows' values, row by row, column by column (or, for `in (…)`, the
 * keys).
 *
 * So the first chunk of a given row count is compiled by Kysely as usual, and its parameters are
 * checked to be exactly the rows' values in that order; when they are, the SQL text is kept and
 * later chunks of that count run it with their own values. When they are not (a plugin that
 * rewrites values, a column missing from some rows), nothing is kept and every chunk is compiled
 * by Kysely. The key of a shape is the SQL Kysely compiles for the chunk's first row alone, which
 * names the dialect, the schema, the table, the columns and the clauses; that one-row query (its
 * operation node and query id, which plugins have seen) is what the statement runs as.
 */
import type { Compilable } from 'kysely';
import type { Tx } from '../store.ts';

/** SQL text by row count, per one-row SQL text; `null`: this shape is compiled by Kysely every time. */
const compiled = new Map<string, Map<number, string | null>>();

/**
 * Runs `build(rows)` — an insert of `rows`, each with the same columns in the same order — with
 * the SQL compiled once for this shape and row count, and returns what it returns.
 */
export function executeInsert<Row extends object, Out>(db: Tx, rows: readonly Row[], build: (rows: readonly Row[]) => Compilable<Out>): Promise<Out[]> {
  return executeShaped(db, rows, build, valuesOf(rows));
}

/** Runs `build(keys)` — a statement whose only parameters are `keys`, in order (`where k in (…)`) — idem. */
export function executeWithKeys<Out>(db: Tx, keys: readonly string[], build: (keys: readonly string[]) => Compilable<Out>): Promise<Out[]> {
  return executeShaped(db, keys, build, keys);
}

async function executeShaped<T, Out>(db: Tx, items: readonly T[], build: (items: readonly T[]) => Compilable<Out>, values: readonly unknown[] | undefined): Promise<Out[]> {
  if (items.length === 0) return [];
  const first = build(items.slice(0, 1)).compile();
  const shape = first.sql;
  let byCount = compiled.get(shape);
  if (!byCount) {
    if (compiled.size >= 200) compiled.clear();
    byCount = new Map();
    compiled.set(shape, byCount);
  }
  const known = byCount.get(items.length);
  // The one-item query's node and id go along, so plugins see the statement for what it is (an insert into its table…).
  if (known && values) return (await db.executeQuery<Out>({ ...first, sql: known, parameters: values })).rows;
  const query = build(items).compile();
  if (known === undefined && values) byCount.set(items.length, sameValues(query.parameters, values) ? query.sql : null);
  return (await db.executeQuery(query)).rows;
}

/** The rows' values, row by row in the first row's column order; undefined unless every row has exactly those columns, none undefined. */
function valuesOf(rows: readonly object[]): unknown[] | undefined {
  const columns = Object.keys(rows[0] ?? {});
  const out: unknown[] = [];
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    if (Object.keys(r).length !== columns.length) return undefined;
    for (const c of columns) {
      const v = r[c];
      if (v === undefined) return undefined;
      out.push(v);
    }
  }
  return out;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
