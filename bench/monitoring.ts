/**
 * Benchmark: monitoring storage and queries.
 *
 * 1. Ingest, as 10,000 instances reporting every 10 s (12 agent metrics each: 120,000 samples per
 *    slot, ≈ 12,000 samples/s): BENCH_SLOTS slots (default 60 = 10 minutes) pushed through the
 *    ingest path in batches of 100 instances, then the rollup job compacts the closed windows.
 *    Figures: CPU (user + system of this process, which runs SQLite too) per 1,000 samples for
 *    ingest, for compaction + rollups, and both; the share of one core that 12,000 samples/s
 *    would take; bytes on disk per raw sample (SQLite's dbstat, after VACUUM: the raw tier's rows
 *    with their keys and both indexes; of that, the packed samples alone; and, for scale, the
 *    whole table with the young rollup rows). Baseline in the same run: the same
 *    samples written the naive way, one row (instance, metric, ts, value) per sample in one
 *    table with its primary key — its CPU per 1,000 and its bytes per sample.
 * 2. GetMonitorData for 24 h at 60 s (1,440 points) with 30 days stored: BMS (SQLite, demo cloud)
 *    with every period's chunks written for 30 days for the demo instances and BENCH_FILL other
 *    instances (default 300; 13 metrics each), queried BENCH_QUERIES times (default 400) with the
 *    official SDK over loopback; p50/p99 latency, beside DescribeZones through the same client in
 *    the same run (the gateway's own floor).
 * Targets (issue 13): ≤ 25 % of one core at 12,000 samples/s, ≤ 4 bytes per raw sample on disk,
 * p99 ≤ 20 ms. BENCH_ROUNDS rounds of part 1 (default 3): medians. A measurement, not a test.
 * Run: `npm run bench:monitoring`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { loadConfig } from '../src/config/config.ts';
import { ingest, type IncomingBatch } from '../src/monitoring/ingest.ts';
import { rollupPass } from '../src/monitoring/rollup-job.ts';
import { simSample } from '../src/monitoring/sim-source.ts';
import { startBms } from '../src/server/app.ts';
import { AGENT_METRICS, METRICS, PERIODS, quantize } from '../src/shared/metrics.ts';
import { openStore } from '../src/store/open-store.ts';
import { encodeRaw, encodeRollup, type RollupPoint } from '../src/store/repos/metric-codec.ts';
import type { Store } from '../src/store/store.ts';
import { median, positiveInt } from './support/stats.ts';
import pino from 'pino';

delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

const INSTANCES = positiveInt('BENCH_INSTANCES', 10_000);
const SLOTS = positiveInt('BENCH_SLOTS', 60);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const FILL = positiveInt('BENCH_FILL', 300);
const QUERIES = positiveInt('BENCH_QUERIES', 400);
const BATCH = 100;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function dbBytes(store: Store, names: string[]): Promise<number> {
  const r = await sql<{ b: number }>`select coalesce(sum(pgsize), 0) as b from dbstat where name in (${sql.join(names)})`.execute(store.db);
  return Number(r.rows[0]!.b);
}

async function ingestRound(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'bms-bench-metrics-'));
  const store = await openStore({ dataDir: dir });
  try {
    const ids = Array.from({ length: INSTANCES }, (_, i) => `bms-b${String(i).padStart(7, '0')}`);
    const start = Math.floor(Date.now() / 1000 / 600) * 600 - 3600; // an hour ago, on a window
    const insts = ids.map((id, i) => ({ id, memoryGb: 64 + (i % 4) * 64, cpuCores: 32, hasEip: false }));
    let samples = 0;
    let ingestCpu = 0;
    for (let s = 0; s < SLOTS; s++) {
      const ts = start + s * 10;
      const batches: IncomingBatch[] = insts.map((inst) => ({ instanceId: inst.id, source: 'agent', samples: [simSample(inst, ts)] }));
      const c0 = cpuMs();
      for (let i = 0; i < batches.length; i += BATCH) await ingest(store, batches.slice(i, i + BATCH), (ts + 5) * 1000);
      ingestCpu += cpuMs() - c0;
      samples += INSTANCES * AGENT_METRICS.length - (INSTANCES * 2); // WAN metrics absent without an EIP
    }
    const c1 = cpuMs();
    await rollupPass(store, (start + SLOTS * 10 + 600 + 60) * 1000, 500);
    const compactCpu = cpuMs() - c1;
    const raw = await store.db.selectFrom('metric_chunks').select((eb) => [eb.fn.sum<number>('points').as('n'), eb.fn.sum<number>(sql`length(data)`).as('bytes')])
      .where('period', '=', 10).executeTakeFirstOrThrow();
    const all = await dbBytes(store, ['metric_chunks', 'metric_chunks_expiry_idx']);
    const left = await store.db.selectFrom('metric_inbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    // The raw tier alone on disk: its rows with their keys, the primary-key index and the expiry
    // index, once the rollup rows (kept for their own, longer retention) are set aside.
    await store.db.deleteFrom('metric_chunks').where('period', '<>', 10).execute();
    await sql`vacuum`.execute(store.db);
    const rawTier = await dbBytes(store, ['metric_chunks', 'metric_chunks_expiry_idx', 'sqlite_autoindex_metric_chunks_1']);
    // Baseline: a row per sample.
    await sql`create table naive (instance_id text not null, metric integer not null, ts integer not null, value real not null, primary key (instance_id, metric, ts))`.execute(store.db);
    const naiveSlots = Math.min(SLOTS, 12);
    let naiveSamples = 0;
    const c2 = cpuMs();
    for (let s = 0; s < naiveSlots; s++) {
      const ts = start + s * 10;
      for (let i = 0; i < insts.length; i += BATCH) {
        const rows = insts.slice(i, i + BATCH).flatMap((inst) => Object.entries(simSample(inst, ts).values)
          .map(([name, v]) => ({ instance_id: inst.id, metric: METRICS.find((m) => m.name === name)!.id, ts, value: v })));
        naiveSamples += rows.length;
        await store.transaction(async (tx) => {
          for (let k = 0; k < rows.length; k += 2000) await (tx as unknown as Store['db']).insertInto('naive' as never).values(rows.slice(k, k + 2000) as never).execute();
        });
      }
    }
    const naiveCpu = cpuMs() - c2;
    const naiveBytes = await dbBytes(store, ['naive', 'sqlite_autoindex_naive_1']);
    return {
      samples, ingestPer1k: (ingestCpu / samples) * 1000, compactPer1k: (compactCpu / samples) * 1000,
      totalPer1k: ((ingestCpu + compactCpu) / samples) * 1000,
      rawPayloadPerSample: Number(raw.bytes) / Number(raw.n), rawPoints: Number(raw.n), tablePerRawSample: all / Number(raw.n), rawTierPerSample: rawTier / Number(raw.n), inboxLeft: Number(left.n),
      naivePer1k: (naiveCpu / naiveSamples) * 1000, naiveBytesPerSample: naiveBytes / naiveSamples,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes 30 days of every period for `id` directly as chunks (what the rollup job would have left). */
