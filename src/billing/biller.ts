/**
 * The biller: pushes due usage records and makes due deductions — idempotently.
 *
 * One `runOnce(now)` does three passes, each safe to interrupt anywhere and to run in several
 * processes at once:
 *   1. instances — every billable span in the lifecycle journal that may have a period due (read
 *      with its cursor by spansToPush, src/store/repos/billing.ts) yields its due periods
 *      (src/billing/rating.ts); each becomes a record keyed
 *      `bms:<period start>:<instance>`, pushed at the period's end, deduction due a delay later;
 *   2. EIP traffic — each EIP's metered hours (eip_traffic_hours) summed per period of the same
 *      length, anchored at the epoch, pushed once the period's last hour is settled (an hour after
 *      it closed), keyed `eip:<period start>:<eip>`, as its own product line;
 *   3. deductions — every record whose deduction is due becomes one ledger row keyed
 *      `deduct:<record key>`, and the account's balance moves in that same transaction.
 * Records and deductions are dated by their schedule (period end, due time), not by when a
 * process got round to them, so a biller that was down catches up and writes exactly the rows it
 * would have written on time — re-running it over the same history writes nothing new.
 */
import { HOUR_MS } from '../store/repos/eip-traffic.ts';
import * as bills from '../store/repos/billing.ts';
import type { Store, Tx } from '../store/store.ts';
import { formatCents, parseCents } from './money.ts';
import { duePeriods, instanceAmount, priceAt, trafficAmount } from './rating.ts';

export interface BillerOptions {
  store: Store;
  /** BMS_BILLING_PUSH_PERIOD_S in ms. */
  periodMs: number;
  /** BMS_BILLING_DEDUCT_DELAY_S in ms. */
  deductDelayMs: number;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /**
   * Records (or deductions) per transaction; 5000 by default. Each push transaction rewrites the
   * cursor rows of its instances, which are spread over the whole cursor table, and the tail pages
   * of every index it appends to: fewer, larger transactions write fewer pages (bench:billing,
   * ~2,300 records a run: 711 MB written with 2000, 599 MB with 5000). A transaction of 5000 holds
   * SQLite's write lock for roughly 0.1–0.3 s.
   */
  batch?: number;
}

export interface BillingRun { pushed: number; deducted: number; notified: number }

export interface Biller {
  runOnce(now: number): Promise<BillingRun>;
  pushInstances(now: number): Promise<number>;
  pushTraffic(now: number): Promise<number>;
  deduct(now: number): Promise<{ deducted: number; notified: number }>;
}

export function createBiller(o: BillerOptions): Biller {
  const batch = o.batch ?? 5000;
  const biller: Biller = {
    async runOnce(now) {
      const pushed = (await biller.pushInstances(now)) + (await biller.pushTraffic(now));
      const { deducted, notified } = await biller.deduct(now);
      if (pushed + deducted > 0) o.logger?.info({ pushed, deducted, notified }, 'billing run');
      return { pushed, deducted, notified };
    },
    pushInstances: (now) => pushInstances(o, now, batch),
    pushTraffic: (now) => pushTraffic(o, now),
    deduct: (now) => deduct(o, now, batch),
  };
  return biller;
}

