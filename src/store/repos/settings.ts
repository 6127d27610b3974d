/**
 * Settings: a small key/value table for service state with no table of its own (a schema
 * marker, the id of the last bootstrap, a feature switch). Values are strings; a caller that
 * needs structure stores JSON and parses it itself.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The value stored under `key`, or undefined. */
export async function getSetting(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Stores `value` under `key`, replacing any previous value. */
export async function setSetting(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
