/**
 * Monitoring samples (migration 0040): pushes land in `metric_inbox`; the rollup job compacts
 * closed windows into packed chunks with their rollups; reads merge both.
 *
 * Compaction of one instance is one transaction: it *deletes* the instance's closed inbox rows
 * (DELETE … RETURNING, so a row pushed meanwhile is never dropped unread), merges them into the
 * raw chunks (a slot already stored keeps its value — a replay adds nothing), and recomputes
 * every rollup point the new samples touch from the stored points below it (60 s and 300 s from
 * raw, 1 h from 300 s, 1 d from 1 h), replacing the point rather than adding to it. A crash
 * rolls the whole step back and leaves the inbox rows to the next pass, so nothing is counted
 * twice or lost. All times here are unix seconds.
 */
import type { Kysely } from 'kysely';
import { METRIC_BY_ID, PERIOD_BY_SECONDS, RAW_PERIOD, type MetricSource } from '../../shared/metrics.ts';
import type { Database } from '../schema.ts';
import { putEipTrafficHour } from './eip-traffic.ts';
import {
  aggregate, combine, decodeRaw, decodeRollup, decodeSample, encodeRaw, encodeRollup, encodeSample, type RawPoint, type RollupPoint,
} from './metric-codec.ts';

type Db = Kysely<Database>;

export interface Sample {
  instanceId: string;
  source: MetricSource;
  /** Unix seconds, a multiple of 10. */
  ts: number;
  /** (metric id, quantized value). */
  values: ReadonlyArray<readonly [number, number]>;
}

const RAW = PERIOD_BY_SECONDS.get(RAW_PERIOD)!;
export const RAW_WINDOW = RAW.window;
const windowOf = (period: number, ts: number) => {
  const w = PERIOD_BY_SECONDS.get(period)!.window;
  return Math.floor(ts / w) * w;
};

/**
 * Stores samples; a sample whose (instance, source, slot) is already stored changes nothing.
 * Samples older than `compactedBefore` may fall in windows already compacted: their values are
 * checked against the raw chunks and kept only for slots still empty. Returns how many samples
 * were new.
 */
