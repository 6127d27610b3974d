/**
 * The power-state sync's schedule against a real store and the simulated datacenter: every
 * server with an instance is read once per period — a fleet larger than one claim included —,
 * reads are spread over the period's ticks, a server busy with an operation is left alone, a
 * drift found is applied, and two server processes on one PostgreSQL never read the same BMC
 * in the same period.
 *
 * The instances are written straight into the store (RUNNING, on a server of the lab), so the
 * fleet is large without launching hundreds of machines; the sync under test is the real one,
 * on its own clock, with the server's own timer parked (BMS_POWER_SYNC_MS one hour).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { ServerAccess } from '../src/flows/deps.ts';
import { startPowerSync, type PowerSync } from '../src/reconcile/power-sync.ts';
import { serverAccess } from '../src/server/server-access.ts';
import { acquireLock, releaseLock } from '../src/store/repos/locks.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const INTERVAL = 10_000;
const FLEET = 300; // more than one claim (16 × 8) and than one tick's share

/** Puts `n` lab servers under RUNNING instances of the demo tenant, powered on. */
async function fillFleet(server: TestServer, n: number): Promise<string[]> {
  const db = server.store.db;
  const free = await db.selectFrom('servers').select(['id', 'zone', 'flavor_id']).where('state', '=', 'available').where('flavor_id', 'is not', null)
    .orderBy('id').limit(n).execute();
  assert.equal(free.length, n, `the lab has ${n} free servers`);
  const account = server.credentials.demo.accountUin;
  const now = Date.now();
  for (let i = 0; i < free.length; i += 100) {
    const chunk = free.slice(i, i + 100);
    await server.store.transaction(async (tx) => {
      await tx.insertInto('instances').values(chunk.map((s) => ({
        id: `bms-ps${s.id.slice(-6)}`, account_uin: account, zone: s.zone, flavor_id: s.flavor_id!, server_id: s.id, name: s.id, host_name: s.id,
        os_type: 'Linux', os_name: 'CentOS 7.9', cpu_arch: 'x86_64', raid_type: 'RAID0', status: 'RUNNING', vpc_id: 'vpc-ps', subnet_id: 'subnet-ps',
        private_ip: null, password_hash: null, enhanced_service: '{}', user_defined: 0 as const, group_id: null, error: null,
        created_at: now, updated_at: now, deleted_at: null,
      }))).execute();
      for (const s of chunk) await tx.updateTable('servers').set({ state: 'allocated', instance_id: `bms-ps${s.id.slice(-6)}`, power_state: 'on' }).where('id', '=', s.id).execute();
    });
  }
  for (const s of free) await server.sim.lab.pressPowerButton(s.id, 'on');
  return free.map((s) => s.id);
}

/** A ServerAccess that counts which servers were read. */
function counting(inner: ServerAccess): ServerAccess & { reads: Map<string, number>; total(): number } {
  const reads = new Map<string, number>();
  return {
    reads,
    total: () => [...reads.values()].reduce((a, b) => a + b, 0),
    get(serverId) {
      reads.set(serverId, (reads.get(serverId) ?? 0) + 1);
      return inner.get(serverId);
    },
  };
}

const silent = pino({ level: 'silent' });

function sync(store: Store, servers: ServerAccess, clock: { ms: number }, owner = 'power-sync-test'): PowerSync {
  return startPowerSync({ store, servers, owner, clock: () => clock.ms, logger: silent, intervalMs: INTERVAL, parallel: 16, ticksPerInterval: 10 });
}

