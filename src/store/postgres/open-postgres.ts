/**
 * Opening the PostgreSQL backend: a pg connection pool wrapped by Kysely.
 *
 * Every pooled connection starts with the same settings: BIGINT parsed as number
 * (`pg-types.ts`) and, when the URL carries `?schema=NAME`, `search_path` set to that schema
 * through the startup `options` parameter — so it holds from the first query on every
 * connection, with no per-checkout SET. The schema is created if missing.
 *
 * The pool reports errors on *idle* connections (say, the server restarted) as an 'error'
 * event; with no listener Node would crash the process, so we log them instead — the next
 * query simply gets a fresh connection.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.ts';
import type { StoreLogger } from '../store.ts';
import { parsePostgresUrl } from './database-url.ts';
import { storeTypes } from './pg-types.ts';

/** SQLSTATEs a racing `CREATE SCHEMA IF NOT EXISTS` can still raise. */
const SCHEMA_ALREADY_EXISTS = new Set(['23505', '42P06']);

export interface OpenedPostgres {
  db: Kysely<Database>;
  /** The schema tables live in (the `?schema=` one, else the server's current schema). */
  schema: string;
  /** The URL with its password hidden, for logs. */
  safeUrl: string;
  /** For connections of our own beside the pool (the change feed's LISTEN). */
  connectionString: string;
}

export async function openPostgres(databaseUrl: string, logger?: StoreLogger): Promise<OpenedPostgres> {
  const { connectionString, schema, safeUrl } = parsePostgresUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString,
    types: storeTypes,
    ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdent(schema)}` }),
  });
  pool.on('error', (err) => logger?.info({ err, url: safeUrl }, 'idle PostgreSQL connection failed'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema !== undefined) await createSchema(db, schema);
    return { db, schema: await currentSchema(db, safeUrl), safeUrl, connectionString };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !SCHEMA_ALREADY_EXISTS.has(code)) throw error;
  }
}

async function currentSchema(db: Kysely<Database>, safeUrl: string): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error(`No schema on the search_path of ${safeUrl} exists`);
  return schema;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
