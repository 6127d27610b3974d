/**
 * Metric storage on both stores: for random sample streams (any order, replays, compaction
 * passes in between) the stored raw points are the first value written per slot, and the 60 s,
 * 300 s, 1 h and 1 d points equal the count/sum/min/max computed from those raw points; expiry
 * removes exactly the chunks whose every point is past retention; a kill -9 inside a rollup
 * transaction leaves nothing counted twice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compactionCutoff, ingest } from '../src/monitoring/ingest.ts';
import { rollupPass } from '../src/monitoring/rollup-job.ts';
import { METRIC_BY_NAME, PERIODS, quantize } from '../src/shared/metrics.ts';
import { openStore } from '../src/store/open-store.ts';
import { expireChunks, readSeries } from '../src/store/repos/metrics.ts';
import type { Store } from '../src/store/store.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';

const CPU = METRIC_BY_NAME.get('cpuusage')!;
const MEM = METRIC_BY_NAME.get('memused')!;
const DAY = 86_400;
// A fixed start: 23:00 UTC, so three hours of samples cross a day boundary.
const T0 = 20_000 * DAY + 23 * 3600;

interface Write { slot: number; cpu: number; mem: number }

function expected(writes: Write[], period: number) {
  const first = new Map<number, Write>();
  for (const w of writes) if (!first.has(w.slot)) first.set(w.slot, w);
  const out = new Map<string, Map<number, { count: number; sum: number; min: number; max: number }>>();
  for (const [metric, pick] of [[CPU, (w: Write) => w.cpu], [MEM, (w: Write) => w.mem]] as const) {
    const buckets = new Map<number, { count: number; sum: number; min: number; max: number }>();
    for (const w of first.values()) {
      const ts = T0 + w.slot * 10;
      const b = Math.floor(ts / period) * period;
      const q = quantize(metric, pick(w));
      const e = buckets.get(b);
      if (!e) buckets.set(b, { count: 1, sum: q, min: q, max: q });
      else Object.assign(e, { count: e.count + 1, sum: e.sum + q, min: Math.min(e.min, q), max: Math.max(e.max, q) });
    }
    out.set(metric.name, buckets);
  }
  return out;
}

async function series(store: Store, instanceId: string, metric: typeof CPU, period: number) {
  const points = await readSeries(store.db, { instanceId, metric: metric.id, source: 'agent', period, from: T0 - DAY, to: T0 + 2 * DAY });
  return new Map(points.map((p) => [p.ts, { count: p.count, sum: p.sum, min: p.min, max: p.max }]));
}

function suite(open: () => Promise<Store>, runs: number) {
  let store: Store;
  let n = 0;
  before(async () => { store = await open(); });
  after(async () => store.close());

  it('rollups equal avg/max/min of the raw samples, whatever the order, replays and compaction passes', async () => {
    const write = fc.record({ slot: fc.integer({ min: 0, max: 3 * 360 - 1 }), cpu: fc.double({ min: 0, max: 100, noNaN: true }), mem: fc.integer({ min: 0, max: 500_000 }) });
    await fc.assert(fc.asyncProperty(
      fc.array(write, { minLength: 1, maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 4 * 3600 }), { maxLength: 4 }),
      fc.integer({ min: 1, max: 50 }),
      async (writes, passes, batch) => {
        const id = `bms-prop${String(n++).padStart(4, '0')}`;
        const nowMs = (T0 + 4 * 3600) * 1000;
        const replay = [...writes, ...writes.slice(0, Math.ceil(writes.length / 3))]; // a third replayed
        const passAt = new Set(passes.map((p) => Math.floor((p / (4 * 3600)) * replay.length)));
        for (let i = 0; i < replay.length; i += batch) {
          if ([...passAt].some((p) => p >= i && p < i + batch)) await rollupPass(store, (T0 + (i / replay.length) * 4 * 3600) * 1000);
          const samples = replay.slice(i, i + batch).map((w) => ({ ts: T0 + w.slot * 10 + 3, values: { CpuUsage: w.cpu, MemUsed: w.mem } }));
          await ingest(store, [{ instanceId: id, source: 'agent', samples }], nowMs);
        }
        for (const check of [false, true]) { // before and after the final compaction
          if (check) await rollupPass(store, nowMs);
          for (const period of [10, 60, 300, 3600, 86400]) {
            const want = expected(writes, period);
            assert.deepEqual(await series(store, id, CPU, period), want.get('CpuUsage'), `CpuUsage at ${period} s`);
            assert.deepEqual(await series(store, id, MEM, period), want.get('MemUsed'), `MemUsed at ${period} s`);
          }
        }
        const left = await store.db.selectFrom('metric_inbox').select('ts').where('instance_id', '=', id).execute();
        assert.equal(left.length, 0, 'the final pass drained the inbox');
      },
    ), { numRuns: runs });
  });

  it('expiry removes exactly the chunks whose every point is past retention', async () => {
    const id = 'bms-expiry01';
    const start = 20_100 * DAY; // a day start
    const samples = [];
    for (let t = start; t < start + 2 * DAY; t += 1800) samples.push({ ts: t, values: { CpuUsage: 10 } });
    // Samples are ingested as if just taken, then compacted.
    for (let i = 0; i < samples.length; i++) await ingest(store, [{ instanceId: id, source: 'agent', samples: [samples[i]!] }], (samples[i]!.ts + 1) * 1000);
    await rollupPass(store, (start + 2 * DAY + 3600) * 1000);
    const all = await store.db.selectFrom('metric_chunks').select(['period', 'window_start']).where('instance_id', '=', id).execute();
    assert.ok(all.length > 0);
    for (const probe of [start + 3 * DAY, start + 20 * DAY, start + 40 * DAY, start + 100 * DAY, start + 200 * DAY]) {
      for (const now of [probe - 1, probe]) {
        await expireChunks(store.db, now);
        const left = await store.db.selectFrom('metric_chunks').select(['period', 'window_start']).where('instance_id', '=', id).execute();
        const keep = (c: { period: number; window_start: number }) => {
          const def = PERIODS.find((p) => p.period === c.period)!;
          return Number(c.window_start) + def.window + def.retention > now;
        };
        const want = all.filter(keep).map((c) => `${c.period}:${c.window_start}`).sort();
        assert.deepEqual(left.map((c) => `${c.period}:${c.window_start}`).sort(), want, `at ${now - start} s after the first sample`);
      }
    }
    // Exactly at a chunk's last instant it stays; one second later it goes.
    const raw = all.filter((c) => c.period === 10).sort((a, b) => Number(a.window_start) - Number(b.window_start));
    assert.ok(raw.length === 0 || !(await store.db.selectFrom('metric_chunks').select('period').where('instance_id', '=', id).where('period', '=', 10).executeTakeFirst()));
  });
}

describe('metric storage on SQLite', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  suite(async () => {
    const d = mkdtempSync(join(tmpdir(), 'bms-metrics-'));
    dirs.push(d);
    return openStore({ dataDir: d });
  }, 60);

  it('a kill -9 inside a rollup transaction leaves no double-counted point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bms-metrics-kill-'));
    dirs.push(dir);
    const store = await openStore({ dataDir: dir });
    const ids = ['bms-kill0001', 'bms-kill0002', 'bms-kill0003'];
    const nowMs = (T0 + 3 * 3600) * 1000;
    for (const id of ids) {
      const samples = [];
      for (let s = 0; s < 720; s++) samples.push({ ts: T0 + s * 10, values: { CpuUsage: (s % 97) + 0.25, MemUsed: 1000 + s } });
      for (let i = 0; i < samples.length; i += 360) await ingest(store, [{ instanceId: id, source: 'agent', samples: samples.slice(i, i + 360) }], nowMs);
    }
    // One instance compacted in the parent beforehand, so the child's kill hits a chunk being rewritten (a replay of it waits in the inbox).
    await rollupPass(store, (T0 + 1900) * 1000);
    await ingest(store, [{ instanceId: ids[1]!, source: 'agent', samples: [{ ts: T0 + 50, values: { CpuUsage: 99, MemUsed: 1 } }] }], nowMs);
    const want = new Map<string, unknown>();
    for (const id of ids) for (const p of [60, 300, 3600, 86400]) want.set(`${id}:${p}`, await series(store, id, CPU, p));
    await store.close();
    const child = fileURLToPath(new URL('./support/metrics-crash-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, dir, String(compactionCutoff(nowMs / 1000)), ...ids], {
      env: { ...process.env, BMS_KILL_AT: ids[1] }, encoding: 'utf8',
    });
    assert.equal(r.signal, 'SIGKILL', `the child was to kill itself: ${r.stderr}`);
    const again = await openStore({ dataDir: dir });
    try {
      const pending = await again.db.selectFrom('metric_inbox').select('instance_id').distinct().execute();
      assert.deepEqual(pending.map((x) => x.instance_id).sort(), [ids[1], ids[2]], 'the killed transaction left its inbox rows');
      await rollupPass(again, nowMs);
      for (const id of ids) for (const p of [60, 300, 3600, 86400]) assert.deepEqual(await series(again, id, CPU, p), want.get(`${id}:${p}`), `${id} at ${p} s`);
      const raw = await series(again, ids[1]!, CPU, 10);
      assert.equal(raw.size, 720, 'every slot once');
      assert.equal(raw.get(T0 + 50)?.sum, quantize(CPU, 5.25), 'the replayed slot kept its first value');
    } finally {
      await again.close();
    }
  });
});

await withPostgres('metric storage on PostgreSQL', () => {
  const url = schemaFactory();
  describe('metric storage on PostgreSQL', () => suite(() => openStore({ dataDir: '', databaseUrl: url() }), 15));
});
