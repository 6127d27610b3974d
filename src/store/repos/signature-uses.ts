/**
 * Signature uses: what a TC3 signature that left `X-TC-Action` unsigned was first used for.
 *
 * `recordFirstUse` is one atomic insert (taking over an expired record), then — when another
 * use came first — a read of that record: whichever process sees a signature first fixes its
 * purpose, and every process agrees on it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SignatureUse {
  service: string;
  action: string;
}

/** Records `use` as the first use of `signature` unless one is recorded; returns the first use. */
export async function recordFirstUse(
  db: Kysely<Database>, signature: string, use: SignatureUse, expiresAt: number, now: number,
): Promise<SignatureUse> {
  for (let attempt = 0; ; attempt++) {
    const result = await db.insertInto('signature_uses')
      .values({ signature, service: use.service, action: use.action, expires_at: expiresAt })
      .onConflict((oc) => oc.column('signature')
        .doUpdateSet({
          service: (eb) => eb.ref('excluded.service'), action: (eb) => eb.ref('excluded.action'), expires_at: (eb) => eb.ref('excluded.expires_at'),
        })
        .where('signature_uses.expires_at', '<=', now))
      .executeTakeFirst();
    if ((result.numInsertedOrUpdatedRows ?? 0n) > 0n) return use;
    const row = await db.selectFrom('signature_uses').select(['service', 'action']).where('signature', '=', signature).executeTakeFirst();
    if (row) return row;
    if (attempt >= 3) return use; // purged in between: it has expired, this use is as good as first
  }
}

/** Deletes every record expired at `now`; returns how many. */
export async function purgeExpiredSignatureUses(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('signature_uses').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
