/**
 * Address allocation under contention, on both backends: many transactions race for the last
 * free addresses of one subnet, and the (subnet_id, address) primary key alone must keep every
 * address to one owner — exactly as many allocations succeed as there were addresses, the rest
 * fail with a typed "exhausted", and nothing is handed out twice.
 *
 * SQLite: one store (one connection — its transactions serialise, which is the single-node
 * deployment). PostgreSQL: four stores on one schema stand for four server nodes, each with its
 * own connection pool; a barrier makes all twenty transactions reach the allocator together,
 * so they read the same free addresses and really collide on INSERT.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAccountWithRoot } from '../src/iam/accounts.ts';
import { formatIpv4, parseIpv4 } from '../src/network/ipam.ts';
import { openStore, type Store } from '../src/store/index.ts';
import {
  allocateAddresses, allocateIpv6, countBySubnet, listByOwner, releaseAddress, releaseByOwner, type AllocationSubnet,
} from '../src/store/repos/ip-allocations.ts';
import { insertSubnet } from '../src/store/repos/subnets.ts';
import { insertVpc } from '../src/store/repos/vpcs.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { barrier } from './support/barrier.ts';

const NOW = Date.UTC(2024, 0, 1);
/** 10.0.1.0/27: usable 10.0.1.2 – 10.0.1.30 (29 addresses). */
const CIDR = '10.0.1.0/27';
const USABLE = Array.from({ length: 29 }, (_, i) => formatIpv4(parseIpv4('10.0.1.2')! + i));
/** Taken before the race: 19 addresses scattered over the range, so the 10 free ones are not contiguous. */
const PRETAKEN = USABLE.filter((_, i) => i % 3 !== 0 || i > 27);
const FREE = USABLE.filter((a) => !PRETAKEN.includes(a));

interface Fixture {
  subnet: AllocationSubnet & { ipv6Cidr: string };
}

async function seed(store: Store): Promise<Fixture> {
  const { account } = await createAccountWithRoot(store.db, 'race', 'tenant', NOW);
  await store.db.insertInto('regions').values({ region: 'ap-test', name: 'test', name_en: 'test', state: 'AVAILABLE' })
    .onConflict((oc) => oc.column('region').doNothing()).execute();
  const vpc = await insertVpc(store.db, {
    id: 'vpc-race0001', accountUin: account.uin, region: 'ap-test', name: 'race', cidr: '10.0.0.0/16', ipv6Cidr: 'fd00:0:0:100::/56', createdAt: NOW,
  });
  const subnet = await insertSubnet(store.db, {
    id: 'subnet-race0001', accountUin: account.uin, vpcId: vpc.id, zone: 'ap-test-1', name: 'race', cidr: CIDR,
    ipv6Cidr: 'fd00:0:0:100::/64', isBms: true, createdAt: NOW,
  });
  const fixture = { subnet: { id: subnet.id, cidr: CIDR, accountUin: account.uin, ipv6Cidr: subnet.ipv6Cidr! } };
  const pre = await store.transaction((tx) =>
    allocateAddresses(tx, fixture.subnet, PRETAKEN.length, { kind: 'primary', ownerId: 'bms-pretaken' }, NOW, PRETAKEN));
  assert.ok(pre.ok, JSON.stringify(pre));
  assert.equal(FREE.length, 10);
  return fixture;
}

