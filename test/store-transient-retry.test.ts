/**
 * store.transaction on PostgreSQL survives being chosen as a deadlock victim: two transactions
 * that lock the same two rows in opposite orders deadlock for real; PostgreSQL aborts one
 * (40P01), the store runs it again, and both end committed. Errors that are not transient are
 * not retried.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isTransientConflict } from '../src/store/errors.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';

describe('transient conflicts', () => {
  it('are recognised by SQLSTATE only', () => {
    assert.equal(isTransientConflict({ code: '40P01' }), true);
    assert.equal(isTransientConflict({ code: '40001' }), true);
    assert.equal(isTransientConflict({ code: '23505' }), false);
    assert.equal(isTransientConflict(new Error('deadlock detected')), false);
  });
});

const dataDir = mkdtempSync(join(tmpdir(), 'bms-retry-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const freshSchemaUrl = schemaFactory();

await withPostgres('store transaction retry on PostgreSQL', () => {
  describe('store.transaction on PostgreSQL', () => {
    let store: Store;
    after(async () => store?.close());

    it('runs a deadlock victim again: both transactions commit', async () => {
      store = await openStore({ dataDir, databaseUrl: freshSchemaUrl() });
      await store.db.insertInto('regions').values([
        { region: 'xx-a', name: 'A', name_en: 'A', state: 'AVAILABLE' },
        { region: 'xx-b', name: 'B', name_en: 'B', state: 'AVAILABLE' },
      ]).execute();
      let attempts = 0;
      let bothHoldOne!: () => void;
      const firstLocks = new Promise<void>((r) => (bothHoldOne = r));
      let held = 0;
      const lockInOrder = (first: string, second: string, tag: string) => store.transaction(async (tx) => {
        attempts += 1;
        await tx.updateTable('regions').set({ name: tag }).where('region', '=', first).execute();
        if (++held === 2) bothHoldOne();
        await firstLocks; // each holds one row and now wants the other's: a deadlock
        await tx.updateTable('regions').set({ name: tag }).where('region', '=', second).execute();
        return tag;
      });
      const results = await Promise.all([lockInOrder('xx-a', 'xx-b', 'one'), lockInOrder('xx-b', 'xx-a', 'two')]);
      assert.deepEqual(results, ['one', 'two']);
      assert.ok(attempts >= 3, `one of them ran again (attempts: ${attempts})`);
      const names = (await store.db.selectFrom('regions').select('name').where('region', 'in', ['xx-a', 'xx-b']).execute()).map((r) => r.name);
      assert.equal(new Set(names).size, 1, 'the transaction that ran last wrote both rows');
    });

    it('does not run other failures again', async () => {
      let attempts = 0;
      await assert.rejects(store.transaction(async (tx) => {
        attempts += 1;
        await tx.insertInto('regions').values({ region: 'xx-a', name: 'dup', name_en: 'dup', state: 'AVAILABLE' }).execute();
      }), (e: { code?: string }) => e.code === '23505');
      assert.equal(attempts, 1);
    });
  });
});
