/**
 * User credentials beyond API keys: a remark, whether the user may log in to the console, and
 * the console password as a slow hash. The hash is made by the caller (src/iam/passwords.ts);
 * this repository never sees a password.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, UserCredentialsTable } from '../schema.ts';

export interface UserCredentials {
  userId: string;
  remark: string;
  consoleLogin: boolean;
  passwordHash: string | null;
  updatedAt: number;
}

/** Inserts or replaces the user's row. */
export async function putUserCredentials(db: Kysely<Database>, c: UserCredentials): Promise<void> {
  const row: UserCredentialsTable = {
    user_id: c.userId, remark: c.remark, console_login: c.consoleLogin ? 1 : 0, password_hash: c.passwordHash, updated_at: c.updatedAt,
  };
  await db.insertInto('user_credentials').values(row)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({
      remark: row.remark, console_login: row.console_login, password_hash: row.password_hash, updated_at: row.updated_at,
    }))
    .execute();
}

export async function getUserCredentials(db: Kysely<Database>, userId: string): Promise<UserCredentials | undefined> {
  const row = await db.selectFrom('user_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row && toCredentials(row);
}

/** The rows of several users at once, by user id. */
export async function credentialsOfUsers(db: Kysely<Database>, userIds: string[]): Promise<Map<string, UserCredentials>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('user_credentials').selectAll().where('user_id', 'in', userIds).execute();
  return new Map(rows.map((r) => [r.user_id, toCredentials(r)]));
}

export async function deleteUserCredentials(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('user_credentials').where('user_id', '=', userId).execute();
}

function toCredentials(row: Selectable<UserCredentialsTable>): UserCredentials {
  return {
    userId: row.user_id, remark: row.remark, consoleLogin: row.console_login === 1, passwordHash: row.password_hash, updatedAt: Number(row.updated_at),
  };
}
