/**
 * API keys: the SecretId/SecretKey pairs that sign Tencent Cloud API 3.0 requests.
 *
 * The store never sees a SecretKey in the clear: the caller encrypts it and hands over
 * `secretKeyEnc`, an opaque string. On every signed request the gateway looks a key up by its
 * SecretId, and needs in the same breath who it speaks for — the user and the account — so
 * `getKey` returns the key joined with both (`KeyWithOwner`), in one query.
 *
 * An 'Inactive' key is kept (so it can be re-enabled) but must not authenticate; deciding
 * that is the caller's job — the store only records the status.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { AccountKind, ApiKeysTable, Database, KeyStatus } from '../schema.ts';

export type { KeyStatus };

export interface ApiKey {
  secretId: string;
  userId: string;
  secretKeyEnc: string;
  status: KeyStatus;
  createdAt: number;
  /** Set for temporary credentials only. */
  tokenHash?: string | undefined;
  expiresAt?: number | undefined;
}

/** A key with the identity it signs for: what authentication needs from one lookup. */
export interface KeyWithOwner extends ApiKey {
  userUin: string;
  isRoot: boolean;
  accountUin: string;
  appId: number;
  accountKind: AccountKind;
}

/** Inserts `key`; throws ConflictError if its secretId is taken. */
export async function createKey(db: Kysely<Database>, key: ApiKey): Promise<ApiKey> {
  await translatingConflicts(db.insertInto('api_keys').values(toRow(key)).execute());
  return key;
}

export async function getKey(db: Kysely<Database>, secretId: string): Promise<KeyWithOwner | undefined> {
  const row = await db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .innerJoin('accounts as a', 'a.uin', 'u.account_uin')
    .selectAll('k')
    .select(['u.uin as user_uin', 'u.is_root', 'a.uin as account_uin', 'a.app_id', 'a.kind'])
    .where('k.secret_id', '=', secretId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...toApiKey(row),
    userUin: row.user_uin,
    isRoot: row.is_root === 1,
    accountUin: row.account_uin,
    appId: row.app_id,
    accountKind: row.kind,
  };
}

/** The user's keys, oldest first. */
export async function listKeysForUser(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('secret_id')
    .execute();
  return rows.map(toApiKey);
}

/** Sets the key's status; false if there is no such key. */
export async function setKeyStatus(db: Kysely<Database>, secretId: string, status: KeyStatus): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ status })
    .where('secret_id', '=', secretId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes the key; false if there was no such key. */
export async function deleteKey(db: Kysely<Database>, secretId: string): Promise<boolean> {
  const result = await db.deleteFrom('api_keys').where('secret_id', '=', secretId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The user's permanent keys (temporary credentials left out), oldest first. */
export async function listPermanentKeys(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  return (await listKeysForUser(db, userId)).filter((k) => k.tokenHash === undefined);
}

/** The SecretIds of every key of the user, temporary ones included. */
export async function keyIdsOfUser(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('api_keys').select('secret_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.secret_id);
}

/** Deletes every key of the user, temporary ones included; how many went. */
export async function deleteKeysOfUser(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('api_keys').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes the temporary keys that expired before `before`, with their session policies; how
 * many keys went. Call inside a transaction (two statements).
 */
export async function purgeExpiredTemporaryKeys(db: Kysely<Database>, before: number): Promise<number> {
  const expired = (await db.selectFrom('api_keys').select('secret_id')
    .where('token_hash', 'is not', null).where('expires_at', '<', before).execute()).map((r) => r.secret_id);
  if (expired.length === 0) return 0;
  await db.deleteFrom('session_policies').where('secret_id', 'in', expired).execute();
  const result = await db.deleteFrom('api_keys').where('secret_id', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toRow(k: ApiKey): ApiKeysTable {
  return {
    secret_id: k.secretId,
    user_id: k.userId,
    secret_key_enc: k.secretKeyEnc,
    status: k.status,
    created_at: k.createdAt,
    token_hash: k.tokenHash ?? null,
    expires_at: k.expiresAt ?? null,
  };
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    secretId: row.secret_id,
    userId: row.user_id,
    secretKeyEnc: row.secret_key_enc,
    status: row.status,
    createdAt: row.created_at,
    ...(row.token_hash === null ? {} : { tokenHash: row.token_hash }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}
