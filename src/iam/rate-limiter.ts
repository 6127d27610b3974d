/**
 * Per-second request counting for the gateway's rate limits (fixed one-second windows).
 *
 * This counter lives in the process: with several processes each allows the limit, which is
 * acceptable for one node and is replaced by a shared (store- or Redis-backed) counter when
 * the service scales out.
 */
import type { RateLimiter } from './ports.ts';

export function memoryRateLimiter(): RateLimiter {
  let window = 0;
  let counts = new Map<string, number>();
  return {
    take(key, limit, now) {
      const current = Math.floor(now / 1000);
      if (current !== window) {
        window = current;
        counts = new Map();
      }
      const used = counts.get(key) ?? 0;
      if (used >= limit) return false;
      counts.set(key, used + 1);
      return true;
    },
  };
}
