/**
 * The rollup job: every `intervalMs`, compact every instance's closed raw windows (one
 * transaction per instance, src/store/repos/metrics.ts), then delete chunks past retention.
 * Its state is the database itself — the inbox rows still there are the work left — so a
 * restart simply carries on, and a kill mid-pass loses only the uncommitted instance, which the
 * next pass redoes from the same rows.
 */
import { compactInstance, expireChunks, instancesToCompact } from '../store/repos/metrics.ts';
import type { Store } from '../store/store.ts';
import { compactionCutoff } from './ingest.ts';

export interface RollupJobOptions {
  store: Store;
  clock: () => number;
  logger: { warn(o: object, m?: string): void; info(o: object, m?: string): void };
  intervalMs: number;
  /** Instances read per page. */
  page?: number;
}

export interface PassResult {
  instances: number;
  samples: number;
  expired: Record<number, number>;
}

export interface RollupJob {
  runOnce(): Promise<PassResult>;
  stop(): void;
}

export async function rollupPass(store: Store, nowMs: number, page = 200): Promise<PassResult> {
  const nowS = Math.floor(nowMs / 1000);
  const cutoff = compactionCutoff(nowS);
  let after = '';
  let instances = 0, samples = 0;
  for (;;) {
    const ids = await instancesToCompact(store.db, cutoff, after, page);
    if (ids.length === 0) break;
    for (const id of ids) {
      samples += await store.transaction((tx) => compactInstance(tx, id, cutoff, { nowMs }));
      instances += 1;
    }
    after = ids.at(-1)!;
  }
  const expired = await expireChunks(store.db, nowS);
  return { instances, samples, expired };
}

export function startRollupJob(o: RollupJobOptions): RollupJob {
  let running: Promise<PassResult> | undefined;
  const runOnce = () => {
    running ??= rollupPass(o.store, o.clock(), o.page).finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => void runOnce().catch((err) => o.logger.warn({ err }, 'metric rollup failed')), o.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