export async function insertSamples(db: Db, samples: readonly Sample[], compactedBefore: number): Promise<number> {
  let fresh = samples as Sample[];
  if (samples.some((s) => s.ts < compactedBefore)) fresh = await dropCompacted(db, samples, compactedBefore);
  let stored = 0;
  for (let i = 0; i < fresh.length; i += 200) {
    const rows = fresh.slice(i, i + 200).filter((s) => s.values.length > 0)
      .map((s) => ({ instance_id: s.instanceId, source: s.source, ts: s.ts, data: encodeSample(s.values) }));
    if (rows.length === 0) continue;
    const r = await db.insertInto('metric_inbox').values(rows)
      .onConflict((oc) => oc.columns(['instance_id', 'source', 'ts']).doNothing()).executeTakeFirst();
    stored += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return stored;
}

async function dropCompacted(db: Db, samples: readonly Sample[], before: number): Promise<Sample[]> {
  const present = new Map<string, Set<number>>(); // `${instance}:${window}:${metric}` → slots stored
  const windows = new Map<string, { instanceId: string; window: number }>();
  for (const s of samples) {
    if (s.ts >= before) continue;
    const w = windowOf(RAW_PERIOD, s.ts);
    windows.set(`${s.instanceId}:${w}`, { instanceId: s.instanceId, window: w });
  }
  for (const { instanceId, window } of windows.values()) {
    const rows = await db.selectFrom('metric_chunks').select(['metric', 'data'])
      .where('instance_id', '=', instanceId).where('period', '=', RAW_PERIOD).where('window_start', '=', window).execute();
    for (const r of rows) present.set(`${instanceId}:${window}:${r.metric}`, new Set(decodeRaw(r.data).map((p) => p.slot)));
  }
  const out: Sample[] = [];
  for (const s of samples) {
    if (s.ts >= before) {
      out.push(s);
      continue;
    }
    const w = windowOf(RAW_PERIOD, s.ts);
    const slot = (s.ts - w) / RAW_PERIOD;
    const values = s.values.filter(([m]) => !present.get(`${s.instanceId}:${w}:${m}`)?.has(slot));
    if (values.length > 0) out.push({ ...s, values });
  }
  return out;
}

/** Instances with inbox rows older than `cutoff`, after `after` in id order. */
export async function instancesToCompact(db: Db, cutoff: number, after: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('metric_inbox').select('instance_id').distinct()
    .where('ts', '<', cutoff).where('instance_id', '>', after).orderBy('instance_id').limit(limit).execute();
  return rows.map((r) => r.instance_id);
}

export interface CompactOptions {
  /** Unix ms, for `updated_at` of metered EIP hours. */
  nowMs: number;
}

interface ChunkKey { metric: number; period: number; window: number }
const keyOf = (k: ChunkKey) => `${k.metric}:${k.period}:${k.window}`;

/**
 * Compacts one instance's inbox rows older than `cutoff` (call inside a transaction). Returns
 * the number of samples compacted.
 */
export async function compactInstance(tx: Db, instanceId: string, cutoff: number, opts: CompactOptions): Promise<number> {
  const rows = await tx.deleteFrom('metric_inbox').where('instance_id', '=', instanceId).where('ts', '<', cutoff)
    .returning(['ts', 'data']).execute();
  if (rows.length === 0) return 0;
  // New raw points per (metric, raw window).
  const fresh = new Map<string, { key: ChunkKey; points: RawPoint[] }>();
  for (const row of rows) {
    const ts = Number(row.ts);
    const window = windowOf(RAW_PERIOD, ts);
    for (const [metric, value] of decodeSample(row.data)) {
      const key = { metric, period: RAW_PERIOD, window };
      const k = keyOf(key);
      let e = fresh.get(k);
      if (!e) fresh.set(k, (e = { key, points: [] }));
      e.points.push({ slot: (ts - window) / RAW_PERIOD, value });
    }
  }
  const chunks = new ChunkSet(tx, instanceId);
  await chunks.load(RAW_PERIOD, [...fresh.values()].map((e) => e.key.window));
  const touched60 = new Map<string, { key: ChunkKey; points: RollupPoint[] }>();
  const touched300 = new Map<string, { key: ChunkKey; points: RollupPoint[] }>();
  for (const { key, points } of fresh.values()) {
    const merged = chunks.mergeRaw(key, points);
    for (const [period, into] of [[60, touched60], [300, touched300]] as const) {
      const buckets = new Map<number, number[]>();
      for (const p of merged) {
        const ts = key.window + p.slot * RAW_PERIOD;
        const b = Math.floor(ts / period) * period;
        let list = buckets.get(b);
        if (!list) buckets.set(b, (list = []));
        list.push(p.value);
      }
      for (const [b, values] of buckets) {
        const w = windowOf(period, b);
        const k = { metric: key.metric, period, window: w };
        let e = into.get(keyOf(k));
        if (!e) into.set(keyOf(k), (e = { key: k, points: [] }));
        e.points.push(aggregate((b - w) / period, values));
      }
    }
  }
  await chunks.load(60, [...touched60.values()].map((e) => e.key.window));
  await chunks.load(300, [...touched300.values()].map((e) => e.key.window));
  for (const e of touched60.values()) chunks.replaceRollup(e.key, e.points);
  // 1 h points from the 300 s points of their hour; 1 d points from the 1 h points of their day.
  const hours = new Map<string, { metric: number; hour: number }>();
  for (const e of touched300.values()) {
    chunks.replaceRollup(e.key, e.points);
    for (const p of e.points) {
      const hour = Math.floor((e.key.window + p.slot * 300) / 3600) * 3600;
      hours.set(`${e.key.metric}:${hour}`, { metric: e.key.metric, hour });
    }
  }
  await chunks.load(3600, [...hours.values()].map((h) => windowOf(3600, h.hour)));
  const days = new Map<string, { metric: number; day: number }>();
  const meteredHours: Array<{ hour: number; sum: number }> = [];
  for (const { metric, hour } of hours.values()) {
    const w300 = windowOf(300, hour);
    const parts = chunks.rollupPoints({ metric, period: 300, window: w300 })
      .filter((p) => w300 + p.slot * 300 >= hour && w300 + p.slot * 300 < hour + 3600);
    const w = windowOf(3600, hour);
    const point = combine((hour - w) / 3600, parts);
    chunks.replaceRollup({ metric, period: 3600, window: w }, [point]);
    const day = Math.floor(hour / 86400) * 86400;
    days.set(`${metric}:${day}`, { metric, day });
    if (metric === WAN_OUT_ID) meteredHours.push({ hour, sum: point.sum });
  }
  await chunks.load(86400, [...days.values()].map((d) => windowOf(86400, d.day)));
  for (const { metric, day } of days.values()) {
    const parts = chunks.rollupPoints({ metric, period: 3600, window: windowOf(3600, day) });
    const w = windowOf(86400, day);
    chunks.replaceRollup({ metric, period: 86400, window: w }, [combine((day - w) / 86400, parts)]);
  }
  await chunks.flush();
  if (meteredHours.length > 0) await meterEips(tx, instanceId, meteredHours, opts.nowMs);
  return rows.length;
}

const WAN_OUT_ID = [...METRIC_BY_ID.values()].find((m) => m.name === 'WanOuttraffic')!.id;
const WAN_OUT_SCALE = 10 ** METRIC_BY_ID.get(WAN_OUT_ID)!.decimals;

/**
 * Bytes out per EIP per hour: each 10 s sample is an average rate in Mbps over its interval, so
 * an hour's bytes are Σ rate × 10 s × 125,000 B/s per Mbps — exactly the 1 h point's sum. The
 * hour goes to the EIPs bound to the instance now (split evenly between several), replacing what
 * an earlier pass wrote for that hour.
 */
async function meterEips(tx: Db, instanceId: string, hours: Array<{ hour: number; sum: number }>, nowMs: number): Promise<void> {
  const eips = await tx.selectFrom('eips').select(['id', 'account_uin', 'region', 'isp', 'address']).where('instance_id', '=', instanceId).execute();
  if (eips.length === 0) return;
  for (const { hour, sum } of hours) {
    const bytes = Math.round((sum / WAN_OUT_SCALE) * RAW_PERIOD * 125_000 / eips.length);
    for (const e of eips) {
      await putEipTrafficHour(tx, {
        eipId: e.id, hourStart: hour * 1000, accountUin: e.account_uin, region: e.region, isp: e.isp, address: e.address, bytesOut: bytes,
      }, nowMs);
    }
  }
}

/** The chunks one compaction reads and rewrites, loaded once per (period, window) and written once. */
class ChunkSet {
  private readonly raw = new Map<string, RawPoint[]>();
  private readonly rollups = new Map<string, Map<number, RollupPoint>>();
  private readonly loaded = new Set<string>(); // `${period}:${window}`
  private readonly dirty = new Map<string, ChunkKey>();

  constructor(private readonly tx: Db, private readonly instanceId: string) {}

  async load(period: number, windows: number[]): Promise<void> {
    const wanted = [...new Set(windows)].filter((w) => !this.loaded.has(`${period}:${w}`));
    if (wanted.length === 0) return;
    for (const w of wanted) this.loaded.add(`${period}:${w}`);
    const rows = await this.tx.selectFrom('metric_chunks').select(['metric', 'window_start', 'data'])
      .where('instance_id', '=', this.instanceId).where('period', '=', period).where('window_start', 'in', wanted).execute();
    for (const r of rows) {
      const k = keyOf({ metric: r.metric, period, window: Number(r.window_start) });
      if (period === RAW_PERIOD) this.raw.set(k, decodeRaw(r.data));
      else this.rollups.set(k, new Map(decodeRollup(r.data).map((p) => [p.slot, p])));
    }
  }

  /** Adds raw points to a chunk (a slot already stored keeps its value); returns the merged points. */
  mergeRaw(key: ChunkKey, points: RawPoint[]): RawPoint[] {
    const k = keyOf(key);
    const existing = this.raw.get(k) ?? [];
    const have = new Set(existing.map((p) => p.slot));
    const merged = [...existing];
    for (const p of points) {
      if (have.has(p.slot)) continue;
      have.add(p.slot);
      merged.push(p);
    }
    merged.sort((a, b) => a.slot - b.slot);
    this.raw.set(k, merged);
    this.dirty.set(k, key);
    return merged;
  }

  replaceRollup(key: ChunkKey, points: RollupPoint[]): void {
    const k = keyOf(key);
    let m = this.rollups.get(k);
    if (!m) this.rollups.set(k, (m = new Map()));
    for (const p of points) m.set(p.slot, p);
    this.dirty.set(k, key);
  }

  rollupPoints(key: ChunkKey): RollupPoint[] {
    return [...(this.rollups.get(keyOf(key))?.values() ?? [])];
  }

  async flush(): Promise<void> {
    const rows = [...this.dirty.entries()].map(([k, key]) => {
      const slots = PERIOD_BY_SECONDS.get(key.period)!.window / key.period;
      const points = key.period === RAW_PERIOD ? this.raw.get(k)! : [...this.rollups.get(k)!.values()];
      const data = key.period === RAW_PERIOD ? encodeRaw(slots, points as RawPoint[]) : encodeRollup(slots, points as RollupPoint[]);
      return { instance_id: this.instanceId, metric: key.metric, period: key.period, window_start: key.window, points: points.length, data };
    });
    for (let i = 0; i < rows.length; i += 100) {
      await this.tx.insertInto('metric_chunks').values(rows.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['instance_id', 'metric', 'period', 'window_start']).doUpdateSet({
          points: (eb) => eb.ref('excluded.points'), data: (eb) => eb.ref('excluded.data'),
        }))
        .execute();
    }
  }
}

