/**
 * The database as TypeScript sees it.
 *
 * Kysely type-checks every query against this `Database` interface: a table is a property, a
 * column is a field, and a typo in either is a compile error rather than a runtime one. The
 * interface describes the rows exactly as they are stored, so names stay snake_case here; the
 * repositories in `repos/` translate rows to camelCase domain objects at the boundary.
 *
 * One code path serves SQLite and PostgreSQL, which forces two conventions:
 *   - times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL), surfaced as `number`
 *     (the PostgreSQL pool parses int8 into a number; see `postgres/pg-types.ts`);
 *   - booleans are INTEGER 0/1 (`Flag`), because SQLite has no boolean type.
 *
 * This file must match what `migrations/` creates; the conformance suite proves it by round
 * trips on both backends.
 */

/** An INTEGER column holding 0 (false) or 1 (true). */
export type Flag = 0 | 1;

/** Whether an account belongs to a customer or to the people who run the cloud. */
export type AccountKind = 'tenant' | 'operator';

/** Whether an API key may sign requests. */
export type KeyStatus = 'Active' | 'Inactive';

/** A Tencent-style account: the tenant boundary; every resource belongs to one. */
export interface AccountsTable {
  uin: string;
  app_id: number;
  uuid: string;
  name: string;
  kind: AccountKind;
  created_at: number;
}

/** A user inside an account; exactly one per account is the root user. */
export interface UsersTable {
  id: string;
  account_uin: string;
  name: string;
  uin: string;
  is_root: Flag;
  created_at: number;
}

/** A SecretId/SecretKey pair; the key is stored as ciphertext made by the caller. */
export interface ApiKeysTable {
  secret_id: string;
  user_id: string;
  secret_key_enc: string;
  status: KeyStatus;
  created_at: number;
  /** Temporary credentials only: SHA-256 (hex) of the token, and when the key stops working. */
  token_hash: string | null;
  expires_at: number | null;
}

export interface RegionsTable {
  region: string;
  name: string;
  name_en: string;
  state: string;
}

export interface ZonesTable {
  zone: string;
  region: string;
  zone_id: number;
  name: string;
  name_en: string;
  state: string;
}

/** Signatures of recently accepted mutating requests, kept until they expire. */
export interface RequestReplaysTable {
  signature: string;
  expires_at: number;
}

/** Free-form service settings, one string per key. */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  regions: RegionsTable;
  zones: ZonesTable;
  request_replays: RequestReplaysTable;
  settings: SettingsTable;
}
