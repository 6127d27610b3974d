/**
 * Rate limiting in the store: shared per-second counters and the operator's limit overrides.
 *
 * A counter is one row per (key, window). Counting a request is ONE atomic statement,
 *
 *   INSERT INTO rate_counters (key, window, count) VALUES (:key, :window, 1)
 *   ON CONFLICT (key, window) DO UPDATE SET count = rate_counters.count + 1
 *   RETURNING count
 *
 * so two processes counting the same key at the same instant each get a distinct number and
 * exactly `limit` of them see a count ≤ limit. Windows older than the current one are useless
 * and are purged in the background.
 *
 * An override sets the requests per second of one action of one service, for one account or
 * (account '*') for every account. The table is small (what operators typed), so readers load
 * it whole and cache it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Counts one request in `window` (epoch seconds); returns the count including this one. */
export async function incrementCounter(db: Kysely<Database>, key: string, window: number): Promise<number> {
  const row = await db.insertInto('rate_counters').values({ key, window, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window']).doUpdateSet({ count: (eb) => eb('rate_counters.count', '+', 1) }))
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
