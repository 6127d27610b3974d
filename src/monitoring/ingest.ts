/**
 * The one way samples enter: the agent's push endpoint, the simulated datacenter and the BMC
 * sensor poll all call `ingest`. A batch carries samples of one instance from one source; each
 * sample's time is put on its 10-second slot, its values checked against the catalog and
 * quantized. A sample for a slot already stored changes nothing (a replayed or reordered batch
 * is a success); a sample more than `MAX_LATE_S` old or more than `MAX_AHEAD_S` ahead is
 * skipped (and counted), so a wrong clock cannot write into expired or future windows.
 */
import { METRIC_BY_NAME, RAW_PERIOD, quantize, type MetricSource } from '../shared/metrics.ts';
import { insertSamples, RAW_WINDOW, type Sample } from '../store/repos/metrics.ts';
import type { Store } from '../store/store.ts';

/** Most samples one batch may carry (an hour at 10 s). */
export const MAX_BATCH_SAMPLES = 360;
export const MAX_LATE_S = 6 * 3600;
export const MAX_AHEAD_S = 300;
/** A raw window is compacted once it has been closed this long. */
export const COMPACT_GRACE_S = 30;

/** Windows starting before this (unix seconds) may already be compacted at `nowS`. */
export const compactionCutoff = (nowS: number) => Math.floor((nowS - COMPACT_GRACE_S) / RAW_WINDOW) * RAW_WINDOW;

export interface IncomingSample {
  /** Unix seconds (fractions allowed). */
  ts: number;
  values: Record<string, number>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  skipped: number;
}

export class IngestError extends Error {}

/** Checks and quantizes a batch (throws IngestError naming the culprit). */
export function prepare(instanceId: string, source: MetricSource, samples: readonly IncomingSample[], nowS: number): { ready: Sample[]; skipped: number } {
  if (!Array.isArray(samples)) throw new IngestError('samples must be an array');
  if (samples.length > MAX_BATCH_SAMPLES) throw new IngestError(`a batch carries at most ${MAX_BATCH_SAMPLES} samples, not ${samples.length}`);
  const ready: Sample[] = [];
  let skipped = 0;
  samples.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || typeof s.ts !== 'number' || !Number.isFinite(s.ts)) throw new IngestError(`samples[${i}].ts must be unix seconds`);
    if (typeof s.values !== 'object' || s.values === null) throw new IngestError(`samples[${i}].values must be an object of metric name → number`);
    const values: Array<[number, number]> = [];
    for (const [name, v] of Object.entries(s.values)) {
      const m = METRIC_BY_NAME.get(name.toLowerCase());
      if (!m) throw new IngestError(`samples[${i}].values.${name} is not a metric`);
      if (m.source !== source) throw new IngestError(`samples[${i}].values.${name} is measured by the ${m.source}, not the ${source}`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e12) throw new IngestError(`samples[${i}].values.${name} must be a number from 0 to 1e12`);
      values.push([m.id, quantize(m, v)]);
    }
    const ts = Math.floor(s.ts / RAW_PERIOD) * RAW_PERIOD;
    if (ts < nowS - MAX_LATE_S || ts > nowS + MAX_AHEAD_S) {
      skipped += 1;
      return;
    }
    if (values.length > 0) ready.push({ instanceId, source, ts, values });
  });
  return { ready, skipped };
}

export interface IncomingBatch {
  instanceId: string;
  source: MetricSource;
  samples: readonly IncomingSample[];
}

/** Stores batches (of any instances) in one write; the counts are over all of them. */
export async function ingest(store: Store, batches: readonly IncomingBatch[], nowMs: number): Promise<IngestResult> {
  const nowS = Math.floor(nowMs / 1000);
  const ready: Sample[] = [];
  let skipped = 0;
  for (const b of batches) {
    const p = prepare(b.instanceId, b.source, b.samples, nowS);
    ready.push(...p.ready);
    skipped += p.skipped;
  }
  const accepted = await insertSamples(store.db, ready, compactionCutoff(nowS));
  return { accepted, duplicates: ready.length - accepted, skipped };
}