async function pushInstances(o: BillerOptions, now: number, batch: number): Promise<number> {
  const db = o.store.db;
  const due: Array<{ instanceId: string; accountUin: string; pushedUntil: number; periods: ReturnType<typeof duePeriods> }> = [];
  for (const span of await bills.spansToPush(db, now - o.periodMs)) {
    const d = duePeriods(span, span.pushedUntil, now, o.periodMs);
    if (d.periods.length > 0 || (d.closed && span.pushedUntil !== null)) due.push({ instanceId: span.instanceId, accountUin: span.accountUin, pushedUntil: span.pushedUntil ?? span.from, periods: d });
  }
  if (due.length === 0) return 0;
  const ctx = await ratingContext(db, due.map((d) => d.instanceId));
  let written = 0;
  let records: bills.BillingRecordRow[] = [];
  let cursorRows: Array<{ resourceId: string; pushedUntil: number; closed: boolean }> = [];
  const flush = async () => {
    const accounts = [...new Set(records.map((r) => r.account_uin))];
    const [rs, cs] = [records, cursorRows];
    records = [];
    cursorRows = [];
    written += await o.store.transaction(async (tx) => {
      await bills.ensureBillingAccounts(tx, accounts, now);
      const inserted = await bills.insertRecords(tx, rs);
      await bills.upsertCursors(tx, cs);
      return inserted.length;
    });
  };
  for (const d of due) {
    const inst = ctx.instances.get(d.instanceId);
    if (!inst) continue;
    const history = ctx.prices.get(`flavor:${inst.flavorId}`) ?? [{ from: 0, cents: ctx.flavorPrice.get(inst.flavorId) ?? 0 }];
    for (const p of d.periods.periods) {
      const seconds = (p.end - p.start) / 1000;
      const unit = priceAt(history, p.start) ?? history[0]!.cents;
      records.push({
        record_key: recordKey('bms', p.start, d.instanceId), account_uin: d.accountUin, product: 'bms', resource_id: d.instanceId,
        resource_name: inst.name, sub_product: inst.flavorId, region: ctx.regionOf.get(inst.zone) ?? '', zone: inst.zone,
        period_start: p.start, period_end: p.end, quantity: seconds, unit_price_cents: unit, amount_cents: instanceAmount(seconds, unit),
        final: p.final ? 1 : 0, pushed_at: p.end, deduct_due_at: p.end + o.deductDelayMs, deducted_at: null,
      });
    }
    const last = d.periods.periods.at(-1);
    cursorRows.push({ resourceId: `bms:${d.instanceId}`, pushedUntil: last?.end ?? d.pushedUntil, closed: d.periods.closed });
    if (records.length >= batch) await flush();
  }
  if (records.length > 0 || cursorRows.length > 0) await flush();
  return written;
}

/**
 * A usage record's key: `<product>:<period start>:<resource>`. Period first, so the records a run
 * pushes (and their deductions, keyed `deduct:<record key>`) land at the end of the key index,
 * where SQLite appends to a few pages, rather than scattered over every resource's corner of it
 * (resource first, each run rewrote pages all over the index: most of bench:billing's time went
 * to writing them to the WAL).
 */
export function recordKey(product: 'bms' | 'eip', periodStart: number, resourceId: string): string {
  return `${product}:${String(periodStart).padStart(13, '0')}:${resourceId}`;
}

interface RatingContext {
  instances: Map<string, { name: string; flavorId: string; zone: string }>;
  regionOf: Map<string, string>;
  prices: Map<string, Array<{ from: number; cents: number }>>;
  flavorPrice: Map<string, number>;
}

async function ratingContext(db: Tx, instanceIds: string[]): Promise<RatingContext> {
  const { regionOf, flavorHourlyPrice } = await bills.ratingCatalogue(db);
  return {
    instances: await bills.instancesToRate(db, instanceIds),
    regionOf,
    prices: await bills.loadPrices(db),
    flavorPrice: new Map([...flavorHourlyPrice].map(([id, price]) => [id, parseCents(price)])),
  };
}

async function pushTraffic(o: BillerOptions, now: number): Promise<number> {
  const db = o.store.db;
  const dueEnd = Math.floor((now - HOUR_MS) / o.periodMs) * o.periodMs;
  const eips = await bills.trafficFirstHours(db);
  if (eips.length === 0) return 0;
  const cursors = await bills.loadCursors(db, 'eip:');
  let from = Number.POSITIVE_INFINITY;
  for (const e of eips) from = Math.min(from, cursors.get(`eip:${e.eipId}`)?.pushedUntil ?? e.first);
  if (!(from < dueEnd)) return 0;
  const prices = await bills.loadPrices(db);
  const rows = (await bills.trafficByPeriod(db, from - (from % o.periodMs), dueEnd, o.periodMs))
    .filter((r) => r.periodStart >= (cursors.get(`eip:${r.eipId}`)?.pushedUntil ?? 0));
  const records: bills.BillingRecordRow[] = rows.map((r) => {
    const unit = priceAt(prices.get(`traffic:${r.isp}`) ?? [], r.periodStart) ?? 0;
    const pushedAt = r.periodStart + o.periodMs + HOUR_MS;
    return {
      record_key: recordKey('eip', r.periodStart, r.eipId), account_uin: r.accountUin, product: 'eip', resource_id: r.eipId, resource_name: r.address,
      sub_product: r.isp, region: r.region, zone: '', period_start: r.periodStart, period_end: r.periodStart + o.periodMs, quantity: r.bytes,
      unit_price_cents: unit, amount_cents: trafficAmount(r.bytes, unit), final: 0, pushed_at: pushedAt,
      deduct_due_at: pushedAt + o.deductDelayMs, deducted_at: null,
    };
  });
  const cursorRows = eips.map((e) => ({ resourceId: `eip:${e.eipId}`, pushedUntil: dueEnd, closed: false }));
  return o.store.transaction(async (tx) => {
    await bills.ensureBillingAccounts(tx, [...new Set(records.map((r) => r.account_uin))], now);
    const inserted = await bills.insertRecords(tx, records);
    await bills.upsertCursors(tx, cursorRows);
    return inserted.length;
  });
}

