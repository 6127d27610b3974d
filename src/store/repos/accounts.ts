/**
 * Accounts: the tenant boundary. Every user, key and resource belongs to exactly one.
 *
 * An account has three identities, each unique, because Tencent's API uses all three: the
 * `uin` (primary key, "OwnerUin" on the wire), the numeric `appId` (AppId, e.g. 1300000000123),
 * and a `uuid`. `kind` separates customers ('tenant') from the people running the cloud
 * ('operator').
 *
 * Like every repository here, these functions take a `Kysely<Database>` — `store.db` or a
 * transaction's `tx` — and speak camelCase domain objects; rows never leave this file.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { AccountKind, AccountsTable, Database } from '../schema.ts';

export type { AccountKind };

export interface Account {
  uin: string;
  appId: number;
  uuid: string;
  name: string;
  kind: AccountKind;
  createdAt: number;
}

export interface ListAccountsOptions {
  limit?: number;
  offset?: number;
}

/** Inserts `account`; throws ConflictError if its uin, appId or uuid is taken. */
export async function createAccount(db: Kysely<Database>, account: Account): Promise<Account> {
  await translatingConflicts(db.insertInto('accounts').values(toRow(account)).execute());
  return account;
}

export async function getAccountByUin(db: Kysely<Database>, uin: string): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('uin', '=', uin).executeTakeFirst();
  return row && toAccount(row);
}

export async function getAccountByAppId(db: Kysely<Database>, appId: number): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('app_id', '=', appId).executeTakeFirst();
  return row && toAccount(row);
}

/** Accounts oldest first (ties by uin), a page at a time. */
export async function listAccounts(db: Kysely<Database>, options: ListAccountsOptions = {}): Promise<Account[]> {
  let query = db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('uin');
  if (options.limit !== undefined) query = query.limit(options.limit);
  if (options.offset !== undefined) query = query.offset(options.offset);
  return (await query.execute()).map(toAccount);
}

export async function countAccounts(db: Kysely<Database>): Promise<number> {
  const { count } = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

function toRow(a: Account): AccountsTable {
  return { uin: a.uin, app_id: a.appId, uuid: a.uuid, name: a.name, kind: a.kind, created_at: a.createdAt };
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    uin: row.uin,
    appId: row.app_id,
    uuid: row.uuid,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
  };
}
