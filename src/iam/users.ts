/**
 * Users and their API keys, as the CAM API and the operator API manage them.
 *
 * An account has one root user (its uin is the account's OwnerUin; it holds every right in
 * the account) and any number of sub-users, each with a name unique in the account, its own
 * uin, an optional console login (password kept only as a scrypt hash, ./passwords.ts) and at
 * most two permanent API key pairs. Keys are enabled, disabled or deleted; a disabled or
 * deleted key stops signing within the credential cache's second.
 *
 * Handing out a SecretKey is a secret read: it is recorded in the same transaction that creates
 * the key (src/store/repos/secret-reads.ts), so no key leaves without its audit row.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ConflictError } from '../store/errors.ts';
import { deleteKeysOfUser, getKey, keyIdsOfUser, listPermanentKeys, setKeyStatus, deleteKey, type ApiKey, type KeyStatus, type KeyWithOwner } from '../store/repos/api-keys.ts';
import { deleteSessionPolicies, detachAllFromUser } from '../store/repos/policies.ts';
import { recordSecretRead, type SecretKind } from '../store/repos/secret-reads.ts';
import { deleteUserCredentials, getUserCredentials, putUserCredentials } from '../store/repos/user-credentials.ts';
import { createUser, deleteUser, getUserByName, getUserByUin, lockUser, type User } from '../store/repos/users.ts';
import type { Store, Tx } from '../store/store.ts';
import { createApiKey } from './accounts.ts';
import { badUserName, keyLimit, MAX_KEYS_PER_USER, passwordRejected, passwordWithoutLogin, userNameTaken, userNotFound } from './errors.ts';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from './passwords.ts';
import type { SecretBox } from './secret-box.ts';

/** Who receives a secret, for the audit row. */
export interface SecretReader {
  accountUin: string;
  userUin: string;
  secretId: string;
  requestId: string;
  sourceIp: string;
  now: number;
}

/** The audit reader of a call: its principal, request and source. */
export function readerOf(ctx: {
  principal: { accountUin: string; userUin: string; secretId: string }; requestId: string; sourceIp: string; now: number;
}): SecretReader {
  const p = ctx.principal;
  return { accountUin: p.accountUin, userUin: p.userUin, secretId: p.secretId, requestId: ctx.requestId, sourceIp: ctx.sourceIp, now: ctx.now };
}

export interface NewUser {
  name: string;
  remark?: string | undefined;
  consoleLogin: boolean;
  password?: string | undefined;
  useApi: boolean;
}

