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
 * Cost on the hot path. A process does not write once per request: it reserves a small batch
 * of the window's requests at a time (`count = count + batch`), learns from the returned total
 * how many of them fall within the limit, and hands those out locally. The batch is a twentieth
 * of the limit (at least 1), so a key costs at most ~20 writes per second however busy it is,
 * and at the spec's limits (10–40/s) the count stays exact to within one request per process.
 * The limit is never exceeded: a process only uses what the store granted it; what it reserved
 * and did not use is simply lost when the window ends. Once the store is exhausted for a key in
 * a window, the process refuses that key locally until the window ends — counts only grow within
 * a window — so a flood never turns into a flood of database writes. Concurrent requests for a
 * key wait for the one reservation in flight rather than each making their own. Both local
 * answers (a token left, the window exhausted) are given synchronously; only a request that
 * needs a reservation waits for the store.
 *
 * When the store cannot be reached the limiter lets requests through and logs (at most every
 * 10 s): a rate limit protects the service, it must not be the reason the service is down.
 *
 * `limitedBy(overrides, counter)` applies the operator's overrides (rate-limit-overrides.ts)
 * to any counter — this one, or the in-process `memoryRateLimiter` for a single node.
 */
import type { RateLimiter } from './ports.ts';
import { incrementCounter, purgeCounters } from '../store/repos/rate-limits.ts';
import type { RateLimitOverrides } from './rate-limit-overrides.ts';
import type { Tx } from '../store/store.ts';

const PURGE_EVERY_MS = 10_000;
const LOG_FAILURE_EVERY_MS = 10_000;
/** Reservations per key and window at most (the batch is limit / this). */
const RESERVATIONS_PER_WINDOW = 20;

export interface StoreRateLimiterOptions {
  logger: { error(obj: object, msg?: string): void };
}

/** This process's share of one key's current window. */
interface Share {
  /** Requests granted by the store and not handed out yet. */
  tokens: number;
  /** The store has nothing more for this window. */
  exhausted: boolean;
  /** The reservation in flight, which concurrent requests wait for. */
  pending?: Promise<void>;
}

export function storeRateLimiter(db: Tx, opts: StoreRateLimiterOptions): RateLimiter {
  let window = 0;
  let shares = new Map<string, Share>();
  let purgedAt = 0;
  let failureLoggedAt = -Infinity;

  const startWindow = (w: number, now: number) => {
    window = w;
    shares = new Map();
    if (now - purgedAt < PURGE_EVERY_MS) return;
    purgedAt = now;
    void purgeCounters(db, w - 1).catch((err: unknown) => opts.logger.error({ err }, 'rate counter purge failed'));
  };

  /** Reserves a batch for `share`; adds what the store granted. False if the store failed. */
  const reserve = async (share: Share, key: string, limit: number, w: number, now: number): Promise<boolean> => {
    const batch = Math.max(1, Math.floor(limit / RESERVATIONS_PER_WINDOW));
    try {
      const total = await incrementCounter(db, key, w, batch);
      const granted = Math.max(0, Math.min(batch, limit - (total - batch)));
      share.tokens += granted;
      if (granted < batch) share.exhausted = true;
      return true;
    } catch (err) {
      if (now - failureLoggedAt >= LOG_FAILURE_EVERY_MS) {
        failureLoggedAt = now;
        opts.logger.error({ err }, 'rate counter unavailable; letting requests through');
      }
      return false;
    }
  };

  /** The store's turn: wait for the reservation in flight or make one, then decide. */
  const takeAfterReserving = async (share: Share, key: string, limit: number, w: number, now: number): Promise<boolean> => {
    for (;;) {
      const local = decideLocally(share);
      if (local !== undefined) return local;
      if (share.pending) {
        await share.pending;
        continue;
      }
      let reachable = true;
      share.pending = reserve(share, key, limit, w, now).then((ok) => {
        reachable = ok;
      });
      await share.pending;
      share.pending = undefined;
      if (!reachable) return true;
    }
  };

  return {
    take(key, limit, now) {
      const w = Math.floor(now / 1000);
      if (w !== window) startWindow(w, now);
      if (limit <= 0) return false;
      let share = shares.get(key);
      if (!share) shares.set(key, (share = { tokens: 0, exhausted: false }));
      // Decided from this process's share — the common case — synchronously: no promise.
      return decideLocally(share) ?? takeAfterReserving(share, key, limit, w, now);
    },
  };
}

/** A token from the share (true), the window exhausted (false), or undefined: ask the store. */
function decideLocally(share: Share): boolean | undefined {
  if (share.tokens > 0) {
    share.tokens -= 1;
    return true;
  }
  return share.exhausted ? false : undefined;
}

/** A limiter that resolves each key's limit through the operator's overrides first. */
export function limitedBy(overrides: RateLimitOverrides, counter: RateLimiter): RateLimiter {
  return {
    take: (key, limit, now) => counter.take(key, overrides.limitFor(key, limit), now),
  };
}
