/**
 * Monotonic counters held in the store (TaskIds): `UPDATE … SET value = value + n RETURNING`,
 * atomic on SQLite and PostgreSQL alike, so ids are unique across processes.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Reserves `count` consecutive values of `name` and returns the first. */
export async function nextValues(db: Kysely<Database>, name: string, count: number, start = 1_000_000): Promise<number> {
  await db.insertInto('sequences').values({ name, value: start }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.updateTable('sequences').set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', name).returning('value').executeTakeFirstOrThrow();
  return Number(row.value) - count + 1;
}
