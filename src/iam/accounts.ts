/**
 * Accounts, users and keys as IAM creates them.
 *
 * An account is the tenant boundary, identified the Tencent way: OwnerUin (12 digits), AppId
 * (10 digits) and a Uuid. It has exactly one root user; sub-users come with full IAM. A key
 * pair belongs to a user; its SecretKey is sealed before it reaches the store.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createAccount, type Account, type AccountKind } from '../store/repos/accounts.ts';
import { createKey } from '../store/repos/api-keys.ts';
import { createUser, type User } from '../store/repos/users.ts';
import { newKeyPair } from './credentials.ts';
import type { SecretBox } from './secret-box.ts';
import type { Tx } from '../store/store.ts';

const digits = (prefix: string, length: number) => {
  let s = prefix;
  while (s.length < length) s += String(randomInt(10));
  return s;
};

export async function createAccountWithRoot(
  db: Tx, name: string, kind: AccountKind, now: number,
): Promise<{ account: Account; root: User }> {
  const account = await createAccount(db, {
    uin: digits('100', 12), appId: Number(digits('125', 10)), uuid: randomUUID(), name, kind, createdAt: now,
  });
  const root = await createUser(db, {
    id: randomUUID(), accountUin: account.uin, name: 'root', uin: account.uin, isRoot: true, createdAt: now,
  });
  return { account, root };
}

export async function createApiKey(
  db: Tx, box: SecretBox, userId: string, now: number,
): Promise<{ secretId: string; secretKey: string }> {
  const pair = newKeyPair();
  await createKey(db, {
    secretId: pair.secretId, userId, secretKeyEnc: box.seal(pair.secretKey, pair.secretId), status: 'Active', createdAt: now,
  });
  return pair;
}