async function fill30Days(store: Store, id: string, nowS: number): Promise<void> {
  const rows: Array<{ instance_id: string; metric: number; period: number; window_start: number; points: number; data: Buffer }> = [];
  for (const m of METRICS) {
    for (const def of PERIODS) {
      const slots = def.window / def.period;
      const keep = Math.min(30 * 86400, def.retention);
      for (let w = Math.floor((nowS - keep) / def.window) * def.window; w <= nowS; w += def.window) {
        const base = quantize(m, m.unit === '%' ? 35 : 500);
        if (def.period === 10) {
          const points = Array.from({ length: slots }, (_, slot) => ({ slot, value: base + ((slot * 7919 + w) % 400) }));
          rows.push({ instance_id: id, metric: m.id, period: 10, window_start: w, points: points.length, data: encodeRaw(slots, points) });
        } else {
          const n = def.period / 10;
          const points: RollupPoint[] = Array.from({ length: slots }, (_, slot) => ({ slot, count: n, sum: (base + (slot % 50)) * n, min: base, max: base + 400 }));
          rows.push({ instance_id: id, metric: m.id, period: def.period, window_start: w, points: points.length, data: encodeRollup(slots, points) });
        }
      }
    }
  }
  await store.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('metric_chunks').values(rows.slice(i, i + 200)).onConflict((oc) => oc.doNothing()).execute();
  });
}

