/**
 * Columns holding secrets sealed with the master key (`*_enc`), as a master-key rotation
 * (src/iam/rotate-master-key.ts) walks them: which they are, the rows not yet under a key,
 * and a compare-and-set of one sealed value. Opening and sealing stay in iam.
 */
import { sql } from 'kysely';
import type { Store, Tx } from '../store.ts';

/** A sealed column: its table, the row's key column, and the column its seal is bound to. */
export interface SealedColumn {
  table: string;
  column: string;
  key: string;
  context: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'api_keys', column: 'secret_key_enc', key: 'secret_id', context: 'secret_id' },
  { table: 'servers', column: 'bmc_password_enc', key: 'id', context: 'id' },
  { table: 'bmc_accounts', column: 'password_enc', key: 'instance_id', context: 'instance_id' },
  { table: 'alarm_policies', column: 'webhook_secret_enc', key: 'id', context: 'id' },
  { table: 'redfish_sessions', column: 'token_enc', key: 'bmc_key', context: 'bmc_key' },
  { table: 'install_media', column: 'seed_enc', key: 'instance_id', context: 'media_token' },
];

/** A sealed value: its row's key, the context its seal is bound to, and the sealed text. */
export interface SealedRow { k: string; ctx: string; v: string }

/** Up to `limit` rows of `c` after key `after` whose seal does not start with `prefix` (the current key's), by key. */
export async function sealedRowsNotUnder(db: Tx, c: SealedColumn, prefix: string, after: string, limit: number): Promise<SealedRow[]> {
  const { rows } = await sql<SealedRow>`select ${sql.ref(c.key)} as k, ${sql.ref(c.context)} as ctx, ${sql.ref(c.column)} as v
    from ${sql.table(c.table)} where ${sql.ref(c.key)} > ${after} and ${sql.ref(c.column)} not like ${`${prefix}%`}
    order by ${sql.ref(c.key)} limit ${limit}`.execute(db);
  return rows;
}

/** Replaces the sealed value of row `key` by `next`, only if it is still `previous`; whether it did. */
export async function replaceSealedValue(tx: Tx, c: SealedColumn, key: string, previous: string, next: string): Promise<boolean> {
  const result = await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next}
    where ${sql.ref(c.key)} = ${key} and ${sql.ref(c.column)} = ${previous}`.execute(tx);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/** `table.column` of every column whose name ends in `_enc`, in the store's own schema. */
export async function encColumns(store: Store): Promise<string[]> {
  const query = store.dialect === 'postgres'
    ? sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
        where table_schema = current_schema() and column_name like '%\\_enc' escape '\\'`
    : sql<{ t: string; c: string }>`select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p
        where m.type = 'table' and p.name like '%\\_enc' escape '\\'`;
  const { rows } = await query.execute(store.db);
  return rows.map((r) => `${r.t}.${r.c}`).sort();
}
