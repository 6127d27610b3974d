/**
 * Billing properties over random lifecycles of many instances, driven through the real lifecycle
 * gate at random times, with the biller run at random moments in between:
 *   - every instance is charged exactly its billable seconds (first RUNNING → TERMINATING, as the
 *     test itself computes them from the events it applied, independently of the journal);
 *   - a biller run once at the end over the same history (another database) writes exactly the
 *     same records and ledger, and the month's CSV is byte-identical; running it again, even with
 *     its cursors wiped, changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createBiller } from '../src/billing/biller.ts';
import { monthCsv } from '../src/billing/csv.ts';
import { monthOf } from '../src/billing/bill-time.ts';
import { TRANSITIONS, target, type LifecycleEvent } from '../src/lifecycle/transitions.ts';
import { listLedger, listRecords } from '../src/store/repos/billing.ts';
import type { Store } from '../src/store/store.ts';
import { addAccount, addInstances, apply, flavorPrice, sqliteStore } from './support/billing-world.ts';

const T = Date.UTC(2026, 2, 1);
const EVENTS = [...new Set(TRANSITIONS.map((t) => t.event))].filter((e) => e !== 'terminate' && e !== 'terminated') as LifecycleEvent[];

const lifecycle = fc.record({
  steps: fc.array(fc.record({ dtMs: fc.integer({ min: 1, max: 3 * 86_400_000 }), pick: fc.nat() }), { maxLength: 12 }),
  returned: fc.boolean(),
  returnAfterMs: fc.integer({ min: 0, max: 5 * 86_400_000 }),
  account: fc.constantFrom('100001', '100002'),
  flavor: fc.constantFrom('f-small', 'f-big'),
});

interface Plan { at: number; id: string; event: LifecycleEvent }

function planOf(id: string, l: { steps: Array<{ dtMs: number; pick: number }>; returned: boolean; returnAfterMs: number }, start: number) {
  const plan: Plan[] = [];
  let status = 'PENDING';
  let at = start;
  let from: number | null = null;
  let until: number | null = null;
  for (const s of l.steps) {
    const legal = EVENTS.filter((e) => typeof target(status, e) === 'string');
    if (legal.length === 0) break;
    at += s.dtMs;
    const event = legal[s.pick % legal.length]!;
    status = target(status, event) as string;
    if (status === 'RUNNING' && from === null) from = at;
    plan.push({ at, id, event });
  }
  if (l.returned && typeof target(status, 'terminate') === 'string') {
    at += l.returnAfterMs;
    plan.push({ at, id, event: 'terminate' }, { at: at + 1, id, event: 'terminated' });
    until = at;
  }
  return { plan, from, until };
}

const sec = (ms: number) => Math.floor(ms / 1000) * 1000;

async function seed(store: Store, lifecycles: Array<{ account: string; flavor: string }>) {
  for (const a of ['100001', '100002']) await addAccount(store, a, T);
  await flavorPrice(store, 'f-small', 1234);
  await flavorPrice(store, 'f-big', 9999);
  await flavorPrice(store, 'f-big', 10_001, T + 4 * 86_400_000 + 777); // a price change mid-history
  await addInstances(store, lifecycles.map((l, i) => ({ id: `bms-${i}`, accountUin: l.account, flavorId: l.flavor })), T);
}

const TABLES = ['billing_ledger', 'billing_records', 'billing_cursors', 'billing_accounts', 'billing_prices', 'instance_state_history', 'instance_counts', 'instances'] as const;
async function wipe(store: Store) {
  for (const t of TABLES) await store.db.deleteFrom(t).execute();
}

let a: Awaited<ReturnType<typeof sqliteStore>>;
let b: Awaited<ReturnType<typeof sqliteStore>>;
before(async () => { a = await sqliteStore(); b = await sqliteStore(); });
after(async () => { await a.dispose(); await b.dispose(); });

describe('billing properties', () => {
  it('charged seconds = billable seconds; a late single run writes the same bytes; re-running changes nothing', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(lifecycle, { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 40 * 86_400_000 }), { maxLength: 25 }),
      fc.constantFrom(1_800_000, 3_600_000, 86_400_000),
      fc.constantFrom(0, 3_600_000),
      fc.integer({ min: 0, max: 999 }),
      async (lifecycles, ticks, periodMs, deductDelayMs, jitter) => {
        try {
          await wipe(a.store);
          await wipe(b.store);
          await seed(a.store, lifecycles);
          await seed(b.store, lifecycles);
          const plans = lifecycles.map((l, i) => planOf(`bms-${i}`, l, T + jitter + i * 37_013));
          const events = plans.flatMap((p) => p.plan).sort((x, y) => x.at - y.at);
          const end = Math.max(T, ...events.map((e) => e.at)) + 3 * periodMs + 2 * 3_600_000;
          const billerA = createBiller({ store: a.store, periodMs, deductDelayMs });
          const tickTimes = ticks.map((t) => T + t).filter((t) => t < end).sort((x, y) => x - y);
          let ti = 0;
          for (const e of events) {
            while (ti < tickTimes.length && tickTimes[ti]! < e.at) await billerA.runOnce(tickTimes[ti++]!);
            await apply(a.store, [e.id], e.event, e.at);
            await apply(b.store, [e.id], e.event, e.at);
          }
          while (ti < tickTimes.length) await billerA.runOnce(tickTimes[ti++]!);
          await billerA.runOnce(end);
          const billerB = createBiller({ store: b.store, periodMs, deductDelayMs });
          await billerB.runOnce(end);

          const all = { from: 0, to: Number.MAX_SAFE_INTEGER };
          const recordsA = await listRecords(a.store.db, all);
          plans.forEach((p, i) => {
            const charged = recordsA.filter((r) => r.resource_id === `bms-${i}`).reduce((n, r) => n + r.quantity, 0);
            let billable = 0;
            if (p.from !== null) {
              const f = sec(p.from);
              billable = p.until !== null ? (Math.max(f, sec(p.until)) - f) / 1000 : Math.floor((end - f) / periodMs) * periodMs / 1000;
            }
            assert.equal(charged, billable, `bms-${i}: charged ${charged} s, billable ${billable} s`);
          });
          assert.deepEqual(await listRecords(b.store.db, all), recordsA, 'one late run writes the same records');
          const ledgerA = await listLedger(a.store.db, all);
          assert.deepEqual(await listLedger(b.store.db, all), ledgerA, 'and the same ledger');
          assert.equal(ledgerA.length, recordsA.filter((r) => r.deduct_due_at <= end).length, 'every due record deducted once');
          assert.equal(new Set(ledgerA.map((l) => l.record_key)).size, ledgerA.length);
          const months = [...new Set(recordsA.map((r) => monthOf(r.period_start)))];
          const csvA = await Promise.all(months.map((m) => monthCsv(a.store.db, '100001', m)));
          await a.store.db.deleteFrom('billing_cursors').execute();
          const again = await billerA.runOnce(end);
          assert.deepEqual(again, { pushed: 0, deducted: 0, notified: 0 });
          assert.deepEqual(await listLedger(a.store.db, all), ledgerA);
          const csvB = await Promise.all(months.map((m) => monthCsv(b.store.db, '100001', m)));
          assert.deepEqual(csvB, csvA, 'the month\'s CSV is byte-identical');
        } finally {
          // the stores are reused by the next run (opening one costs its migrations)
        }
      },
    ), { numRuns: 30 });
  });
});
