/**
 * Reading a PostgreSQL connection URL: `postgres://user:pass@host:5432/db?schema=NAME`.
 *
 * Three things happen here rather than in pg:
 *   - `?schema=NAME` is ours, not libpq's. It names the schema every pooled connection works
 *     in (its `search_path`), which is how tests — or several BMS installations — share one
 *     database without seeing each other's tables. It is removed before pg sees the URL.
 *   - A URL without a user name falls back to `PGUSER`, then to the operating-system user, as
 *     libpq (psql) does. pg itself falls back only to the `USER` environment variable, and fails
 *     with "no PostgreSQL user name specified in startup packet" when that is unset (as in many
 *     containers and service managers).
 *   - `redactUrl` gives the form that is safe to log or show: the password replaced by `***`.
 */
import { userInfo } from 'node:os';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface PostgresUrl {
  /** The URL for pg: without `schema`, with a user name. */
  connectionString: string;
  /** The schema named by `?schema=`, if any. */
  schema: string | undefined;
  /** The URL with its password hidden. */
  safeUrl: string;
}

export function parsePostgresUrl(databaseUrl: string): PostgresUrl {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`Invalid schema name in database URL: ${JSON.stringify(schema)}`);
  }
  if (url.username === '' && !process.env['PGUSER']) url.username = osUser();
  return { connectionString: url.toString(), schema, safeUrl: redactUrl(databaseUrl) };
}

/** The URL with any password replaced by `***`; unparsable input yields only its scheme. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return `${urlScheme(databaseUrl) ?? '(unparsable)'}://…`;
  }
}

/** The scheme of a URL-like string (`postgres`, `mysql`, …), lower-cased, or undefined. */
export function urlScheme(databaseUrl: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(databaseUrl)?.[1]?.toLowerCase();
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
