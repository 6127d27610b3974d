/**
 * When hardware fails: a provisioning whose install fails ends CREATE_FAILED with the reason,
 * its addresses released at once, its server wiped and back in the pool — or quarantined
 * (maintenance, with the reason) when the wipe fails too. A return whose wipe fails still
 * completes for the tenant and quarantines the server. A power operation the BMC refuses
 * leaves the instance where it was, with the error on the task. Retries are bounded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { provisionFlow } from '../src/flows/provision.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let bms: Call;
let base: Record<string, unknown>;
const zone = 'ap-guangzhou-2';
let flavorId: string;

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  const vpc = sdk(server.credentials.demo, 'vpc');
  const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>(
    'DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
  const flavor = FlavorSet.find((f) => !f.UserDefined)!;
  flavorId = flavor.FlavorId;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
  base = {
    Placement: { Zone: zone }, FlavorId: flavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: SubnetSet[0]!.VpcId, SubnetId: SubnetSet[0]!.SubnetId }, LoginSettings: { Password: 'Faults#2026pw' }, RaidType: flavor.RaidType[0],
  };
});
after(async () => server.stop());

/** The server the next launch of the flavor will take (the pool hands out the lowest id first). */
async function nextServer(): Promise<string> {
  const row = await server.store.db.selectFrom('servers').select('id').where('flavor_id', '=', flavorId).where('state', '=', 'available')
    .orderBy('id').executeTakeFirstOrThrow();
  return row.id;
}
const serverRow = (id: string) => server.store.db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const instance = async (id: string) => (await bms<{ InstanceSet: Array<{ Status: string; PrivateIpAddresses: string[] }> }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0];
const settled = (id: string, status: string) => waitFor(`${id} ${status}`, () => instance(id), (i) => i?.Status === status);
const taskOf = async (id: string, action: string) => {
  const { TaskSet } = await bms<{ TaskSet: Array<{ Action: string; Status: string; Error: string | null; Steps: Array<{ Name: string; Status: string; Attempts: number }> }> }>('DescribeTasks', { InstanceIds: [id] });
  return TaskSet.find((t) => t.Action === action)!;
};
const launch = async (name: string) => (await bms<{ BmsId: string[] }>('RunInstances', { ...base, InstanceName: name })).BmsId[0]!;

describe('provisioning failures', () => {
  it('a failed install ends CREATE_FAILED with the reason; the server is wiped and back in the pool', async () => {
    const srv = await nextServer();
    await server.sim.lab.injectFault(srv, { kind: 'install-fails' });
    const id = await launch('install-fails');
    await settled(id, 'CREATE_FAILED');
    const task = await waitFor('provision task finished', () => taskOf(id, 'RunInstances'), (t) => t.Status !== 'RUNNING');
    assert.equal(task.Status, 'FAILED');
    assert.match(task.Error!, /install-os/);
    assert.equal(task.Steps.find((s) => s.Name === 'install-os')!.Attempts, 3, 'bounded retries: 1 + 2');
    const rescue = task.Steps.slice(task.Steps.findIndex((s) => s.Name === 'install-os') + 1);
    assert.deepEqual(rescue.map((s) => s.Name), provisionFlow.rescue!.map((s) => s.name), 'the rescue steps ran in order');
    assert.ok(rescue.every((s) => s.Status === 'DONE'));
    assert.equal(rescue[0]!.Name, 'mark-create-failed');
    assert.deepEqual(rescue.slice(-3).map((s) => s.Name), ['power-off', 'wipe-disks', 'return-server']);
    assert.deepEqual((await instance(id))!.PrivateIpAddresses, [], 'its address was released');
    const row = await serverRow(srv);
    assert.equal(row.state, 'available');
    assert.equal(row.instance_id, null);
    assert.equal((await server.sim.lab.snapshot(srv)).diskState, 'wiped');
    await server.sim.lab.clearFaults(srv);
    await bms('TerminateInstances', { InstanceIds: [id] });
    await waitFor(`${id} gone`, () => instance(id), (i) => i === undefined);
  });

  it('when the wipe fails too, the server is quarantined with the reason', async () => {
    const srv = await nextServer();
    await server.sim.lab.injectFault(srv, { kind: 'install-fails' });
    await server.sim.lab.injectFault(srv, { kind: 'wipe-fails' });
    const id = await launch('wipe-fails');
    await settled(id, 'CREATE_FAILED');
    const row = await waitFor('server quarantined', () => serverRow(srv), (r) => r.instance_id === null);
    assert.equal(row.state, 'maintenance');
    assert.match(row.maintenance_reason!, /RunInstances: wipe-disks: .*erase/);
    await server.sim.lab.clearFaults(srv);
  });

  it('a BMC that stays unreachable fails the launch; the server is quarantined, never reused blind', async () => {
    const srv = await nextServer();
    await server.sim.lab.injectFault(srv, { kind: 'bmc-unreachable' });
    const id = await launch('unreachable');
    await settled(id, 'CREATE_FAILED');
    const row = await waitFor('server quarantined', () => serverRow(srv), (r) => r.instance_id === null);
    assert.equal(row.state, 'maintenance');
    await server.sim.lab.clearFaults(srv);
  });
});

