/**
 * Rate limits that hold across server processes: the counters live in the store.
 *
 * Every process sharing one database counts into the same row per (account/service/action,
 * one-second window) with one atomic upsert (src/store/repos/rate-limits.ts), so the limit
 * holds for the sum of all processes — 40 DescribeInstances per second per account means 40
 * across the whole deployment, not 40 per process. Windows are fixed seconds of the wall clock;
 * processes on different hosts should keep their clocks in sync (NTP), as the signature check
 * already requires.
 *
 * Cost on the hot path: one upsert per allowed request. A request over the limit costs nothing
 * further: once the store has answered "over" for a key in this window, the process refuses
 * that key locally until the window ends — counts only grow within a window, so the answer
 * cannot change — which keeps a flood from turning into a flood of database writes.
 *
 * When the store cannot be reached the limiter lets requests through and logs (at most every
 * 10 s): a rate limit protects the service, it must not be the reason the service is down.
 *
 * `limitedBy(overrides, counter)` applies the operator's overrides (rate-limit-overrides.ts)
 * to any counter — this one, or the in-process `memoryRateLimiter` for a single node.
 */
import type { Kysely } from 'kysely';
import type { RateLimiter } from '../gateway/deps.ts';
import { incrementCounter, purgeCounters } from '../store/repos/rate-limits.ts';
import type { Database } from '../store/schema.ts';
import type { RateLimitOverrides } from './rate-limit-overrides.ts';

const PURGE_EVERY_MS = 10_000;
const LOG_FAILURE_EVERY_MS = 10_000;

export interface StoreRateLimiterOptions {
  logger: { error(obj: object, msg?: string): void };
}

export function storeRateLimiter(db: Kysely<Database>, opts: StoreRateLimiterOptions): RateLimiter {
  let window = 0;
  let over = new Set<string>();
  let purgedAt = 0;
  let failureLoggedAt = -Infinity;
  const startWindow = (w: number, now: number) => {
    window = w;
    over = new Set();
    if (now - purgedAt < PURGE_EVERY_MS) return;
    purgedAt = now;
    void purgeCounters(db, w - 1).catch((err: unknown) => opts.logger.error({ err }, 'rate counter purge failed'));
  };
  return {
    async take(key, limit, now) {
      const w = Math.floor(now / 1000);
      if (w !== window) startWindow(w, now);
      if (limit <= 0 || over.has(key)) return false;
      let count: number;
      try {
        count = await incrementCounter(db, key, w);
      } catch (err) {
        if (now - failureLoggedAt >= LOG_FAILURE_EVERY_MS) {
          failureLoggedAt = now;
          opts.logger.error({ err }, 'rate counter unavailable; letting requests through');
        }
        return true;
      }
      if (count <= limit) return true;
      if (w === window) over.add(key);
      return false;
    },
  };
}

/** A limiter that resolves each key's limit through the operator's overrides first. */
export function limitedBy(overrides: RateLimitOverrides, counter: RateLimiter): RateLimiter {
  return {
    take: (key, limit, now) => counter.take(key, overrides.limitFor(key, limit), now),
  };
}