export interface CreatedUser {
  user: User;
  /** Only when generated here (console login without a given password). */
  generatedPassword?: string;
  key?: { secretId: string; secretKey: string };
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

export async function addSubUser(store: Store, box: SecretBox, accountUin: string, input: NewUser, reader: SecretReader): Promise<CreatedUser> {
  if (!USER_NAME.test(input.name)) throw badUserName('Name', input.name);
  if (input.password !== undefined && !input.consoleLogin) throw passwordWithoutLogin('Password');
  const problem = input.password === undefined ? undefined : passwordProblem(input.password);
  if (problem) throw passwordRejected('Password', problem);
  const generatedPassword = input.consoleLogin && input.password === undefined ? randomPassword() : undefined;
  const password = input.password ?? generatedPassword;
  const passwordHash = password === undefined ? null : await hashPassword(password);
  return store.transaction(async (tx) => {
    if (await getUserByName(tx, accountUin, input.name)) throw userNameTaken('Name', input.name);
    const user: User = { id: randomUUID(), accountUin, name: input.name, uin: newUserUin(), isRoot: false, createdAt: reader.now };
    await createUser(tx, user).catch((e: unknown) => {
      throw e instanceof ConflictError ? userNameTaken('Name', input.name) : e;
    });
    await putUserCredentials(tx, { userId: user.id, remark: input.remark ?? '', consoleLogin: input.consoleLogin, passwordHash, updatedAt: reader.now });
    const key = input.useApi ? await createAuditedKey(tx, box, user, reader) : undefined;
    return { user, ...(generatedPassword ? { generatedPassword } : {}), ...(key ? { key } : {}) };
  });
}

/** Sub-user uins: 12 digits starting with 200 (account and root uins start with 100). */
function newUserUin(): string {
  let s = '200';
  while (s.length < 12) s += String(randomInt(10));
  return s;
}

/** The user of this account with this uin; ResourceNotFound otherwise (another account's uin included). */
export async function userByUin(db: Tx, accountUin: string, uin: string, path = 'TargetUin'): Promise<User> {
  const user = await getUserByUin(db, accountUin, uin);
  if (!user) throw userNotFound(`${path}=${uin}`);
  return user;
}

export async function userByName(db: Tx, accountUin: string, name: string): Promise<User> {
  const user = await getUserByName(db, accountUin, name);
  if (!user || user.isRoot) throw userNotFound(name);
  return user;
}

/** Deletes a sub-user with its keys (temporary ones too), policy attachments and credentials. */
export async function deleteSubUser(store: Store, user: User): Promise<void> {
  await store.transaction(async (tx) => {
    await deleteSessionPolicies(tx, await keyIdsOfUser(tx, user.id));
    await deleteKeysOfUser(tx, user.id);
    await detachAllFromUser(tx, user.id);
    await deleteUserCredentials(tx, user.id);
    await deleteUser(tx, user.id);
  });
}

/** A new key pair for `user`; LimitExceeded when it already holds two permanent keys. */
export function createUserKey(store: Store, box: SecretBox, user: User, reader: SecretReader): Promise<NewKey> {
  return store.transaction((tx) => createUserKeyIn(tx, box, user, reader));
}

export interface NewKey {
  secretId: string;
  secretKey: string;
  createdAt: number;
}

/** `createUserKey` inside the caller's transaction. */
export async function createUserKeyIn(tx: Tx, box: SecretBox, user: User, reader: SecretReader): Promise<NewKey> {
  await lockUser(tx, user.id);
  if ((await listPermanentKeys(tx, user.id)).length >= MAX_KEYS_PER_USER) throw keyLimit(user.uin);
  return { ...(await createAuditedKey(tx, box, user, reader)), createdAt: reader.now };
}

async function createAuditedKey(tx: Tx, box: SecretBox, user: User, reader: SecretReader) {
  const pair = await createApiKey(tx, box, user.id, reader.now);
  await recordKeyRead(tx, 'api-key', pair.secretId, reader);
  return pair;
}

export async function recordKeyRead(tx: Tx, kind: SecretKind, secretId: string, reader: SecretReader): Promise<void> {
  await recordSecretRead(tx, {
    id: randomUUID(), kind, accountUin: reader.accountUin, userUin: reader.userUin, secretId: reader.secretId, resourceId: secretId,
    requestId: reader.requestId, sourceIp: reader.sourceIp, at: reader.now,
  });
}

export const listUserKeys = (db: Tx, user: User): Promise<ApiKey[]> => listPermanentKeys(db, user.id);

/** A permanent key of this account; undefined for temporary keys and other accounts' keys. */
export async function accountKey(db: Tx, accountUin: string, secretId: string): Promise<KeyWithOwner | undefined> {
  const key = await getKey(db, secretId);
  return key && key.accountUin === accountUin && key.tokenHash === undefined ? key : undefined;
}

export const setUserKeyStatus = (db: Tx, secretId: string, status: KeyStatus) => setKeyStatus(db, secretId, status);
export const deleteUserKey = (db: Tx, secretId: string) => deleteKey(db, secretId);

/** The user whose console password this is, or undefined (unknown user, no console login, wrong password). */
export async function verifyConsoleLogin(db: Tx, accountUin: string, name: string, password: string): Promise<User | undefined> {
  const user = await getUserByName(db, accountUin, name);
  const creds = user && (await getUserCredentials(db, user.id));
  if (!user || !creds?.consoleLogin || !creds.passwordHash) return undefined;
  return (await verifyPassword(password, creds.passwordHash)) ? user : undefined;
}
