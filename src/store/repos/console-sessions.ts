/**
 * Console sessions and preferences (migration 0070). The caller hashes the token; this
 * repository never sees one.
 */
import type { Kysely } from 'kysely';
import type { ConsoleSessionsTable, Database } from '../schema.ts';

export interface ConsoleSession {
  tokenHash: string;
  accountUin: string;
  userId: string;
  sourceIp: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export async function insertConsoleSession(db: Kysely<Database>, s: ConsoleSession): Promise<void> {
  await db.insertInto('console_sessions').values(toRow(s)).execute();
}

export async function getConsoleSession(db: Kysely<Database>, tokenHash: string): Promise<ConsoleSession | undefined> {
  const row = await db.selectFrom('console_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && {
    tokenHash: row.token_hash, accountUin: row.account_uin, userId: row.user_id, sourceIp: row.source_ip,
    createdAt: Number(row.created_at), lastSeenAt: Number(row.last_seen_at), expiresAt: Number(row.expires_at),
  };
}

export async function touchConsoleSession(db: Kysely<Database>, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

/** True when a session was deleted. */
export async function deleteConsoleSession(db: Kysely<Database>, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deletes sessions past their absolute end or idle since before `idleBefore`. */
export async function purgeConsoleSessions(db: Kysely<Database>, now: number, idleBefore: number): Promise<void> {
  await db.deleteFrom('console_sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)])).execute();
}

export async function getConsoleLanguage(db: Kysely<Database>, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('console_preferences').select('language').where('user_id', '=', userId).executeTakeFirst();
  return row?.language;
}

export async function setConsoleLanguage(db: Kysely<Database>, userId: string, language: string, now: number): Promise<void> {
  await db.insertInto('console_preferences').values({ user_id: userId, language, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ language, updated_at: now })).execute();
}

function toRow(s: ConsoleSession): ConsoleSessionsTable {
  return {
    token_hash: s.tokenHash, account_uin: s.accountUin, user_id: s.userId, source_ip: s.sourceIp,
    created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt,
  };
}
