/**
 * Replay protection: each signed mutating request may be accepted once.
 *
 * The gateway calls `remember(signature, expiresAt)` after verifying a signature and before
 * acting. The answer must be right even when two server processes receive the same captured
 * request at the same instant, so it is one atomic statement, not a read followed by a write:
 *
 *   INSERT INTO request_replays VALUES (:signature, :expiresAt)
 *   ON CONFLICT (signature) DO UPDATE SET expires_at = excluded.expires_at
 *     WHERE request_replays.expires_at <= :now
 *
 * A new signature inserts a row (1 row affected → true). A stored, still-valid one matches the
 * conflict but fails the WHERE, so nothing changes (0 rows → false) — this is `DO NOTHING` for
 * every live duplicate. A stored but expired one is taken over by the new request (1 row →
 * true), so an expired row that `purgeExpired` has not reached yet never blocks a request.
 * The database's unique index arbitrates concurrent callers; exactly one of them sees true.
 *
 * A row has expired when `expires_at <= now`. `now` defaults to the wall clock; tests pass one.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Records `signature` until `expiresAt`; false if it is already recorded and not expired. */
export async function remember(
  db: Kysely<Database>,
  signature: string,
  expiresAt: number,
  now: number = Date.now(),
): Promise<boolean> {
  const result = await db
    .insertInto('request_replays')
    .values({ signature, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('signature')
        .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
        .where('request_replays.expires_at', '<=', now),
    )
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Deletes every record expired at `now`; returns how many. */
export async function purgeExpired(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('request_replays').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
