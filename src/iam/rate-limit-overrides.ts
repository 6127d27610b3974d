/**
 * The operator's rate-limit overrides, read through a short cache.
 *
 * SPEC §2 gives every action a default (40 / 20 / 10 requests per second per account), carried
 * by the spec as `rateLimit`. Operators override it per action for one account, or for every
 * account (`SetRateLimit`); the most specific rule wins: account override, then the
 * every-account override, then the spec's default.
 *
 * The gateway asks on every request, so the answer must cost a Map lookup, not a query: the
 * whole (small) table is kept in memory and reloaded in the background once it is older than
 * `ttlMs`, so an override made on another process takes effect within that time. The process
 * that makes the change calls `reload()` and sees it at once. Until the first load completes
 * (the composition root awaits `ready()` before serving) the defaults apply.
 */
import { EVERY_ACCOUNT, listRateLimitOverrides } from '../store/repos/rate-limits.ts';
import type { Tx } from '../store/store.ts';

export interface RateLimitOverrides {
  /**
   * The limit for a gateway rate-limit key (`<accountUin>/<service>/<action>`, as built by
   * src/gateway/steps/rate-limit.ts), or `fallback` (the spec's default) when no rule applies.
   */
  limitFor(key: string, fallback: number): number;
  /** Reloads now; resolves once the new rules are in effect in this process. */
  reload(): Promise<void>;
}

export interface OverrideOptions {
  ttlMs: number;
  clock: () => number;
  logger: { error(obj: object, msg?: string): void };
}

export function rateLimitOverrides(db: Tx, opts: OverrideOptions): RateLimitOverrides {
  let rules = new Map<string, number>();
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const load = async () => {
    const rows = await listRateLimitOverrides(db);
    rules = new Map(rows.map((r) => [`${r.accountUin}/${r.service}/${r.action}`, r.perSecond]));
    loadedAt = opts.clock();
  };
  const refreshInBackground = () => {
    loading ??= load()
      .catch((err: unknown) => {
        loadedAt = opts.clock(); // keep the old rules a while rather than retrying on every request
        opts.logger.error({ err }, 'rate limit overrides could not be loaded; keeping the previous ones');
      })
      .finally(() => (loading = undefined));
  };
  return {
    limitFor(key, fallback) {
      if (opts.clock() - loadedAt > opts.ttlMs) refreshInBackground();
      if (rules.size === 0) return fallback;
      return rules.get(key) ?? rules.get(`${EVERY_ACCOUNT}/${key.slice(key.indexOf('/') + 1)}`) ?? fallback;
    },
    async reload() {
      await loading;
      await load();
    },
  };
}
