/**
 * The store's contract, as one test suite that every backend must pass.
 *
 * SQLite and PostgreSQL differ in types, locking, error shapes and transaction semantics; the
 * rest of BMS must not notice. Rather than testing each backend with its own tests, we state
 * the behaviour once and run it against both (as Hono runs one suite against every router).
 * A new backend is correct when this suite passes on it.
 *
 *   defineStoreSuite('sqlite', () => openStore({ dataDir: freshTempDir() }), { reopen });
 *
 * Cases are grouped by concern in the neighbouring `*-cases.ts` files.
 */
import { describe } from 'node:test';
import type { Store } from '../store.ts';
import { defineGatewayCases } from './gateway-cases.ts';
import type { StoreHarness, StoreSuiteOptions } from './harness.ts';
import { defineIdentityCases } from './identity-cases.ts';
import { defineLifecycleCases } from './lifecycle-cases.ts';
import { defineMeteringCases } from './metering-cases.ts';
import { defineTagCases } from './tag-cases.ts';

export type { StoreSuiteOptions };

/**
 * Registers the suite under `name`. `makeStore` must open a store on a brand-new database at
 * every call; `options` unlock the cases about reopening and concurrent starts.
 */
export function defineStoreSuite(
  name: string,
  makeStore: () => Promise<Store>,
  options: StoreSuiteOptions = {},
): void {
  const harness: StoreHarness = { makeStore, ...options };
  describe(`store conformance: ${name}`, () => {
    defineLifecycleCases(harness);
    defineIdentityCases(harness);
    defineGatewayCases(harness);
    defineMeteringCases(harness);
    defineTagCases(harness);
  });
}
