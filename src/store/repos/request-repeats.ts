/**
 * Repeats of signed mutating requests: the first execution's answer, kept for its copies.
 *
 * The gateway claims a request's key (signature, service, action, region) before executing
 * it. The claim is one atomic statement, right even when two server processes receive the same
 * request at the same instant:
 *
 *   INSERT INTO request_repeats VALUES (:key, :requestId, 'running', NULL, :expiresAt, :leaseUntil)
 *   ON CONFLICT (key) DO UPDATE SET … = excluded.…
 *     WHERE request_repeats.expires_at <= :now
 *        OR (request_repeats.state = 'running' AND request_repeats.lease_until <= :now)
 *
 * A new key inserts (the caller executes). A live record matches the conflict but fails the
 * WHERE, so nothing changes and the caller reads it: `done` carries the first answer, `running`
 * means another caller is executing it now. An expired record, or a claim whose process died
 * (its lease passed without an answer), is taken over. The unique key arbitrates; exactly one
 * concurrent caller claims.
 *
 * `complete` stores the answer of the claim's own request; `release` deletes the claim of a
 * request that failed, so the same request sent again is judged anew.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type RepeatRecord =
  | { state: 'claimed' }
  | { state: 'running'; requestId: string }
  | { state: 'done'; requestId: string; answer: string };

export interface RepeatClaim {
  key: string;
  requestId: string;
  expiresAt: number;
  leaseUntil: number;
}

/** Claims `key` for `requestId`, or reports the live record that holds it. */
export async function claimRepeat(db: Kysely<Database>, c: RepeatClaim, now: number): Promise<RepeatRecord> {
  for (let attempt = 0; ; attempt++) {
    const result = await db
      .insertInto('request_repeats')
      .values({ key: c.key, request_id: c.requestId, state: 'running', answer: null, expires_at: c.expiresAt, lease_until: c.leaseUntil })
      .onConflict((oc) =>
        oc.column('key')
          .doUpdateSet({
            request_id: (eb) => eb.ref('excluded.request_id'),
            state: 'running',
            answer: null,
            expires_at: (eb) => eb.ref('excluded.expires_at'),
            lease_until: (eb) => eb.ref('excluded.lease_until'),
          })
          .where((eb) => eb.or([
            eb('request_repeats.expires_at', '<=', now),
            eb.and([eb('request_repeats.state', '=', 'running'), eb('request_repeats.lease_until', '<=', now)]),
          ])),
      )
      .executeTakeFirst();
    if ((result.numInsertedOrUpdatedRows ?? 0n) > 0n) return { state: 'claimed' };
    const row = await db.selectFrom('request_repeats').select(['request_id', 'state', 'answer']).where('key', '=', c.key).executeTakeFirst();
    if (row) {
      return row.state === 'done' && row.answer !== null
        ? { state: 'done', requestId: row.request_id, answer: row.answer }
        : { state: 'running', requestId: row.request_id };
    }
    // Released between the two statements: claim again (a few times at most; each release ends a claim).
    if (attempt >= 10) return { state: 'running', requestId: '' };
  }
}

/** Keeps `answer` for the claim of `requestId` (the request succeeded). */
export async function completeRepeat(db: Kysely<Database>, key: string, requestId: string, answer: string): Promise<void> {
  await db.updateTable('request_repeats').set({ state: 'done', answer })
    .where('key', '=', key).where('request_id', '=', requestId).execute();
}

/** Forgets the claim of `requestId` (the request failed: the next copy is judged anew). */
export async function releaseRepeat(db: Kysely<Database>, key: string, requestId: string): Promise<void> {
  await db.deleteFrom('request_repeats').where('key', '=', key).where('request_id', '=', requestId).execute();
}

/** The record of `key`, if any (for tests and diagnostics). */
export async function findRepeat(db: Kysely<Database>, key: string) {
  return db.selectFrom('request_repeats').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Deletes every record expired at `now`; returns how many. */
export async function purgeExpiredRepeats(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('request_repeats').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
