/**
 * 20 concurrent RunInstances racing for the last free servers and the last free addresses:
 * exactly as many succeed as the scarcer resource allows, the rest get ResourceInsufficient,
 * nothing is allocated twice — on SQLite and on PostgreSQL (real concurrent transactions).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const ZONE = 'ap-guangzhou-1';
const RACERS = 20;

function raceSuite(backend: string, env: () => Record<string, string>) {
  describe(`RunInstances race on ${backend}`, () => {
    let server: TestServer;
    let bms: Call;
    let vpc: Call;
    let base: Record<string, unknown>;
    let vpcId: string;

    before(async () => {
      server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', ...env() }, { rateLimiter: { take: () => true } });
      bms = sdk(server.credentials.demo);
      vpc = sdk(server.credentials.demo, 'vpc');
      const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>(
        'DescribeFlavors', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
      const flavor = FlavorSet.find((f) => !f.UserDefined)!;
      const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'race', CidrBlock: '10.20.0.0/16' });
      vpcId = Vpc.VpcId;
      base = {
        Placement: { Zone: ZONE }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
        LoginSettings: { Password: 'Race#2026pw' }, RaidType: flavor.RaidType[0], InstanceCount: 1,
      };
    });
    after(async () => server?.stop());

    async function leaveFreeServers(n: number) {
      const free = await server.store.db.selectFrom('servers').select('id').where('flavor_id', '=', base.FlavorId as string)
        .where('state', '=', 'available').orderBy('id').execute();
      const hide = free.slice(n).map((s) => s.id);
      if (hide.length) await server.store.db.updateTable('servers').set({ state: 'maintenance', maintenance_reason: 'race test' }).where('id', 'in', hide).execute();
    }

    async function subnet(cidr: string) {
      const r = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: vpcId, SubnetName: cidr, CidrBlock: cidr, Zone: ZONE, IsBmsSubnet: true });
      return r.Subnet.SubnetId;
    }

    async function race(subnetId: string) {
      // Distinct names: twenty identical bodies signed in one second would be one request replayed.
      const results = await Promise.allSettled(Array.from({ length: RACERS }, (_, i) =>
        bms<{ BmsId: string[] }>('RunInstances', { ...base, InstanceName: `racer-${i}`, VirtualPrivateCloud: { VpcId: vpcId, SubnetId: subnetId } })));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
      return { ok: ok.length, codes, ids: ok.flatMap((r) => (r as PromiseFulfilledResult<{ BmsId: string[] }>).value.BmsId) };
    }

    it('addresses scarcer than servers: exactly as many as there are addresses', async () => {
      await leaveFreeServers(7);
      const r = await race(await subnet('10.20.1.0/29')); // 5 assignable addresses
      assert.equal(r.ok, 5, r.codes.join(','));
      assert.deepEqual([...new Set(r.codes)], ['ResourceInsufficient']);
    });

    it('servers scarcer than addresses: exactly as many as there are servers', async () => {
      const r = await race(await subnet('10.20.2.0/24')); // 2 servers left of the 7
      assert.equal(r.ok, 2, r.codes.join(','));
      assert.deepEqual([...new Set(r.codes)], ['ResourceInsufficient']);
    });

    it('nothing is allocated twice and nothing leaked', async () => {
      await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (x) => x.length === 0);
      assert.deepEqual(await checkInvariants(server.store.db), []);
      const running = await server.store.db.selectFrom('instances').select(['id', 'status']).where('deleted_at', 'is', null)
        .where('flavor_id', '=', base.FlavorId as string).execute();
      assert.equal(running.filter((i) => i.status === 'RUNNING').length, running.length);
    });
  });
}

raceSuite('SQLite', () => ({}));
const freshSchemaUrl = schemaFactory();
await withPostgres('RunInstances race on PostgreSQL', () => raceSuite('PostgreSQL', () => ({ BMS_DATABASE_URL: freshSchemaUrl() })));
