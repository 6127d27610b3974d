/**
 * Rate limiting in the store: shared per-second counters and the operator's limit overrides.
 *
 * A counter is one row per (key, window). Counting a request is ONE atomic statement,
 *
 *   INSERT INTO rate_counters (key, window, count) VALUES (:key, :window, :n)
 *   ON CONFLICT (key, window) DO UPDATE SET count = rate_counters.count + :n
 *   RETURNING count
 *
 * so two processes counting the same key at the same instant each get a distinct total, and
 * from it exactly which of the `n` requests they counted fall within the limit. Windows older
 * than the current one are useless and are purged in the background.
 *
 * An override sets the requests per second of one action of one service, for one account or
 * (account '*') for every account. The table is small (what operators typed), so readers load
 * it whole and cache it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Counts `n` requests in `window` (epoch seconds); returns the count including them. */
export async function incrementCounter(db: Kysely<Database>, key: string, window: number, n = 1): Promise<number> {
  const row = await db.insertInto('rate_counters').values({ key, window, count: n })
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet({ count: (eb) => eb('rate_counters.count', '+', n) }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Deletes the counters of windows before `window`; returns how many. */
export async function purgeCounters(db: Kysely<Database>, window: number): Promise<number> {
  const result = await db.deleteFrom('rate_counters').where('window', '<', window).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The account of an override that applies to every account. */
export const EVERY_ACCOUNT = '*';

export interface RateLimitOverride {
  accountUin: string;
  service: string;
  action: string;
  perSecond: number;
  updatedAt: number;
}

export async function listRateLimitOverrides(db: Kysely<Database>): Promise<RateLimitOverride[]> {
  const rows = await db.selectFrom('rate_limits').selectAll().orderBy('service').orderBy('action').orderBy('account_uin').execute();
  return rows.map((r) => ({ accountUin: r.account_uin, service: r.service, action: r.action, perSecond: Number(r.per_second), updatedAt: Number(r.updated_at) }));
}

export async function putRateLimitOverride(db: Kysely<Database>, o: RateLimitOverride): Promise<void> {
  await db.insertInto('rate_limits')
    .values({ account_uin: o.accountUin, service: o.service, action: o.action, per_second: o.perSecond, updated_at: o.updatedAt })
    .onConflict((oc) => oc.columns(['account_uin', 'service', 'action']).doUpdateSet({ per_second: o.perSecond, updated_at: o.updatedAt }))
    .execute();
}

export async function deleteRateLimitOverride(db: Kysely<Database>, accountUin: string, service: string, action: string): Promise<boolean> {
  const result = await db.deleteFrom('rate_limits')
    .where('account_uin', '=', accountUin).where('service', '=', service).where('action', '=', action)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
