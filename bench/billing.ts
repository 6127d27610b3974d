/**
 * Benchmark: rating 10,000 instances over 30 days (7.2 M instance-hours) on SQLite.
 *
 * What is measured: a fresh SQLite store holds BENCH_INSTANCES (default 10,000) instances of
 * three tenants, each deployed at a random moment of the first day (its journal rows written as
 * the lifecycle gate writes them: PENDING → RUNNING), a tenth of them returned on a random later
 * day (RUNNING → TERMINATING). The biller then runs every BENCH_TICK_H simulated hours (default
 * 6) across 30 days plus one, with the manual's cadence (24 h periods, deduction 1 h after the
 * push) — every record pushed and every deduction made, ~285 k of each. Printed per round and
 * as medians over BENCH_ROUNDS rounds (default 3; each on a fresh store, same world): wall time
 * and the process's CPU time (the machine is shared: CPU time is the steadier figure), records
 * per second, the slowest single run, and memory (peak RSS while rating beside the RSS with the
 * world seeded; RSS and V8 heap after a full collection at the end).
 *
 * Baseline, measured in the same run on the same kind of store: inserting the same number of
 * usage-record rows in one transaction through Kysely with nothing else to do — what writing the
 * rows alone costs; the ratio says how much the rating, the journal reads, the keyed upserts and
 * the ledger add to it. Target: ≤ 10 s for 10,000 instances.
 *
 *   npm run bench:billing          (BENCH_INSTANCES, BENCH_TICK_H, BENCH_ROUNDS)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBiller } from '../src/billing/biller.ts';
import { openStore } from '../src/store/open-store.ts';
import { setPrice } from '../src/store/repos/billing.ts';
import { appendStateHistory } from '../src/store/repos/state-history.ts';
import type { Store } from '../src/store/store.ts';
import { median, positiveInt } from './support/stats.ts';

const N = Number(process.env.BENCH_INSTANCES ?? 10_000);
const TICK_H = Number(process.env.BENCH_TICK_H ?? 6);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const mem = () => { gc?.(); const m = process.memoryUsage(); return `RSS ${mb(m.rss)}, heap ${mb(m.heapUsed)}${gc ? '' : ' (no --expose-gc)'}`; };

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

async function fresh(): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bms-bench-billing-'));
  return { store: await openStore({ dataDir: dir }), dir };
}

async function seedWorld(store: Store): Promise<void> {
  const accounts = ['300001', '300002', '300003'];
  await store.db.insertInto('accounts').values(accounts.map((uin) => ({ uin, app_id: Number(uin), uuid: uin, name: uin, kind: 'tenant' as const, created_at: T0 }))).execute();
  for (const [f, cents] of [['f-a', 1200], ['f-b', 2200], ['f-c', 8800]] as const) await setPrice(store.db, { product: 'flavor', key: f, from: 0, cents });
  for (let i = 0; i < N; i += 500) {
    const ids = Array.from({ length: Math.min(500, N - i) }, (_, k) => i + k);
    await store.transaction(async (tx) => {
      await tx.insertInto('instances').values(ids.map((n) => ({
        id: `bms-${n}`, account_uin: accounts[n % 3]!, zone: 'ap-guangzhou-1', flavor_id: ['f-a', 'f-b', 'f-c'][n % 3]!, server_id: null, name: `i${n}`,
        host_name: `i${n}`, os_type: 'Linux', os_name: 'CentOS', cpu_arch: 'X86', raid_type: 'RAID0', status: 'RUNNING', vpc_id: 'v', subnet_id: 's',
        private_ip: null, password_hash: null, enhanced_service: '{}', user_defined: 0 as const, group_id: null, error: null, created_at: T0, updated_at: T0, deleted_at: null,
      }))).execute();
      const changes = ids.flatMap((n) => {
        const at = T0 + Math.floor(random() * DAY);
        const c = [{ instanceId: `bms-${n}`, accountUin: accounts[n % 3]!, from: 'PENDING', to: 'RUNNING', event: 'provisioned', at }];
        if (n % 10 === 0) c.push({ instanceId: `bms-${n}`, accountUin: accounts[n % 3]!, from: 'RUNNING', to: 'TERMINATING', event: 'terminate', at: at + Math.floor(random() * 29 * DAY) });
        return c;
      });
      await appendStateHistory(tx, changes);
    });
  }
}

async function baseline(rows: number): Promise<number> {
  const { store, dir } = await fresh();
  const started = performance.now();
  await store.transaction(async (tx) => {
    for (let i = 0; i < rows; i += 500) {
      await tx.insertInto('billing_records').values(Array.from({ length: Math.min(500, rows - i) }, (_, k) => ({
        record_key: `k${i + k}`, account_uin: '1', product: 'bms' as const, resource_id: 'r', resource_name: 'r', sub_product: 'f', region: 'g', zone: 'z',
        period_start: i + k, period_end: i + k + 1, quantity: 86_400, unit_price_cents: 1200, amount_cents: 28_800, final: 0 as const,
        pushed_at: 0, deduct_due_at: 0, deducted_at: null,
      }))).execute();
    }
  });
  const ms = performance.now() - started;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

interface Round { ms: number; cpuMs: number; baseMs: number; pushed: number; deducted: number; worstMs: number; peakRss: number; idleRss: number }

async function round(): Promise<Round> {
  seed = 42; // every round rates the same world
  const { store, dir } = await fresh();
  await seedWorld(store);
  gc?.();
  const idleRss = process.memoryUsage().rss;
  const biller = createBiller({ store, periodMs: DAY, deductDelayMs: 3_600_000 });
  let pushed = 0;
  let deducted = 0;
  let worstMs = 0;
  let peakRss = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let t = T0 + TICK_H * 3_600_000; t <= T0 + 31 * DAY; t += TICK_H * 3_600_000) {
    const s = performance.now();
    const r = await biller.runOnce(t);
    worstMs = Math.max(worstMs, performance.now() - s);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    pushed += r.pushed;
    deducted += r.deducted;
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, baseMs: await baseline(pushed), pushed, deducted, worstMs, peakRss, idleRss };
}

async function main() {
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const x = await round();
    rounds.push(x);
    console.log(`round ${r + 1}: ${x.pushed} records pushed, ${x.deducted} deductions in ${(x.ms / 1000).toFixed(2)} s (CPU ${(x.cpuMs / 1000).toFixed(2)} s), slowest run ${(x.worstMs / 1000).toFixed(2)} s, peak RSS ${mb(x.peakRss)} (idle ${mb(x.idleRss)}); baseline ${(x.baseMs / 1000).toFixed(2)} s`);
  }
  const med = (k: keyof Round) => median(rounds.map((x) => x[k]));
  const ms = med('ms');
  console.log(`\nrated ${N} instances over 30 days (${(N * 720 / 1e6).toFixed(1)} M instance-hours), a run every ${TICK_H} h — medians of ${ROUNDS} rounds:`);
  console.log(`  ${rounds[0]!.pushed} records pushed, ${rounds[0]!.deducted} deductions in ${(ms / 1000).toFixed(2)} s (CPU ${(med('cpuMs') / 1000).toFixed(2)} s) — ${Math.round(rounds[0]!.pushed / (ms / 1000))} records/s; slowest run ${(med('worstMs') / 1000).toFixed(2)} s`);
  console.log(`  memory: peak RSS ${mb(med('peakRss'))} (idle, world seeded: ${mb(med('idleRss'))}); after: ${mem()}`);
  console.log(`  baseline (same rows inserted bare, one transaction): ${(med('baseMs') / 1000).toFixed(2)} s — rating costs ${(ms / med('baseMs')).toFixed(1)}× writing the rows`);
  console.log(`  target ≤ 10 s: ${ms <= 10_000 ? 'met' : 'NOT met'}`);
}

await main();
