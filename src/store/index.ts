/**
 * The store's public face: open it, then call repositories with `store.db` or a transaction's
 * `tx`. Nothing outside `src/store` should need a deeper import (the conformance suite aside).
 *
 *   const store = await openStore({ dataDir: './data' });            // SQLite
 *   const store = await openStore({ dataDir, databaseUrl: 'postgres://…' });
 *   await store.transaction(async (tx) => {
 *     await accounts.createAccount(tx, account);
 *     await users.createUser(tx, rootUser);
 *   });
 */
export { openStore, type OpenStoreOptions } from './open-store.ts';
export type { Store, StoreDialect, StoreLogger } from './store.ts';
export type { Database } from './schema.ts';
export { ConflictError } from './errors.ts';
export * as accounts from './repos/accounts.ts';
export * as users from './repos/users.ts';
export * as apiKeys from './repos/api-keys.ts';
export * as regions from './repos/regions.ts';
export * as requestRepeats from './repos/request-repeats.ts';
export * as signatureUses from './repos/signature-uses.ts';
export * as accountSecurity from './repos/account-security.ts';
export * as settings from './repos/settings.ts';
export type { Account, AccountKind } from './repos/accounts.ts';
export type { User } from './repos/users.ts';
export type { ApiKey, KeyStatus, KeyWithOwner } from './repos/api-keys.ts';
export type { Region, Zone } from './repos/regions.ts';