describe('operation failures', () => {
  it('a stop the BMC refuses leaves the instance RUNNING, with the error on the task', async () => {
    const id = await launch('stop-fails');
    await settled(id, 'RUNNING');
    const srv = (await server.store.db.selectFrom('instances').select('server_id').where('id', '=', id).executeTakeFirstOrThrow()).server_id!;
    await server.sim.lab.injectFault(srv, { kind: 'power-fails' });
    await bms('StopInstances', { InstanceIds: [id] });
    const task = await waitFor('stop task finished', () => taskOf(id, 'StopInstances'), (t) => t?.Status === 'FAILED' || t?.Status === 'SUCCESS');
    assert.equal(task.Status, 'FAILED');
    await settled(id, 'RUNNING');
    await server.sim.lab.clearFaults(srv);
  });

  it('a return whose wipe fails completes for the tenant and quarantines the server', async () => {
    const id = await launch('return-wipe-fails');
    await settled(id, 'RUNNING');
    const srv = (await server.store.db.selectFrom('instances').select('server_id').where('id', '=', id).executeTakeFirstOrThrow()).server_id!;
    await server.sim.lab.injectFault(srv, { kind: 'wipe-fails' });
    await bms('TerminateInstances', { InstanceIds: [id] });
    await waitFor(`${id} gone`, () => instance(id), (i) => i === undefined);
    const row = await serverRow(srv);
    assert.equal(row.state, 'maintenance');
    assert.equal(row.instance_id, null);
    await server.sim.lab.clearFaults(srv);
  });

  it('a batch with one instance in the wrong state changes none of them', async () => {
    const a = await launch('batch-a');
    const b = await launch('batch-b');
    await settled(a, 'RUNNING');
    await settled(b, 'RUNNING');
    await bms('StopInstances', { InstanceIds: [b] });
    await settled(b, 'STOPPED');
    const e = await failure(bms('StopInstances', { InstanceIds: [a, b] }));
    assert.equal(e.code, 'UnsupportedOperation');
    assert.match(e.message, new RegExp(b));
    assert.equal((await instance(a))!.Status, 'RUNNING');
    const missing = await failure(bms('RebootInstances', { InstanceIds: [a, 'bms-00000000'] }));
    assert.equal(missing.code, 'ResourceNotFound');
    assert.equal((await instance(a))!.Status, 'RUNNING');
  });

  it('afterwards: one operation per BMC at a time, and nothing leaked', async () => {
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.equal(server.sim.lab.concurrencyViolations().count, 0);
    assert.deepEqual(await checkInvariants(server.store.db), []);
  });
});