async function queryBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'bms-bench-query-'));
  const config = loadConfig({ BMS_PORT: '0', BMS_DATA_DIR: dir, BMS_SIM_TIME_SCALE: '0', BMS_SIM_METRICS_MS: '0', BMS_ALARM_EVAL_MS: '0', BMS_METRICS_ROLLUP_MS: '3600000', BMS_HTTP_KEEP_ALIVE_TIMEOUT_MS: '600000' });
  const bms = await startBms(config, { logger: pino({ level: 'silent' }), rateLimiter: { take: () => true } });
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const creds = bms.credentials.demo;
    const profile = { httpProfile: { protocol: 'http://', endpoint: bms.endpoint } };
    const monitor = new CommonClient(bms.endpoint, '2018-07-24', { credential: { secretId: creds.SecretId, secretKey: creds.SecretKey }, region: creds.Region, profile });
    const plain = new CommonClient(bms.endpoint, '2018-08-13', { credential: { secretId: creds.SecretId, secretKey: creds.SecretKey }, region: creds.Region, profile });
    let demo: string[] = [];
    for (let i = 0; i < 600 && demo.length < 2; i++) {
      const r = await plain.request('DescribeInstances', {}) as { InstanceSet: Array<{ InstanceId: string; Status: string }> };
      demo = r.InstanceSet.filter((x) => x.Status === 'RUNNING').map((x) => x.InstanceId);
      if (demo.length < 2) await new Promise((r2) => setTimeout(r2, 100));
    }
    for (const id of demo) await fill30Days(bms.store, id, nowS);
    for (let i = 0; i < FILL; i++) await fill30Days(bms.store, `bms-f${String(i).padStart(7, '0')}`, nowS);
    const chunks = await bms.store.db.selectFrom('metric_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const time = async (fn: () => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        const t0 = performance.now();
        await fn();
        out.push(performance.now() - t0);
      }
      out.sort((a, b) => a - b);
      return { p50: out[Math.floor(out.length * 0.5)]!, p99: out[Math.floor(out.length * 0.99)]! };
    };
    const iso = (s: number) => new Date(s * 1000).toISOString();
    let points = 0;
    const q = await time(async () => {
      const r = await monitor.request('GetMonitorData', {
        Namespace: 'QCE/BMS', MetricName: METRICS[Math.floor(Math.random() * METRICS.length)]!.name, Period: 60, StartTime: iso(nowS - 86_400 + 60), EndTime: iso(nowS),
        Instances: [{ Dimensions: [{ Name: 'InstanceId', Value: demo[Math.floor(Math.random() * demo.length)] }] }],
      }) as { DataPoints: Array<{ Values: number[] }> };
      points = r.DataPoints[0]!.Values.length;
    });
    const z = await time(() => plain.request('DescribeZones', {}));
    return { chunks: Number(chunks.n), points, p50: q.p50, p99: q.p99, zonesP50: z.p50, zonesP99: z.p99 };
  } finally {
    await bms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rounds: Array<Record<string, number>> = [];
for (let r = 0; r < ROUNDS; r++) {
  const x = await ingestRound();
  rounds.push(x);
  const f = (k: string, d = 2) => x[k]!.toFixed(d);
  console.log(`ingest round ${r + 1}: ${x.samples} samples; CPU ${f('ingestPer1k')} ms/1000 ingest + ${f('compactPer1k')} compaction = ${f('totalPer1k')}; raw ${f('rawPayloadPerSample')} B payload, ${f('rawTierPerSample')} B raw tier on disk, ${f('tablePerRawSample')} B table/raw sample; naive ${f('naivePer1k')} ms/1000, ${f('naiveBytesPerSample', 1)} B/sample`);
}
const med = (k: string) => median(rounds.map((x) => x[k]!));
const core = (med('totalPer1k') * 12) / 1000;
console.log(`\nIngest, ${INSTANCES} instances × ${SLOTS} slots (medians of ${ROUNDS}):`);
console.log(`  CPU per 1,000 samples: ${med('ingestPer1k').toFixed(2)} ms ingest + ${med('compactPer1k').toFixed(2)} ms compaction/rollups = ${med('totalPer1k').toFixed(2)} ms`);
console.log(`  at 12,000 samples/s: ${(core * 100).toFixed(1)} % of one core (target ≤ 25 %)`);
console.log(`  bytes per raw sample on disk: ${med('rawTierPerSample').toFixed(2)} (target ≤ 4) — the raw tier's rows, keys and indexes; ${med('rawPayloadPerSample').toFixed(2)} of it packed samples`);
console.log(`  the whole metric table per raw sample, rollups included: ${med('tablePerRawSample').toFixed(2)} B (${SLOTS * 10} s of data: each series' four rollup rows are young and mostly row overhead)`);
console.log(`  baseline, a row per sample: ${med('naivePer1k').toFixed(2)} ms CPU per 1,000, ${med('naiveBytesPerSample').toFixed(1)} bytes per sample → ours ${(med('naiveBytesPerSample') / med('rawTierPerSample')).toFixed(1)}× smaller on disk`);
const q = await queryBench();
const g = (k: string) => q[k]!.toFixed(2);
console.log(`\nGetMonitorData, 24 h at 60 s (${q.points} points), 30 days stored (${q.chunks} chunks), ${QUERIES} queries via the official SDK:`);
console.log(`  p50 ${g('p50')} ms, p99 ${g('p99')} ms (target p99 ≤ 20 ms); DescribeZones same client: p50 ${g('zonesP50')} ms, p99 ${g('zonesP99')} ms`);
process.exit(0);
