/**
 * Conformance cases for accounts, users and API keys: round trips, the joined key lookup,
 * BIGINT fidelity, and the constraints (unique → ConflictError, foreign keys enforced).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError } from '../errors.ts';
import * as accounts from '../repos/accounts.ts';
import * as apiKeys from '../repos/api-keys.ts';
import * as policies from '../repos/policies.ts';
import * as users from '../repos/users.ts';
import { aKey, anAccount, aRootUser, aSubUser, BIG_APP_ID } from './fixtures.ts';
import { assertConflict, freshStore, type StoreHarness } from './harness.ts';

export function defineIdentityCases(h: StoreHarness): void {
  test('accounts round trip, list and count', async (t) => {
    const { db } = await freshStore(t, h);
    const [a1, a2, a3] = [anAccount(1), anAccount(2, { kind: 'operator' }), anAccount(3)];
    for (const a of [a3, a1, a2]) await accounts.createAccount(db, a);

    assert.deepEqual(await accounts.getAccountByUin(db, a2.uin), a2);
    assert.deepEqual(await accounts.getAccountByAppId(db, a3.appId), a3);
    assert.equal(await accounts.getAccountByUin(db, 'nobody'), undefined);
    assert.equal(await accounts.getAccountByAppId(db, 1), undefined);
    assert.deepEqual(await accounts.listAccounts(db), [a1, a2, a3]);
    assert.deepEqual(await accounts.listAccounts(db, { limit: 1, offset: 1 }), [a2]);
    assert.equal(await accounts.countAccounts(db), 3);
  });

  test('users round trip; the root user is found by account', async (t) => {
    const { db } = await freshStore(t, h);
    const account = await accounts.createAccount(db, anAccount(1));
    const root = await users.createUser(db, aRootUser(account));
    const alice = await users.createUser(db, aSubUser(account, 'alice'));

    assert.deepEqual(await users.getUser(db, alice.id), alice);
    assert.deepEqual(await users.getRootUser(db, account.uin), root);
    assert.equal((await users.getUser(db, root.id))?.isRoot, true);
    assert.equal(await users.getUser(db, 'nobody'), undefined);
    assert.equal(await users.getRootUser(db, 'nobody'), undefined);
  });

  test('api keys: expired temporary keys are purged with their session policies, nothing else', async (t) => {
    const { db } = await freshStore(t, h);
    const account = await accounts.createAccount(db, anAccount(1));
    const alice = await users.createUser(db, aSubUser(account, 'alice'));
    const temporary = (secretId: string, expiresAt: number) => aKey(alice, secretId, { tokenHash: 'ab'.repeat(32), expiresAt });
    const old = await apiKeys.createKey(db, temporary('AKIDoldoldoldoldold01', alice.createdAt + 10));
    await policies.putSessionPolicy(db, old.secretId, '{"version":"2.0","statement":[]}');
    const fresh = await apiKeys.createKey(db, temporary('AKIDfreshfreshfresh01', alice.createdAt + 1000));
    const permanent = await apiKeys.createKey(db, aKey(alice, 'AKIDpermanentperman01'));
    assert.equal(await apiKeys.purgeExpiredTemporaryKeys(db, alice.createdAt + 11), 1);
    assert.equal(await apiKeys.purgeExpiredTemporaryKeys(db, alice.createdAt + 11), 0);
    assert.equal(await apiKeys.getKey(db, old.secretId), undefined);
    assert.equal(await policies.getSessionPolicy(db, old.secretId), undefined);
    assert.deepEqual((await apiKeys.listKeysForUser(db, alice.id)).map((k) => k.secretId).sort(), [fresh.secretId, permanent.secretId].sort());
  });

  test('api keys: lookup joins user and account; list, status, delete', async (t) => {
    const { db } = await freshStore(t, h);
    const account = await accounts.createAccount(db, anAccount(1, { kind: 'operator' }));
    const alice = await users.createUser(db, aSubUser(account, 'alice'));
    const k1 = await apiKeys.createKey(db, aKey(alice, 'AKIDaaaaaaaaaaaaaaaa'));
    const k2 = await apiKeys.createKey(db, aKey(alice, 'AKIDbbbbbbbbbbbbbbbb', { createdAt: k1.createdAt + 5 }));

    assert.deepEqual(await apiKeys.getKey(db, k1.secretId), {
      ...k1,
      userUin: alice.uin,
      isRoot: false,
      accountUin: account.uin,
      appId: account.appId,
      accountKind: 'operator',
    });
    assert.deepEqual(await apiKeys.listKeysForUser(db, alice.id), [k1, k2]);

    assert.equal(await apiKeys.setKeyStatus(db, k1.secretId, 'Inactive'), true);
    assert.equal((await apiKeys.getKey(db, k1.secretId))?.status, 'Inactive');
    assert.equal(await apiKeys.setKeyStatus(db, 'AKIDmissing', 'Active'), false);

    assert.equal(await apiKeys.deleteKey(db, k1.secretId), true);
    assert.equal(await apiKeys.deleteKey(db, k1.secretId), false);
    assert.equal(await apiKeys.getKey(db, k1.secretId), undefined);
    assert.deepEqual(await apiKeys.listKeysForUser(db, alice.id), [k2]);
  });

  test('BIGINT values above 2^31 come back as exact numbers', async (t) => {
    const { db } = await freshStore(t, h);
    const account = await accounts.createAccount(db, anAccount(1));
    const root = await users.createUser(db, aRootUser(account));
    await apiKeys.createKey(db, aKey(root, 'AKIDbigbigbigbigbig1'));

    const stored = await accounts.getAccountByAppId(db, BIG_APP_ID);
    assert.equal(typeof stored?.appId, 'number');
    assert.equal(stored?.appId, 1_300_000_000_123);
    assert.equal(stored?.createdAt, account.createdAt);
    const key = await apiKeys.getKey(db, 'AKIDbigbigbigbigbig1');
    assert.equal(typeof key?.appId, 'number');
    assert.equal(key?.appId, BIG_APP_ID);
    assert.equal(typeof (await accounts.countAccounts(db)), 'number');
  });

  test('unique violations raise ConflictError naming the columns', async (t) => {
    const { db } = await freshStore(t, h);
    const account = await accounts.createAccount(db, anAccount(1));
    const alice = await users.createUser(db, aSubUser(account, 'alice'));
    await apiKeys.createKey(db, aKey(alice, 'AKIDdupdupdupdupdup1'));

    await assertConflict(accounts.createAccount(db, anAccount(2, { uin: account.uin })), 'accounts', ['uin']);
    await assertConflict(accounts.createAccount(db, anAccount(2, { appId: account.appId })), 'accounts', ['app_id']);
    await assertConflict(accounts.createAccount(db, anAccount(2, { uuid: account.uuid })), 'accounts', ['uuid']);
    const twin = aSubUser(account, 'alice', { id: 'other-id', uin: 'other-uin' });
    await assertConflict(users.createUser(db, twin), 'users', ['account_uin', 'name']);
    await assertConflict(users.createUser(db, { ...twin, name: 'bob', uin: alice.uin }), 'users', ['uin']);
    await assertConflict(apiKeys.createKey(db, aKey(alice, 'AKIDdupdupdupdupdup1')), 'api_keys', ['secret_id']);
    assert.equal(await accounts.countAccounts(db), 1);
  });

  test('foreign keys are enforced (and are not conflicts)', async (t) => {
    const { db } = await freshStore(t, h);
    const orphan = aRootUser(anAccount(9));
    await assert.rejects(users.createUser(db, orphan), (e) => !(e instanceof ConflictError));
    await assert.rejects(apiKeys.createKey(db, aKey(orphan, 'AKIDorphanorphanorph')));
    assert.equal(await users.getUser(db, orphan.id), undefined);
  });
}