async function deduct(o: BillerOptions, now: number, batch: number): Promise<{ deducted: number; notified: number }> {
  let deducted = 0;
  let notified = 0;
  for (;;) {
    const r = await o.store.transaction((tx) => deductBatch(o, tx, now, batch));
    deducted += r.deducted;
    notified += r.notified;
    if (r.candidates < batch) break;
  }
  return { deducted, notified };
}

/**
 * Up to `batch` due deductions, in one transaction. On SQLite the transaction holds the
 * database's write lock from its start (BEGIN IMMEDIATE), so the records it reads are the ones
 * it deducts. On PostgreSQL it locks the rows of their accounts, then reads them again under
 * those locks: another process may have deducted some meanwhile.
 */
async function deductBatch(o: BillerOptions, tx: Tx, now: number, batch: number) {
  const candidates = await bills.dueDeductions(tx, now, batch);
  if (candidates.length === 0) return { deducted: 0, notified: 0, candidates: 0 };
  const postgres = o.store.dialect === 'postgres';
  const uins = [...new Set(candidates.map((c) => c.account_uin))];
  await bills.ensureBillingAccounts(tx, uins, now);
  const accounts = await bills.getBillingAccounts(tx, uins, postgres);
  const records = postgres ? await bills.dueDeductions(tx, now, candidates.length, candidates.map((c) => c.record_key)) : candidates;
  const balance = new Map([...accounts].map(([u, a]) => [u, a.balanceCents]));
  // The deduction that takes an armed account below its warning is the one the notification is
  // dated by (and whose balance it shows) — the same whichever batch or process made it.
  const crossedAt = new Map<string, { at: number; balanceCents: number }>();
  const rows: bills.LedgerRow[] = records.map((r) => {
    const after = balance.get(r.account_uin)! - r.amount_cents;
    balance.set(r.account_uin, after);
    const a = accounts.get(r.account_uin)!;
    if (a.warnStatus === 1 && a.warnedAt === null && after < a.warnThresholdCents && !crossedAt.has(r.account_uin)) crossedAt.set(r.account_uin, { at: r.deduct_due_at, balanceCents: after });
    return {
      entry_key: `deduct:${r.record_key}`, account_uin: r.account_uin, kind: 'deduct', amount_cents: -r.amount_cents, balance_after_cents: after,
      record_key: r.record_key, remark: `${r.product} ${r.resource_id} ${new Date(r.period_start).toISOString()}/${new Date(r.period_end).toISOString()}`,
      created_at: r.deduct_due_at,
    };
  });
  const inserted = await bills.insertLedger(tx, rows);
  if (inserted.length !== rows.length) throw new Error(`billing: ${rows.length - inserted.length} deductions were already made (cursor race); retrying`);
  await bills.markDeducted(tx, records.map((r) => r.record_key));
  let notified = 0;
  for (const [uin, a] of accounts) {
    const after = balance.get(uin)!;
    if (after === a.balanceCents) continue;
    await bills.setBalance(tx, uin, after, now);
    const crossed = crossedAt.get(uin);
    if (crossed !== undefined) {
      await bills.insertNotification(tx, { accountUin: uin, at: crossed.at, balanceCents: crossed.balanceCents, thresholdCents: a.warnThresholdCents });
      await bills.setWarning(tx, uin, { warnedAt: crossed.at });
      o.logger?.warn({ accountUin: uin, balance: formatCents(crossed.balanceCents), threshold: formatCents(a.warnThresholdCents) }, 'balance below the budget warning');
      notified += 1;
    }
  }
  return { deducted: rows.length, notified, candidates: candidates.length };
}
