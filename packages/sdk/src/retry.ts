/**
 * When a failed call may be sent again, and how long to wait first.
 *
 * Safe to retry: anything answered `RequestLimitExceeded` (the service refused it before doing
 * anything), a network error before the request was sent (connection refused, DNS), and — for
 * idempotent calls only (read-only actions, and mutating ones that carry a ClientToken) — any
 * other network error or a 5xx from a proxy. A mutating call without a ClientToken is never
 * re-sent once it may have reached the service. Waits are exponential with full jitter.
 */
import { BmsError, BmsNetworkError } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 = no retry). */
  maxAttempts: number;
  /** First backoff ceiling in ms (default 200); doubles per attempt. */
  baseDelayMs: number;
  /** Largest wait in ms (default 5000). */
  maxDelayMs: number;
  /** Replaceable for tests: [0, 1). */
  random: () => number;
  /** Replaceable for tests; must reject with the signal's reason when it aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000, random: Math.random, sleep: abortableSleep,
};

/** Whether `error` after an attempt of a call that is (or is not) idempotent may be retried. */
export function retryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof BmsError) {
    if (error.code === 'RequestLimitExceeded') return true;
    return idempotent && error.httpStatus >= 500;
  }
  if (error instanceof BmsNetworkError) return !error.sent || idempotent;
  return false;
}

/** Full jitter: uniform in [0, min(max, base·2^attempt)). `attempt` counts from 0. */
export function backoff(attempt: number, o: RetryOptions): number {
  return Math.floor(o.random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt));
}
