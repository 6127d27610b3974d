/**
 * Named exclusive locks with an expiry, held in the store ("server:<id>": one operation per
 * BMC at a time, across every process). Taking a lock is one atomic statement: insert, or take
 * over a lock that expired or that we already hold. A holder that dies simply lets it expire.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export async function acquireLock(db: Kysely<Database>, name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
  return (await acquireLocks(db, [name], owner, now, ttlMs)).has(name);
}

export async function releaseLock(db: Kysely<Database>, name: string, owner: string): Promise<void> {
  await releaseLocks(db, [name], owner);
}

export async function renewLocks(db: Kysely<Database>, names: string[], owner: string, expiresAt: number): Promise<void> {
  if (names.length === 0) return;
  await db.updateTable('locks').set({ expires_at: expiresAt }).where('name', 'in', names).where('owner', '=', owner).execute();
}

/** Takes every lock of `names` that is free (or ours) in one statement; returns the names now held. */
export async function acquireLocks(db: Kysely<Database>, names: readonly string[], owner: string, now: number, ttlMs: number): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.insertInto('locks').values(names.map((name) => ({ name, owner, expires_at: now + ttlMs })))
    .onConflict((oc) => oc.column('name').doUpdateSet({ owner, expires_at: now + ttlMs })
      .where((eb) => eb.or([eb('locks.expires_at', '<=', now), eb('locks.owner', '=', owner)])))
    .returning('name').execute();
  return new Set(rows.map((r) => r.name));
}

export async function releaseLocks(db: Kysely<Database>, names: readonly string[], owner: string): Promise<void> {
  if (names.length === 0) return;
  await db.deleteFrom('locks').where('name', 'in', names).where('owner', '=', owner).execute();
}
