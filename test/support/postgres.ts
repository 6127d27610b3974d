/**
 * Test support: the PostgreSQL that tests run against, one fresh schema per use.
 *
 * `BMS_TEST_DATABASE_URL` (default postgres://127.0.0.1:5432/test). When the server cannot be
 * reached, PostgreSQL tests are skipped with the reason — except under CI (env CI set), where
 * they fail, because CI must exercise PostgreSQL for real.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { parsePostgresUrl, redactUrl } from '../../src/store/postgres/database-url.ts';

export const PG_URL = process.env['BMS_TEST_DATABASE_URL'] || 'postgres://127.0.0.1:5432/test';
export const PG_SAFE_URL = redactUrl(PG_URL);

/** undefined if PostgreSQL answers at `url`, else why not (three tries: a loaded machine is slow to accept). */
export async function probePostgres(url = PG_URL): Promise<string | undefined> {
  let why: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    why = await probeOnce(url);
    if (why === undefined) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return why;
}

async function probeOnce(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Hands out URLs of fresh schemas and drops them all when the test file ends. */
export function schemaFactory(): () => string {
  const schemas: string[] = [];
  after(() => dropSchemas(schemas));
  return () => {
    const schema = `bms_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
}

async function dropSchemas(schemas: string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: parsePostgresUrl(PG_URL).connectionString });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Runs `define` when PostgreSQL is reachable; otherwise registers one test named `name` that
 * fails under CI and is skipped, with the reason, elsewhere.
 */
export async function withPostgres(name: string, define: () => void): Promise<void> {
  const unreachable = await probePostgres();
  if (unreachable === undefined) define();
  else if (process.env['CI']) test(name, () => assert.fail(`PostgreSQL not reachable at ${PG_SAFE_URL}: ${unreachable} (CI must test PostgreSQL)`));
  else test(name, (t) => t.skip(`PostgreSQL not reachable at ${PG_SAFE_URL}: ${unreachable}`));
}
