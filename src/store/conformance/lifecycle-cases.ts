/**
 * Conformance cases for the store's own life: migrations are idempotent and safe under
 * concurrent starts, transactions commit or roll back as a whole, and data outlives the
 * process that wrote it (close, then reopen).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { MIGRATIONS } from '../migrations/migrate.ts';
import * as accounts from '../repos/accounts.ts';
import * as settings from '../repos/settings.ts';
import * as users from '../repos/users.ts';
import type { Store } from '../store.ts';
import { anAccount, aRootUser } from './fixtures.ts';
import { closedAfter, freshStore, type StoreHarness } from './harness.ts';

export function defineLifecycleCases(h: StoreHarness): void {
  test('migrations are idempotent: opening an existing database changes nothing', async (t) => {
    if (!h.reopen) return t.skip('this backend gives the suite no way to reopen a database');
    const first = await freshStore(t, h);
    await accounts.createAccount(first.db, anAccount(1));
    const second = closedAfter(t, await h.reopen(first));
    assert.deepEqual(await appliedMigrations(second), Object.keys(MIGRATIONS));
    assert.equal(await accounts.countAccounts(second.db), 1);
  });

  test('concurrent starts on one new database all succeed and migrate once', async (t) => {
    if (!h.openConcurrently) return t.skip('this backend gives the suite no way to open stores concurrently');
    const stores = await h.openConcurrently(8);
    for (const s of stores) closedAfter(t, s);
    assert.equal(stores.length, 8);
    for (const s of stores) assert.deepEqual(await appliedMigrations(s), Object.keys(MIGRATIONS));
    await accounts.createAccount(stores[0]!.db, anAccount(1));
    assert.equal(await accounts.countAccounts(stores[7]!.db), 1);
  });

  test('instance_counts follows inserts, terminations and deletes of live instances (triggers), and rollbacks', async (t) => {
    const store = await freshStore(t, h);
    const [a, b] = [anAccount(1), anAccount(2)];
    for (const account of [a, b]) await accounts.createAccount(store.db, account);
    const instance = (id: string, accountUin: string, deletedAt: number | null = null) => ({
      id, account_uin: accountUin, zone: 'z', flavor_id: 'f', server_id: null, name: id, host_name: id, os_type: 'Linux', os_name: 'os',
      cpu_arch: 'X86', raid_type: 'NONE', status: 'RUNNING', vpc_id: 'v', subnet_id: 's', private_ip: null, password_hash: null,
      enhanced_service: '{}', user_defined: 0 as const, group_id: null, error: null, created_at: 1, updated_at: 1, deleted_at: deletedAt,
    });
    const counts = async () => Object.fromEntries((await store.db.selectFrom('instance_counts').select(['account_uin', 'live']).execute())
      .map((r) => [r.account_uin, Number(r.live)]));
    await store.db.insertInto('instances').values([instance('i-1', a.uin), instance('i-2', a.uin), instance('i-3', b.uin), instance('i-gone', b.uin, 5)]).execute();
    assert.deepEqual(await counts(), { [a.uin]: 2, [b.uin]: 1 }, 'a row inserted already terminated does not count');
    await store.db.updateTable('instances').set({ deleted_at: 9 }).where('id', '=', 'i-1').execute();
    await store.db.updateTable('instances').set({ deleted_at: 10, status: 'x' }).where('id', '=', 'i-1').execute(); // already gone: no change
    await store.db.updateTable('instances').set({ status: 'STOPPED' }).where('id', '=', 'i-2').execute();
    assert.deepEqual(await counts(), { [a.uin]: 1, [b.uin]: 1 });
    await store.db.deleteFrom('instances').where('id', 'in', ['i-3', 'i-gone']).execute();
    assert.deepEqual(await counts(), { [a.uin]: 1, [b.uin]: 0 });
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertInto('instances').values(instance('i-4', a.uin)).execute();
      throw new Error('rolled back');
    }));
    assert.deepEqual(await counts(), { [a.uin]: 1, [b.uin]: 0 }, 'a rolled-back insert leaves the count as it was');
  });

  test('a transaction commits all of its writes', async (t) => {
    const store = await freshStore(t, h);
    const account = anAccount(1);
    await store.transaction(async (tx) => {
      await accounts.createAccount(tx, account);
      await users.createUser(tx, aRootUser(account));
    });
    assert.equal((await users.getRootUser(store.db, account.uin))?.accountUin, account.uin);
  });

  test('a transaction that throws leaves nothing behind', async (t) => {
    const store = await freshStore(t, h);
    const account = anAccount(1);
    const boom = new Error('boom');
    const attempt = store.transaction(async (tx) => {
      await accounts.createAccount(tx, account);
      await users.createUser(tx, aRootUser(account));
      await settings.setSetting(tx, 'k', 'v');
      assert.equal(await accounts.countAccounts(tx), 1, 'visible inside the transaction');
      throw boom;
    });
    await assert.rejects(attempt, (e) => e === boom);
    assert.equal(await accounts.countAccounts(store.db), 0);
    assert.equal(await users.getRootUser(store.db, account.uin), undefined);
    assert.equal(await settings.getSetting(store.db, 'k'), undefined);
  });

  test('data survives close and reopen', async (t) => {
    if (!h.reopen) return t.skip('this backend gives the suite no way to reopen a database');
    const first = await h.makeStore();
    const account = anAccount(1);
    try {
      await accounts.createAccount(first.db, account);
      await settings.setSetting(first.db, 'k', 'v');
    } finally {
      await first.close();
    }
    const second = closedAfter(t, await h.reopen(first));
    assert.deepEqual(await accounts.getAccountByUin(second.db, account.uin), account);
    assert.equal(await settings.getSetting(second.db, 'k'), 'v');
  });
}

/** Names recorded in Kysely's bookkeeping table, in order. */
async function appliedMigrations(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.map((r) => r.name);
}