function defineRace(backend: string, open: () => Promise<Store[]>, synchronise: boolean) {
  describe(`allocateAddresses under contention (${backend})`, () => {
    interface Raced<T> {
      results: T[];
      counts: { ipv4: number; ipv6: number };
      /** The row of one address, read before the stores close. */
      row?: { address_num: number; kind: string };
    }

    /** Seeds a subnet, then runs `parties` transactions of `work` at once, spread over the stores ("nodes"). */
    async function race<T>(work: (tx: Parameters<Parameters<Store['transaction']>[0]>[0], f: Fixture, i: number) => Promise<T>,
      inspectAddress?: string): Promise<Raced<T>> {
      const parties = 20;
      const stores = await open();
      try {
        const fixture = await seed(stores[0]!);
        const wait = synchronise ? barrier(parties) : async () => {};
        const results = await Promise.all(Array.from({ length: parties }, (_, i) => stores[i % stores.length]!.transaction(async (tx) => {
          await sql`select 1`.execute(tx); // hold a connection, then start together
          await wait();
          return work(tx, fixture, i);
        })));
        const counts = (await countBySubnet(stores[0]!.db, [fixture.subnet.id])).get(fixture.subnet.id)!;
        const row = inspectAddress === undefined ? undefined
          : await stores[0]!.db.selectFrom('ip_allocations').select(['address_num', 'kind']).where('address', '=', inspectAddress).executeTakeFirst();
        return { results, counts, ...(row ? { row } : {}) };
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }

    it('20 allocations of one address race for the last 10: exactly 10 succeed, each address once', async () => {
      const { results, counts } = await race((tx, f, i) =>
        allocateAddresses(tx, f.subnet, 1, { kind: 'primary', ownerId: `bms-racer${String(i).padStart(3, '0')}` }, NOW));
      const won = results.flatMap((r) => (r.ok ? r.addresses : []));
      const lost = results.filter((r) => !r.ok);
      assert.equal(won.length, 10);
      assert.equal(new Set(won).size, 10, 'an address was handed out twice');
      assert.deepEqual([...won].sort(), [...FREE].sort());
      assert.equal(lost.length, 10);
      for (const r of lost) assert.deepEqual(r, { ok: false, reason: 'exhausted', wanted: 1, free: 0 });
      assert.deepEqual(counts, { ipv4: 29, ipv6: 0 });
    });

    it('20 allocations of two addresses race for the last 10: exactly 5 succeed, failures leave nothing behind', async () => {
      const { results, counts } = await race((tx, f, i) =>
        allocateAddresses(tx, f.subnet, 2, { kind: 'primary', ownerId: `bms-pair${i}` }, NOW));
      const won = results.flatMap((r) => (r.ok ? r.addresses : []));
      assert.equal(results.filter((r) => r.ok).length, 5);
      assert.deepEqual([...won].sort(), [...FREE].sort());
      for (const r of results) if (!r.ok) assert.equal(r.reason, 'exhausted');
      assert.deepEqual(counts, { ipv4: 29, ipv6: 0 });
    });

    it('20 requests for the same address: exactly one gets it, the others hear it is taken', async () => {
      const target = FREE[4]!;
      const { results, counts } = await race((tx, f, i) =>
        allocateAddresses(tx, f.subnet, 1, { kind: 'backup', ownerId: `bms-want${i}` }, NOW, [target]));
      assert.equal(results.filter((r) => r.ok).length, 1);
      for (const r of results) if (!r.ok) assert.deepEqual(r, { ok: false, reason: 'taken', address: target });
      assert.deepEqual(counts, { ipv4: 20, ipv6: 0 });
    });

    it('20 concurrent IPv6 allocations get 20 distinct addresses, the smallest interface ids from 2', async () => {
      const { results, counts, row } = await race((tx, f, i) => allocateIpv6(tx, f.subnet, { ownerId: `bms-six${i}` }, NOW), 'fd00:0:0:100::2');
      const addresses = results.map((r) => (r.ok ? r.address : assert.fail(JSON.stringify(r))));
      const expected = Array.from({ length: 20 }, (_, i) => `fd00:0:0:100::${(i + 2).toString(16)}`);
      assert.deepEqual([...addresses].sort(), [...expected].sort());
      assert.deepEqual(counts, { ipv4: 19, ipv6: 20 });
      assert.deepEqual(row && { num: Number(row.address_num), kind: row.kind }, { num: -2, kind: 'ipv6' });
    });

    it('release by owner and by address, and list by owner', async () => {
      const stores = await open();
      try {
        const store = stores[0]!;
        const { subnet } = await seed(store);
        await store.transaction(async (tx) => {
          assert.ok((await allocateAddresses(tx, subnet, 2, { kind: 'primary', ownerId: 'bms-owner001' }, NOW)).ok);
          assert.ok((await allocateIpv6(tx, subnet, { ownerId: 'bms-owner001' }, NOW)).ok);
          assert.ok((await allocateIpv6(tx, subnet, { ownerId: 'bms-owner001' }, NOW)).ok);
        });
        const held = await listByOwner(store.db, 'bms-owner001');
        assert.deepEqual(held.map((h) => [h.address, h.kind]),
          [[FREE[0], 'primary'], [FREE[1], 'primary'], ['fd00:0:0:100::2', 'ipv6'], ['fd00:0:0:100::3', 'ipv6']]);
        assert.equal(await releaseAddress(store.db, subnet.id, FREE[0]!), true);
        assert.equal(await releaseAddress(store.db, subnet.id, FREE[0]!), false);
        assert.equal(await releaseByOwner(store.db, 'bms-owner001'), 3);
        assert.deepEqual(await listByOwner(store.db, 'bms-owner001'), []);
        const again = await store.transaction((tx) => allocateAddresses(tx, subnet, 1, { kind: 'primary', ownerId: null }, NOW));
        assert.deepEqual(again, { ok: true, addresses: [FREE[0]] }, 'a released address is the smallest free one again');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('reports invalid, duplicate and miscounted requests without writing anything', async () => {
      const stores = await open();
      try {
        const store = stores[0]!;
        const { subnet } = await seed(store);
        const ask = (requested: string[], count = requested.length) =>
          store.transaction((tx) => allocateAddresses(tx, subnet, count, { kind: 'primary', ownerId: 'x' }, NOW, requested));
        assert.deepEqual(await ask(['10.0.1.0']), { ok: false, reason: 'invalid', address: '10.0.1.0', problem: 'network' });
        assert.deepEqual(await ask(['10.0.1.1']), { ok: false, reason: 'invalid', address: '10.0.1.1', problem: 'gateway' });
        assert.deepEqual(await ask(['10.0.1.31']), { ok: false, reason: 'invalid', address: '10.0.1.31', problem: 'broadcast' });
        assert.deepEqual(await ask(['10.0.2.5']), { ok: false, reason: 'invalid', address: '10.0.2.5', problem: 'outside' });
        assert.deepEqual(await ask(['10.0.1.x']), { ok: false, reason: 'invalid', address: '10.0.1.x', problem: 'malformed' });
        assert.deepEqual(await ask([FREE[0]!, FREE[0]!]), { ok: false, reason: 'duplicate', address: FREE[0] });
        assert.deepEqual(await ask([FREE[0]!], 2), { ok: false, reason: 'count-mismatch', wanted: 2, requested: 1 });
        assert.deepEqual(await ask([FREE[1]!, PRETAKEN[0]!]), { ok: false, reason: 'taken', address: PRETAKEN[0] });
        assert.deepEqual(await ask([FREE[2]!, FREE[3]!]), { ok: true, addresses: [FREE[2], FREE[3]] });
        assert.deepEqual((await countBySubnet(store.db, [subnet.id])).get(subnet.id), { ipv4: 21, ipv6: 0 }, 'only the successful request wrote');
        const noV6 = await store.transaction((tx) => allocateIpv6(tx, { ...subnet, ipv6Cidr: null }, { ownerId: 'x' }, NOW));
        assert.deepEqual(noV6, { ok: false, reason: 'no-ipv6' });
        // (outside a transaction: on PostgreSQL the foreign-key failure behind it aborts the transaction)
        const gone = await allocateAddresses(store.db, { ...subnet, id: 'subnet-gone0001' }, 1, { kind: 'primary', ownerId: 'x' }, NOW);
        assert.deepEqual(gone, { ok: false, reason: 'subnet-missing' });
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

// PostgreSQL first: its probe is a top-level await, and no test may start before it settles (the
// schemas are dropped by a root-level `after` hook, which must not run while tests are still being defined).
const freshSchemaUrl = schemaFactory();
await withPostgres('allocateAddresses under contention (postgres)', () => {
  defineRace('postgres, 4 nodes', async () => {
    const url = freshSchemaUrl();
    const first = await openStore({ dataDir: tmpdir(), databaseUrl: url });
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await openStore({ dataDir: tmpdir(), databaseUrl: url }));
    return [first, ...others];
  }, true);
});

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true }))));
defineRace('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bms-ipam-'));
  tempDirs.push(dir);
  return [await openStore({ dataDir: dir })];
}, false);