/** One point of a series as read: the bucket's start and its aggregate (quantized). */
export interface SeriesPoint {
  ts: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * The points of one series with bucket start in [from, to], oldest first: stored chunks, plus
 * the inbox rows not compacted yet aggregated into the same buckets (chunks are read first, so a
 * compaction in between can hide a sample for one read but never count it twice).
 */
export async function readSeries(
  db: Db, q: { instanceId: string; metric: number; source: MetricSource; period: number; from: number; to: number },
): Promise<SeriesPoint[]> {
  const def = PERIOD_BY_SECONDS.get(q.period);
  if (!def) throw new RangeError(`period ${q.period} is not kept`);
  const from = Math.floor(q.from / q.period) * q.period;
  const rows = await db.selectFrom('metric_chunks').select(['window_start', 'data'])
    .where('instance_id', '=', q.instanceId).where('metric', '=', q.metric).where('period', '=', q.period)
    .where('window_start', '>', from - def.window).where('window_start', '<=', q.to)
    .orderBy('window_start').execute();
  const buckets = new Map<number, SeriesPoint>();
  for (const r of rows) {
    const w = Number(r.window_start);
    if (q.period === RAW_PERIOD) {
      for (const p of decodeRaw(r.data)) {
        const ts = w + p.slot * RAW_PERIOD;
        buckets.set(ts, { ts, count: 1, sum: p.value, min: p.value, max: p.value });
      }
    } else {
      for (const p of decodeRollup(r.data)) {
        const ts = w + p.slot * q.period;
        buckets.set(ts, { ts, count: p.count, sum: p.sum, min: p.min, max: p.max });
      }
    }
  }
  const inbox = await db.selectFrom('metric_inbox').select(['ts', 'data'])
    .where('instance_id', '=', q.instanceId).where('source', '=', q.source)
    .where('ts', '>=', from).where('ts', '<', q.to + q.period).execute();
  for (const r of inbox) {
    const value = decodeSample(r.data).find(([m]) => m === q.metric)?.[1];
    if (value === undefined) continue;
    const ts = Math.floor(Number(r.ts) / q.period) * q.period;
    const b = buckets.get(ts);
    if (!b) buckets.set(ts, { ts, count: 1, sum: value, min: value, max: value });
    else if (q.period !== RAW_PERIOD) {
      b.count += 1;
      b.sum += value;
      if (value < b.min) b.min = value;
      if (value > b.max) b.max = value;
    }
  }
  return [...buckets.values()].filter((b) => b.ts >= from && b.ts <= q.to).sort((a, b) => a.ts - b.ts);
}

/**
 * Deletes every chunk whose points are all past retention (a point is kept for its period's
 * retention after its bucket ends). Returns the number of chunks removed per period.
 */
export async function expireChunks(db: Db, now: number): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  for (const def of PERIOD_BY_SECONDS.values()) {
    const r = await db.deleteFrom('metric_chunks').where('period', '=', def.period)
      .where('window_start', '<=', now - def.retention - def.window).executeTakeFirst();
    out[def.period] = Number(r.numDeletedRows);
  }
  return out;
}
