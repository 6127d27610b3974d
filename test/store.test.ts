/**
 * Runs the store conformance suite on both backends, plus the few checks that only make sense
 * for one of them (SQLite pragmas, URL validation).
 *
 * SQLite: every store gets a fresh temporary folder. PostgreSQL: every store gets a fresh
 * schema `bms_test_<random>` in the database at BMS_TEST_DATABASE_URL (default
 * postgres://127.0.0.1:5432/test); the schemas are dropped when the file's tests end. If that
 * server cannot be reached, the PostgreSQL tests are skipped with the reason — except under CI
 * (env CI set), where they fail, because CI must exercise PostgreSQL for real.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { defineStoreSuite } from '../src/store/conformance/store-suite.ts';
import { openStore, type OpenStoreOptions, type Store } from '../src/store/index.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { MIGRATIONS } from '../src/store/migrations/migrate.ts';


/** A suite harness over `fresh`, which yields options for a brand-new database. */
function harness(fresh: () => Promise<OpenStoreOptions>) {
  const optionsOf = new WeakMap<Store, OpenStoreOptions>();
  const open = async (options: OpenStoreOptions) => {
    const store = await openStore(options);
    optionsOf.set(store, options);
    return store;
  };
  return {
    makeStore: async () => open(await fresh()),
    options: {
      reopen: (store: Store) => open(optionsOf.get(store)!),
      openConcurrently: async (count: number) => {
        const options = await fresh();
        const settled = await Promise.allSettled(Array.from({ length: count }, () => open(options)));
        const opened = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const failure = settled.find((r) => r.status === 'rejected');
        if (failure) {
          await Promise.all(opened.map((s) => s.close()));
          throw failure.reason;
        }
        return opened;
      },
    },
  };
}

// ---- SQLite ----------------------------------------------------------------------------------

const tempDirs: string[] = [];
async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bms-store-'));
  tempDirs.push(dir);
  return dir;
}
after(() => Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true }))));

const sqlite = harness(async () => ({ dataDir: await freshDataDir() }));
defineStoreSuite('sqlite', sqlite.makeStore, sqlite.options);

describe('openStore on SQLite', () => {
  test('creates <dataDir>/bms.sqlite with the required pragmas, and logs', async () => {
    const dataDir = join(await freshDataDir(), 'nested', 'data');
    const logged: string[] = [];
    const store = await openStore({ dataDir, logger: { info: (_obj, msg) => logged.push(msg ?? '') } });
    try {
      assert.equal(store.dialect, 'sqlite');
      const pragma = async (name: string) =>
        Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0] ?? {})[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('synchronous'), 1, 'NORMAL');
      const { rows } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(store.db);
      assert.equal(rows[0]?.file, join(dataDir, 'bms.sqlite'));
      assert.equal(logged.filter((m) => m === 'database migration').length, Object.keys(MIGRATIONS).length);
      assert.ok(logged.includes('store opened'));
    } finally {
      await store.close();
    }
  });
});

describe('openStore URL handling', () => {
  test('rejects other URL schemes by name, without echoing the password', async () => {
    await assert.rejects(
      openStore({ dataDir: tmpdir(), databaseUrl: 'mysql://bms:hunter2@db.example:3306/bms' }),
      (error: Error) => {
        assert.match(error.message, /"mysql"/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  });
});

// ---- PostgreSQL ------------------------------------------------------------------------------

const freshSchemaUrl = schemaFactory();
await withPostgres('store conformance: postgres', () => {
  const postgres = harness(async () => ({ dataDir: tmpdir(), databaseUrl: freshSchemaUrl() }));
  defineStoreSuite('postgres', postgres.makeStore, postgres.options);
});
