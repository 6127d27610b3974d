/**
 * Users: the people (or programs) inside an account that hold API keys.
 *
 * A user has an opaque `id` (primary key) and its own `uin` (Tencent's SubAccountUin), both
 * unique; its `name` is unique within the account. Each account has one root user
 * (`isRoot`), created with the account, whose uin conventionally equals the account's.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, UsersTable } from '../schema.ts';

export interface User {
  id: string;
  accountUin: string;
  name: string;
  uin: string;
  isRoot: boolean;
  createdAt: number;
}

/** Inserts `user`; throws ConflictError if its id, uin, or name within the account is taken. */
export async function createUser(db: Kysely<Database>, user: User): Promise<User> {
  await translatingConflicts(db.insertInto('users').values(toRow(user)).execute());
  return user;
}

export async function getUser(db: Kysely<Database>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** The account's root user (the oldest, should an account ever hold several). */
export async function getRootUser(db: Kysely<Database>, accountUin: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('account_uin', '=', accountUin)
    .where('is_root', '=', 1)
    .orderBy('created_at')
    .executeTakeFirst();
  return row && toUser(row);
}

/** The account's users other than root, oldest first. */
export async function listSubUsers(db: Kysely<Database>, accountUin: string): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().where('account_uin', '=', accountUin).where('is_root', '=', 0)
    .orderBy('created_at').orderBy('uin').execute();
  return rows.map(toUser);
}

/** The user with this uin in this account (another account's uin finds nothing). */
export async function getUserByUin(db: Kysely<Database>, accountUin: string, uin: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('account_uin', '=', accountUin).where('uin', '=', uin).executeTakeFirst();
  return row && toUser(row);
}

export async function getUserByName(db: Kysely<Database>, accountUin: string, name: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('account_uin', '=', accountUin).where('name', '=', name).executeTakeFirst();
  return row && toUser(row);
}

/**
 * Locks the user's row until the transaction ends (a no-op update: a row lock on PostgreSQL;
 * SQLite serialises transactions anyway), so check-then-insert on its keys cannot race.
 */
export async function lockUser(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.updateTable('users').set((eb) => ({ name: eb.ref('name') })).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes the user row (its keys, credentials and attachments must be gone first); false if absent. */
export async function deleteUser(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function toRow(u: User): UsersTable {
  return {
    id: u.id,
    account_uin: u.accountUin,
    name: u.name,
    uin: u.uin,
    is_root: u.isRoot ? 1 : 0,
    created_at: u.createdAt,
  };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    accountUin: row.account_uin,
    name: row.name,
    uin: row.uin,
    isRoot: row.is_root === 1,
    createdAt: row.created_at,
  };
}