async function syncedCount(server: TestServer): Promise<number> {
  const r = await server.store.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['RUNNING', 'STOPPED']).where('deleted_at', 'is', null).where('server_id', 'is not', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('power-state sync schedule (SQLite)', () => {
  let server: TestServer;
  let fleet: string[];
  let total: number;
  before(async () => {
    server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_POWER_SYNC_MS: '3600000' });
    fleet = await fillFleet(server, FLEET);
    total = await syncedCount(server);
  });
  after(() => server.close());

  it('reads every server once per period, a fleet larger than one claim included, and none again before it is due', async () => {
    const clock = { ms: Date.now() + 60_000 };
    const servers = counting(serverAccess(server.store, server.box, { sim: server.sim, redfish: server.redfish }));
    const ps = sync(server.store, servers, clock);
    try {
      await ps.runOnce();
      assert.equal(servers.reads.size, total, 'every server with a RUNNING or STOPPED instance was read');
      assert.equal(servers.total(), total, 'each once');
      clock.ms += INTERVAL - 1;
      await ps.runOnce();
      assert.equal(servers.total(), total, 'nothing is due again within the period');
      clock.ms += 1;
      await ps.runOnce();
      assert.equal(servers.total(), 2 * total, 'one period later, each once more');
      for (const id of fleet) assert.equal(servers.reads.get(id), 2);
    } finally {
      ps.stop();
    }
  });

  it('ticks spread the reads over the period: each tick reads a bounded share, each server once a period', async () => {
    const clock = { ms: Date.now() + 10 * 60_000 };
    const servers = counting(serverAccess(server.store, server.box, { sim: server.sim, redfish: server.redfish }));
    const ps = sync(server.store, servers, clock);
    try {
      const perTick: number[] = [];
      for (let t = 0; t < 30; t++) {
        const before = servers.total();
        await ps.tick();
        perTick.push(servers.total() - before);
        clock.ms += INTERVAL / 10;
      }
      const share = Math.ceil((total / 10) * 1.5);
      assert.ok(Math.max(...perTick) <= share, `at most ${share} reads a tick: ${perTick.join(' ')}`);
      assert.equal(servers.total(), 3 * total, `three periods, each server read three times: ${perTick.join(' ')}`);
      for (const id of fleet) assert.equal(servers.reads.get(id), 3, `${id} read once a period`);
    } finally {
      ps.stop();
    }
  });

  it('leaves a server busy with an operation alone, and applies a drift found elsewhere', async () => {
    const clock = { ms: Date.now() + 20 * 60_000 };
    const servers = counting(serverAccess(server.store, server.box, { sim: server.sim, redfish: server.redfish }));
    const ps = sync(server.store, servers, clock);
    const [busy, pulled] = [fleet[0]!, fleet[1]!];
    assert.ok(await acquireLock(server.store.db, `server:${busy}`, 'an-operation', clock.ms, 3_600_000));
    try {
      await server.sim.lab.pressPowerButton(busy, 'off');
      await server.sim.lab.pressPowerButton(pulled, 'off');
      assert.equal(await ps.runOnce(), 1, 'one drift corrected');
      assert.equal(servers.reads.get(busy), undefined, 'the busy server was not read');
      const status = async (serverId: string) => (await server.store.db.selectFrom('instances').select('status').where('server_id', '=', serverId).executeTakeFirstOrThrow()).status;
      assert.equal(await status(pulled), 'STOPPED');
      assert.equal(await status(busy), 'RUNNING', 'not judged while its operation runs');
      const power = await server.store.db.selectFrom('servers').select('power_state').where('id', '=', pulled).executeTakeFirstOrThrow();
      assert.equal(power.power_state, 'off');
      const lock = await server.store.db.selectFrom('locks').select('owner').where('name', '=', `server:${pulled}`).executeTakeFirst();
      assert.equal(lock, undefined, 'the sync let go of the locks it took');
    } finally {
      await releaseLock(server.store.db, `server:${busy}`, 'an-operation');
      await server.sim.lab.pressPowerButton(busy, 'on');
      ps.stop();
    }
  });

  it('billing sees one observation per read instance, summed per hour', async () => {
    const rows = await server.store.db.selectFrom('power_observation_last').select(['instance_id']).execute();
    assert.equal(rows.length, total);
    const hours = await server.store.db.selectFrom('power_observation_hours').select(['instance_id', 'observed_ms']).execute();
    assert.ok(hours.length >= total, 'each instance has observed time');
    for (const h of hours) assert.ok(Number(h.observed_ms) > 0 && Number(h.observed_ms) <= 3_600_000);
  });
});

await withPostgres('power-state sync schedule (PostgreSQL)', () => {
  const freshSchemaUrl = schemaFactory();
  describe('power-state sync schedule (PostgreSQL, two processes)', () => {
    let server: TestServer;
    let second: Store;
    let total: number;
    before(async () => {
      const url = freshSchemaUrl();
      server = await startTestServer({ BMS_DATABASE_URL: url, BMS_SIM_TIME_SCALE: '0', BMS_POWER_SYNC_MS: '3600000' });
      second = await openStore({ dataDir: server.dataDir, databaseUrl: url });
      await fillFleet(server, FLEET);
      total = await syncedCount(server);
    });
    after(async () => {
      await second?.close();
      await server?.close();
    });

    it('two processes sharing one schedule read each BMC once per period between them', async () => {
      const clock = { ms: Date.now() + 60_000 };
      const servers = counting(serverAccess(server.store, server.box, { sim: server.sim, redfish: server.redfish }));
      const a = sync(server.store, servers, clock, 'process-a');
      const b = sync(second, { get: (id) => servers.get(id) }, clock, 'process-b');
      try {
        for (let round = 0; round < 3; round++) {
          await Promise.all([a.runOnce(), b.runOnce(), a.tick(), b.tick()]);
          assert.equal(servers.total(), (round + 1) * total, `period ${round + 1}: ${servers.total()} reads for ${total} servers`);
          for (const n of servers.reads.values()) assert.equal(n, round + 1);
          clock.ms += INTERVAL;
        }
      } finally {
        a.stop();
        b.stop();
      }
    });
  });
});
