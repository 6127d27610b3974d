/**
 * Heartbeat network groups through the front door (official SDK, simulated datacenter), on
 * SQLite and on PostgreSQL: every rule with its exact error code; VLANs distinct across groups
 * and tenants and inside the operator's ranges (a small range exhausted, ranges that do not
 * overlap, a shrink below a VLAN in use); ModifyHeartbeat moving instances between groups,
 * the sim switch and DescribeSwitchPorts showing the port's VLAN; a return resetting the port
 * and dropping the membership; concurrent CreateHeartbeat never sharing a VLAN (on PostgreSQL
 * also across two server processes on one database); tenant isolation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const Z1 = 'ap-guangzhou-1';
const Z2 = 'ap-guangzhou-2';

interface Group { HeartbeatId: string; Name: string; VlanId: string; CurrentNum: string; CreatedTime: string; UpdateTime: string | null }
interface Port { ServerId: string; Zone: string; SwitchId: string; RackId: string; HeartbeatVlanId: number | null; InstanceId: string | null; HeartbeatId: string | null; InSync: boolean }
interface Flavor { FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }

function heartbeatSuite(backend: string, env: () => Record<string, string>, twoNodes: boolean) {
  describe(`heartbeat network groups on ${backend}`, () => {
    let server: TestServer;
    let bms: Call;
    let ops: Call;
    let other: Call;
    let serverEnv: Record<string, string>;
    /** Instances A, B, C in zone 1 and D in zone 2, all RUNNING. */
    let A: string, B: string, C: string, D: string;
    let serverC: string;
    let sent = 0;
    const unique = (s: string) => `${s}-${sent++}`;

    before(async () => {
      serverEnv = { BMS_SIM_TIME_SCALE: '0', ...env() };
      server = await startTestServer(serverEnv, { rateLimiter: { take: () => true } });
      bms = sdk(server.credentials.demo);
      ops = sdk(server.credentials.operator, 'bmsops');
      const { root } = await createAccountWithRoot(server.store.db, 'Heartbeat other tenant', 'tenant', Date.now());
      const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
      other = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
      [A, B, C] = (await launch(Z1, 3)) as [string, string, string];
      [D] = (await launch(Z2, 1)) as [string];
    });
    after(async () => server?.stop());

    async function launch(zone: string, count: number): Promise<string[]> {
      const vpc = sdk(server.credentials.demo, 'vpc');
      const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
      const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
      const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', {
        Filters: [{ Name: 'zone', Values: [zone] }],
      });
      const subnet = SubnetSet.find((s) => s.IsBmsSubnet)!;
      const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', {
        Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
        VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Heartbeat#2026' },
        RaidType: flavor.RaidType[0], InstanceCount: count, InstanceName: unique(`hb-${zone}`),
      });
      for (const id of BmsId) await waitFor(`${id} RUNNING`, () => statusOf(id), (s) => s === 'RUNNING');
      return BmsId;
    }

    const statusOf = async (id: string) =>
      (await bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0]?.Status ?? '(gone)';
    const create = async (name: string, call = bms) => call<{ HeartbeatId: string; VlanId: string }>('CreateHeartbeat', { Name: name });
    const groupOf = async (id: string) => (await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { HeartbeatIds: [id] })).HeartbeatSet[0];
    const setRange = (zone: string, first: number, last: number) =>
      ops<{ RegionFirstVlanId: number | null; RegionLastVlanId: number | null; FreeVlanCount: number }>('SetHeartbeatVlanRange', {
        Zone: zone, FirstVlanId: first, LastVlanId: last,
      });
    const serverOf = async (instanceId: string) =>
      (await ops<{ ServerSet: Array<{ ServerId: string }> }>('DescribeServers', { Filters: [{ Name: 'instance-id', Values: [instanceId] }] })).ServerSet[0]!.ServerId;
    const portOf = async (serverId: string) => (await ops<{ SwitchPortSet: Port[] }>('DescribeSwitchPorts', { ServerIds: [serverId] })).SwitchPortSet[0]!;
    const settled = (taskIds: number[]) => waitFor(`tasks ${taskIds.join(',')}`, () => bms<{ TaskSet: Array<{ Status: string }> }>('DescribeTasks', { TaskIds: taskIds }),
      (r) => r.TaskSet.length === taskIds.length && r.TaskSet.every((t) => t.Status !== 'RUNNING'));
    const modify = async (instanceIds: string[], heartbeatId: string) => {
      const { TaskId } = await bms<{ TaskId: number[] }>('ModifyHeartbeat', { InstanceIds: instanceIds, HeartbeatId: heartbeatId });
      assert.equal(TaskId.length, instanceIds.length);
      const done = await settled(TaskId);
      assert.ok(done.TaskSet.every((t) => t.Status === 'SUCCESS'), JSON.stringify(done));
    };
    const drop = (ids: string[]) => bms('DeleteHeartbeats', { HeartbeatIds: ids });

    describe('VLANs and the operator\'s ranges', () => {
      it('a zone without a configured range uses 2000–2999: the first group gets VLAN "2000", an HA- id', async () => {
        const g = await create('first');
        assert.match(g.HeartbeatId, /^HA-[0-9a-z]{8}$/);
        assert.equal(g.VlanId, '2000');
        assert.equal((await groupOf(g.HeartbeatId))?.VlanId, '2000');
        await drop([g.HeartbeatId]);
      });

      it('SetHeartbeatVlanRange is validated: 2 ≤ first ≤ last ≤ 4094, a zone of the region, operators only', async () => {
        for (const [first, last, path] of [[10, 9, /LastVlanId/], [1, 9, /FirstVlanId/], [10, 4095, /LastVlanId/], [0, 0, /FirstVlanId/]] as const) {
          const e = await failure(setRange(Z1, first, last));
          assert.equal(e.code, 'InvalidParameterValue', `${first}-${last}: ${e.message}`);
          assert.match(e.message, path);
        }
        const zone = await failure(setRange('ap-guangzhou-9', 100, 200));
        assert.equal(zone.code, 'InvalidParameterValue');
        assert.match(zone.message, /ap-guangzhou-9/);
        const tenant = await failure(sdk(server.credentials.demo, 'bmsops')('SetHeartbeatVlanRange', { Zone: Z1, FirstVlanId: 100, LastVlanId: 200 }));
        assert.equal(tenant.code, 'AuthFailure.UnauthorizedOperation');
      });

      it('zones whose ranges do not overlap leave no VLAN: the answer says so, CreateHeartbeat is ResourceInsufficient', async () => {
        await setRange(Z1, 100, 199);
        const r = await setRange(Z2, 200, 299);
        assert.equal(r.RegionFirstVlanId, null);
        assert.equal(r.RegionLastVlanId, null);
        assert.equal(r.FreeVlanCount, 0);
        const e = await failure(create('no-vlan'));
        assert.equal(e.code, 'ResourceInsufficient');
        assert.match(e.message, /do not overlap.*ap-guangzhou-1 100–199.*ap-guangzhou-2 200–299/);
      });

      it('a small shared range is exhausted exactly: concurrent creates get distinct VLANs in it, the rest ResourceInsufficient', async () => {
        await setRange(Z1, 100, 102);
        const r = await setRange(Z2, 101, 299);
        assert.deepEqual([r.RegionFirstVlanId, r.RegionLastVlanId, r.FreeVlanCount], [101, 102, 2]);
        const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => create(`small-${i}`)));
        const vlans = results.flatMap((x) => (x.status === 'fulfilled' ? [x.value.VlanId] : [])).sort();
        assert.deepEqual(vlans, ['101', '102']);
        const codes = results.flatMap((x) => (x.status === 'rejected' ? [(x.reason as { code: string }).code] : []));
        assert.deepEqual(codes, ['ResourceInsufficient', 'ResourceInsufficient', 'ResourceInsufficient']);
        assert.match((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason.message, /101–102/);
      });

      it('a range may not shrink below a VLAN in use (ResourceInUse naming it and its group); widening is fine', async () => {
        const { HeartbeatSet } = await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'VlanId', Values: ['101'] }] });
        const e = await failure(setRange(Z2, 102, 299));
        assert.equal(e.code, 'ResourceInUse');
        assert.match(e.message, new RegExp(`VLAN 101 \\(${HeartbeatSet[0]!.HeartbeatId}\\)`));
        const wide = await setRange(Z1, 100, 4094);
        assert.deepEqual([wide.RegionFirstVlanId, wide.RegionLastVlanId, wide.FreeVlanCount], [101, 299, 197]);
        const { HeartbeatSet: all } = await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'Name', Values: ['small-0', 'small-1', 'small-2', 'small-3', 'small-4'] }] });
        await drop(all.map((g) => g.HeartbeatId));
        await setRange(Z1, 2000, 2999);
        await setRange(Z2, 2000, 2999);
      });

      it('many concurrent CreateHeartbeat calls never share a VLAN, and stay in the range', async () => {
        const made = await Promise.all(Array.from({ length: 16 }, (_, i) => create(`race-${i}`)));
        const vlans = made.map((g) => Number(g.VlanId));
        assert.equal(new Set(vlans).size, vlans.length);
        assert.ok(vlans.every((v) => v >= 2000 && v <= 2999), vlans.join(','));
        assert.deepEqual([...vlans].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => 2000 + i));
        await drop(made.map((g) => g.HeartbeatId));
      });

      if (twoNodes) {
        it('two server processes on one database, racing: still one VLAN per group', async () => {
          const second = await startTestServer({ ...serverEnv, BMS_DEMO: '0' }, { rateLimiter: { take: () => true } });
          try {
            const there = sdk({ ...server.credentials.demo, Endpoint: second.endpoint });
            const made = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`node-race-${i}`, i % 2 ? there : bms)));
            const vlans = made.map((g) => g.VlanId);
            assert.equal(new Set(vlans).size, 20, vlans.join(','));
            await drop(made.map((g) => g.HeartbeatId));
          } finally {
            await second.stop();
          }
        });
      }
    });

    describe('groups', () => {
      let g1: string;
      let g2: string;

      it('CreateHeartbeat: Name is required, 1–60 characters, not only spaces', async () => {
        assert.equal((await failure(bms('CreateHeartbeat', {}))).code, 'MissingParameter');
        for (const name of ['', 'x'.repeat(61), '   ']) {
          const e = await failure(create(name));
          assert.equal(e.code, 'InvalidParameterValue', JSON.stringify(name));
          assert.match(e.message, /Name/);
        }
        assert.equal((await create('y'.repeat(60))).VlanId, '2000');
        const { HeartbeatSet } = await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'Name', Values: ['y'.repeat(60)] }] });
        await drop([HeartbeatSet[0]!.HeartbeatId]);
      });

      it('groups get the smallest free VLANs; DescribeHeartbeats by ids, Name and VlanId, with Strings and a live CurrentNum', async () => {
        g1 = (await create('db-primary')).HeartbeatId;
        g2 = (await create('db-replica')).HeartbeatId;
        const byIds = await bms<{ TotalCount: number; HeartbeatSet: Group[] }>('DescribeHeartbeats', { HeartbeatIds: [g1, g2.toLowerCase()] });
        assert.equal(byIds.TotalCount, 2);
        const one = byIds.HeartbeatSet.find((g) => g.HeartbeatId === g1)!;
        assert.deepEqual({ ...one, CreatedTime: typeof one.CreatedTime, UpdateTime: typeof one.UpdateTime },
          { HeartbeatId: g1, Name: 'db-primary', VlanId: '2000', CurrentNum: '0', CreatedTime: 'string', UpdateTime: 'string' });
        assert.equal(byIds.HeartbeatSet.find((g) => g.HeartbeatId === g2)!.VlanId, '2001');
        const byName = await bms<{ TotalCount: number; HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'Name', Values: ['db-replica'] }] });
        assert.deepEqual(byName.HeartbeatSet.map((g) => g.HeartbeatId), [g2]);
        const byVlan = await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'VlanId', Values: ['2000', '2999'] }] });
        assert.deepEqual(byVlan.HeartbeatSet.map((g) => g.HeartbeatId), [g1]);
        const both = await bms<{ TotalCount: number }>('DescribeHeartbeats', { Filters: [{ Name: 'Name', Values: ['db-primary'] }, { Name: 'VlanId', Values: ['2001'] }] });
        assert.equal(both.TotalCount, 0);
        const page = await bms<{ TotalCount: number; HeartbeatSet: Group[] }>('DescribeHeartbeats', { Limit: 1, Offset: 1 });
        assert.equal(page.TotalCount, 2);
        assert.equal(page.HeartbeatSet.length, 1);
      });

      it('DescribeHeartbeats refuses ids with Filters, an unknown filter, a VlanId that is not a number', async () => {
        assert.equal((await failure(bms('DescribeHeartbeats', { HeartbeatIds: [g1], Filters: [{ Name: 'Name', Values: ['x'] }] }))).code, 'InvalidParameter');
        const unknown = await failure(bms('DescribeHeartbeats', { Filters: [{ Name: 'zone', Values: [Z1] }] }));
        assert.equal(unknown.code, 'InvalidParameterValue');
        const vlan = await failure(bms('DescribeHeartbeats', { Filters: [{ Name: 'VlanId', Values: ['2000', 'vlan-7'] }] }));
        assert.equal(vlan.code, 'InvalidParameterValue');
        assert.match(vlan.message, /Filters\.0\.Values\.1.*vlan-7/);
      });

      it('UpdateHeartbeat renames (1–60); an unknown group is ResourceNotFound', async () => {
        await bms('UpdateHeartbeat', { HeartbeatId: g2, Name: '数据库备库心跳' });
        assert.equal((await groupOf(g2))?.Name, '数据库备库心跳');
        assert.equal((await failure(bms('UpdateHeartbeat', { HeartbeatId: g2, Name: 'z'.repeat(61) }))).code, 'InvalidParameterValue');
        const e = await failure(bms('UpdateHeartbeat', { HeartbeatId: 'HA-nothere0', Name: 'x' }));
        assert.equal(e.code, 'ResourceNotFound');
        assert.match(e.message, /HA-nothere0/);
      });

      it('DeleteHeartbeats is all or nothing: an unknown or repeated id refuses the whole call', async () => {
        const spare = (await create('spare')).HeartbeatId;
        const e = await failure(drop([spare, 'HA-nothere0']));
        assert.equal(e.code, 'ResourceNotFound');
        assert.match(e.message, /HA-nothere0/);
        assert.equal((await failure(drop([spare, spare.toLowerCase()]))).code, 'InvalidParameterValue');
        assert.ok(await groupOf(spare), 'nothing was deleted');
        await drop([spare]);
        assert.equal(await groupOf(spare), undefined);
      });

      describe('membership', () => {
        it('ModifyHeartbeat puts instances into the group: CurrentNum at once, the switch port after the task', async () => {
          await modify([A, B.toUpperCase().replace('BMS-', 'bms-')], g1);
          assert.equal((await groupOf(g1))?.CurrentNum, '2');
          for (const id of [A, B]) {
            const serverId = await serverOf(id);
            assert.equal((await server.sim.lab.snapshot(serverId)).heartbeatVlan, 2000);
            const port = await portOf(serverId);
            assert.deepEqual([port.HeartbeatVlanId, port.InstanceId, port.HeartbeatId, port.InSync], [2000, id, g1, true]);
          }
        });

        it('moving an instance to another group takes it out of the first (one group per instance)', async () => {
          await modify([B], g2);
          assert.equal((await groupOf(g1))?.CurrentNum, '1');
          assert.equal((await groupOf(g2))?.CurrentNum, '1');
          const serverId = await serverOf(B);
          assert.equal((await server.sim.lab.snapshot(serverId)).heartbeatVlan, 2001);
          const { SwitchPortSet } = await ops<{ SwitchPortSet: Port[] }>('DescribeSwitchPorts', { Filters: [{ Name: 'heartbeat-vlan', Values: ['2001'] }] });
          assert.deepEqual(SwitchPortSet.map((p) => [p.ServerId, p.InstanceId, p.HeartbeatId]), [[serverId, B, g2]]);
          // The extension filter InstanceId answers which group an instance is in (the console's details show it).
          const byMember = async (...ids: string[]) => (await bms<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', { Filters: [{ Name: 'InstanceId', Values: ids }] })).HeartbeatSet.map((g) => g.HeartbeatId).sort();
          assert.deepEqual(await byMember(B), [g2]);
          assert.deepEqual(await byMember(A), [g1]);
          assert.deepEqual(await byMember(A, B), [g1, g2].sort());
          assert.deepEqual(await byMember('bms-nothere0'), []);
        });

        it('members may sit in several zones (the VLAN is region-wide); a STOPPED instance may join', async () => {
          const stop = await bms<{ TaskId: number[] }>('StopInstances', { InstanceIds: [C] });
          await settled(stop.TaskId);
          assert.equal(await statusOf(C), 'STOPPED');
          await modify([C, D], g2);
          assert.equal((await groupOf(g2))?.CurrentNum, '3');
          const ports = await ops<{ SwitchPortSet: Port[] }>('DescribeSwitchPorts', { Filters: [{ Name: 'heartbeat-vlan', Values: ['2001'] }] });
          assert.deepEqual(new Set(ports.SwitchPortSet.map((p) => p.Zone)), new Set([Z1, Z2]));
          const zone2 = await ops<{ TotalCount: number; SwitchPortSet: Port[] }>('DescribeSwitchPorts', {
            Filters: [{ Name: 'zone', Values: [Z2] }, { Name: 'heartbeat-vlan', Values: ['2001', '2000'] }],
          });
          assert.deepEqual(zone2.SwitchPortSet.map((p) => p.InstanceId), [D]);
          const start = await bms<{ TaskId: number[] }>('StartInstances', { InstanceIds: [C] });
          await settled(start.TaskId);
        });

        it('DescribeSwitchPorts lists every server with its topology; ids and filters are checked', async () => {
          const all = await ops<{ TotalCount: number; SwitchPortSet: Port[] }>('DescribeSwitchPorts', { Limit: 100 });
          assert.ok(all.TotalCount >= 384, String(all.TotalCount)); // the demo fleet: 192 servers per zone
          assert.ok(all.SwitchPortSet.every((p) => p.SwitchId.startsWith('sw-') && p.RackId.startsWith('rack-')));
          const free = all.SwitchPortSet.find((p) => p.InstanceId === null)!;
          assert.deepEqual([free.HeartbeatVlanId, free.HeartbeatId, free.InSync], [null, null, true]);
          const bySwitch = await ops<{ SwitchPortSet: Port[] }>('DescribeSwitchPorts', { Filters: [{ Name: 'switch-id', Values: [free.SwitchId] }], Limit: 100 });
          assert.ok(bySwitch.SwitchPortSet.length > 0 && bySwitch.SwitchPortSet.every((p) => p.SwitchId === free.SwitchId));
          assert.equal((await failure(ops('DescribeSwitchPorts', { ServerIds: [free.ServerId], Filters: [{ Name: 'zone', Values: [Z1] }] }))).code, 'InvalidParameterValue');
          assert.equal((await failure(ops('DescribeSwitchPorts', { Filters: [{ Name: 'heartbeat-vlan', Values: ['default'] }] }))).code, 'InvalidParameterValue');
          assert.equal((await failure(ops('DescribeSwitchPorts', { ServerIds: ['not-a-server'] }))).code, 'InvalidParameterValue');
        });

        it('the batch is checked whole first: an unknown instance, a repeated one, an unknown group, none or over 100 — nothing changes', async () => {
          const before = await groupOf(g1);
          const unknown = await failure(bms('ModifyHeartbeat', { InstanceIds: [C, 'bms-nothere0'], HeartbeatId: g1 }));
          assert.equal(unknown.code, 'ResourceNotFound');
          assert.match(unknown.message, /bms-nothere0/);
          assert.equal((await failure(bms('ModifyHeartbeat', { InstanceIds: [C, C], HeartbeatId: g1 }))).code, 'InvalidParameterValue');
          const group = await failure(bms('ModifyHeartbeat', { InstanceIds: [C], HeartbeatId: 'HA-nothere0' }));
          assert.equal(group.code, 'ResourceNotFound');
          assert.match(group.message, /HA-nothere0/);
          assert.equal((await failure(bms('ModifyHeartbeat', { InstanceIds: [], HeartbeatId: g1 }))).code, 'InvalidParameterValue');
          const many = Array.from({ length: 101 }, (_, i) => `bms-${String(i).padStart(8, '0')}`);
          assert.equal((await failure(bms('ModifyHeartbeat', { InstanceIds: many, HeartbeatId: g1 }))).code, 'InvalidParameterValue');
          assert.deepEqual(await groupOf(g1), before);
          assert.equal((await groupOf(g2))?.CurrentNum, '3', 'C is still in g2');
        });

        it('an instance that is not RUNNING or STOPPED cannot join (UnsupportedOperation naming it and its state)', async () => {
          const serverId = serverC = await serverOf(C);
          await server.sim.lab.injectFault(serverId, { kind: 'hang', operations: ['setPowerState'] });
          try {
            await bms('TerminateInstances', { InstanceIds: [C] });
            const e = await failure(bms('ModifyHeartbeat', { InstanceIds: [A, C], HeartbeatId: g1 }));
            assert.equal(e.code, 'UnsupportedOperation');
            assert.match(e.message, new RegExp(`${C} is TERMINATING`));
          } finally {
            await server.sim.lab.clearFaults(serverId);
          }
        });

        it('a group with members cannot be deleted (ResourceInUse naming the group and its members), all or nothing', async () => {
          const empty = (await create('empty')).HeartbeatId;
          const e = await failure(drop([empty, g1]));
          assert.equal(e.code, 'ResourceInUse');
          assert.match(e.message, new RegExp(`${g1} \\(1 member: ${A}\\)`));
          assert.ok(await groupOf(empty), 'the empty group was not deleted either');
          await drop([empty]);
        });

        it('a return resets the port to the default VLAN and removes the membership (CurrentNum drops)', async () => {
          await waitFor(`${C} gone`, () => statusOf(C), (s) => s === '(gone)');
          assert.equal((await groupOf(g2))?.CurrentNum, '2');
          const serverA = await serverOf(A);
          const { TaskId } = await bms<{ TaskId: number[] }>('TerminateInstances', { InstanceIds: [A] });
          await settled(TaskId);
          assert.equal(await statusOf(A), '(gone)');
          assert.equal((await groupOf(g1))?.CurrentNum, '0');
          assert.equal((await server.sim.lab.snapshot(serverA)).heartbeatVlan, null);
          const port = await portOf(serverA);
          assert.deepEqual([port.HeartbeatVlanId, port.InstanceId, port.HeartbeatId, port.InSync], [null, null, null, true]);
          assert.equal((await server.sim.lab.snapshot(serverC)).heartbeatVlan, null);
          const { TaskSet } = await bms<{ TaskSet: Array<{ Steps: Array<{ Name: string }> }> }>('DescribeTasks', { TaskIds: TaskId });
          assert.ok(TaskSet[0]!.Steps.some((s) => s.Name === 'reset-heartbeat-port'));
          await drop([g1]); // empty now
        });
      });
    });

    describe('tenant isolation', () => {
      it('another tenant\'s groups and instances answer exactly like ones that never existed', async () => {
        const mine = (await create('mine')).HeartbeatId;
        const theirs = await create('theirs', other);
        assert.notEqual(theirs.VlanId, (await groupOf(mine))!.VlanId, 'VLANs are unique across tenants of the region');
        const seen = await other<{ TotalCount: number }>('DescribeHeartbeats', { HeartbeatIds: [mine] });
        assert.equal(seen.TotalCount, 0);
        const listed = await other<{ HeartbeatSet: Group[] }>('DescribeHeartbeats', {});
        assert.deepEqual(listed.HeartbeatSet.map((g) => g.HeartbeatId), [theirs.HeartbeatId]);
        const same = async (p: Promise<unknown>, ghost: Promise<unknown>, id: string, ghostId: string) => {
          const [a, b] = await Promise.all([failure(p), failure(ghost)]);
          assert.equal(a.code, 'ResourceNotFound');
          assert.equal(a.code, b.code);
          assert.equal(a.message.replace(id, 'ID'), b.message.replace(ghostId, 'ID'));
        };
        await same(other('UpdateHeartbeat', { HeartbeatId: mine, Name: 'hijack' }), other('UpdateHeartbeat', { HeartbeatId: 'HA-ghost000', Name: 'hijack' }), mine, 'HA-ghost000');
        await same(other('DeleteHeartbeats', { HeartbeatIds: [mine] }), other('DeleteHeartbeats', { HeartbeatIds: ['HA-ghost000'] }), mine, 'HA-ghost000');
        await same(other('ModifyHeartbeat', { InstanceIds: [B], HeartbeatId: theirs.HeartbeatId }),
          other('ModifyHeartbeat', { InstanceIds: ['bms-ghost000'], HeartbeatId: theirs.HeartbeatId }), B, 'bms-ghost000');
        await same(bms('ModifyHeartbeat', { InstanceIds: [B], HeartbeatId: theirs.HeartbeatId }),
          bms('ModifyHeartbeat', { InstanceIds: [B], HeartbeatId: 'HA-ghost000' }), theirs.HeartbeatId, 'HA-ghost000');
        assert.equal((await groupOf(mine))?.Name, 'mine');
        await drop([mine]);
        await other('DeleteHeartbeats', { HeartbeatIds: [theirs.HeartbeatId] });
      });
    });

    it('nothing leaked: tasks settle, the invariants hold, one operation per BMC at a time', async () => {
      await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
      assert.deepEqual(await checkInvariants(server.store.db), []);
      assert.equal(server.sim.lab.concurrencyViolations().count, 0);
      const members = await server.store.db.selectFrom('heartbeat_members').innerJoin('instances', 'instances.id', 'heartbeat_members.instance_id')
        .select(['instance_id', 'instances.deleted_at']).execute();
      assert.ok(members.every((m) => m.deleted_at === null), 'a returned instance is still a member');
    });
  });
}

heartbeatSuite('SQLite', () => ({}), false);
const freshSchemaUrl = schemaFactory();
await withPostgres('heartbeat network groups on PostgreSQL', () => heartbeatSuite('PostgreSQL', () => ({
  BMS_DATABASE_URL: freshSchemaUrl(), BMS_MASTER_KEY: 'heartbeat test passphrase',
}), true));
