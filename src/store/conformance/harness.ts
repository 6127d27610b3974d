/**
 * What a backend hands the conformance suite, and small helpers the cases share.
 *
 * `makeStore` must return a store on a brand-new, empty (but migrated) database each call.
 * The optional abilities unlock the cases that need more; without them those cases skip and
 * say why.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { ConflictError } from '../errors.ts';
import type { Store } from '../store.ts';

export interface StoreSuiteOptions {
  /** Opens another store on the database `store` uses (which may already be closed). */
  reopen?: (store: Store) => Promise<Store>;
  /** Opens `count` stores at the same time on one brand-new database. */
  openConcurrently?: (count: number) => Promise<Store[]>;
}

export interface StoreHarness extends StoreSuiteOptions {
  makeStore: () => Promise<Store>;
}

/** Opens a fresh store that is closed when the test ends. */
export async function freshStore(t: TestContext, h: StoreHarness): Promise<Store> {
  return closedAfter(t, await h.makeStore());
}

/** Registers `store` to be closed when the test ends; returns it. */
export function closedAfter(t: TestContext, store: Store): Store {
  t.after(() => store.close());
  return store;
}

/** Asserts that `work` rejects with a ConflictError on `table`'s `columns`. */
export async function assertConflict(work: Promise<unknown>, table: string, columns: string[]): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof ConflictError, `expected ConflictError, got ${String(error)}`);
    assert.equal(error.table, table);
    assert.deepEqual(error.columns, columns);
    return true;
  });
}
