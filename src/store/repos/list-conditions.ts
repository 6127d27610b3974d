/**
 * Listing conditions, as the Describe* repositories take them: a column equals one of
 * `values` — or, with `contains`, holds one of them as a case-insensitive substring (Tencent's
 * "fuzzy" name filters). Values of one condition are OR-ed, conditions AND-ed.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';

export interface ListCondition<Column extends string> {
  column: Column;
  values: ReadonlyArray<string | number>;
  contains?: boolean;
}

/**
 * One SQL expression per condition, over `table`'s columns — or undefined when a condition has
 * no values, so nothing can match (the caller answers an empty page without a query).
 */
export function conditionsOn(table: string, conditions: ReadonlyArray<ListCondition<string>>): Array<RawBuilder<SqlBool>> | undefined {
  const expressions: Array<RawBuilder<SqlBool>> = [];
  for (const c of conditions) {
    if (c.values.length === 0) return undefined;
    const column = `${table}.${c.column}`;
    expressions.push(c.contains
      ? sql<SqlBool>`(${sql.join(c.values.map((v) => containsIgnoringCase(column, String(v))), sql` or `)})`
      : sql<SqlBool>`${sql.ref(column)} in (${sql.join(c.values)})`);
  }
  return expressions;
}

/**
 * `column` holds `value` as a substring, ignoring case — the same on SQLite (whose LIKE ignores
 * ASCII case) and PostgreSQL (whose LIKE does not), with LIKE's wildcards in `value` escaped.
 */
export function containsIgnoringCase(column: string, value: string): RawBuilder<SqlBool> {
  const escaped = value.toLowerCase().replace(/[!%_]/g, (ch) => `!${ch}`);
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '!'`;
}
