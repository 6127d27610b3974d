/**
 * The vendor's Terraform-provider flow, driven by the official SDK against a running BMS with a
 * simulated datacenter: RunInstances → poll DescribeInstances by BmsId (PENDING → RUNNING) →
 * ModifyInstancesAttribute → Stop → Start → Reboot → ResetInstance → TerminateInstances →
 * no longer listed. Then: a user-defined flavor cannot be reset, tasks show their steps, the
 * sim saw one operation per BMC at a time, nothing leaked, no password in clear anywhere.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { provisionFlow } from '../src/flows/provision.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const PASSWORD = 'Lifecycle#2026pw';
let server: TestServer;
let bms: Call;
let vpc: Call;
let zone: string;
let launch: Record<string, unknown>;

interface Instance { InstanceId: string; InstanceName: string; Status: string; PrivateIpAddresses: string[]; OperatingSystem: string; FlavorId: string }
interface Flavor { FlavorId: string; FlavorName: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] } }

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0.0005', BMS_POWER_SYNC_MS: '200' });
  bms = sdk(server.credentials.demo);
  vpc = sdk(server.credentials.demo, 'vpc');
  zone = 'ap-guangzhou-1';
  const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', {});
  const subnet = SubnetSet.find((s) => s.Zone === zone && s.IsBmsSubnet)!;
  launch = {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: PASSWORD },
    RaidType: flavor.RaidType[0], InstanceName: 'tf-test', InstanceCount: 1,
  };
});
after(async () => server.stop());

const describeOne = async (id: string) =>
  (await bms<{ TotalCount: number; InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] }));
const statusOf = async (id: string) => (await describeOne(id)).InstanceSet[0]?.Status ?? '(gone)';
const until = (id: string, status: string) => waitFor(`${id} ${status}`, () => statusOf(id), (s) => s === status);

describe('the Terraform provider flow', () => {
  let id: string;

  it('RunInstances answers TaskId as strings and BmsId; the instance goes PENDING → RUNNING', async () => {
    const res = await bms<{ TaskId: string[]; BmsId: string[] }>('RunInstances', launch);
    assert.equal(res.BmsId.length, 1);
    assert.match(res.BmsId[0]!, /^bms-[0-9a-z]{8}$/);
    assert.ok(res.TaskId.every((t) => typeof t === 'string' && /^\d+$/.test(t)));
    id = res.BmsId[0]!;
    const first = await describeOne(id);
    assert.equal(first.TotalCount, 1);
    assert.ok(['PENDING', 'RUNNING'].includes(first.InstanceSet[0]!.Status));
    await until(id, 'RUNNING');
    const inst = (await describeOne(id)).InstanceSet[0]!;
    assert.equal(inst.PrivateIpAddresses.length, 1);
    assert.equal(inst.OperatingSystem, launch.OperatingSystem);
  });

  it('ModifyInstancesAttribute renames it', async () => {
    await bms('ModifyInstancesAttribute', { InstanceIds: [id], InstanceName: '改名后的实例' });
    assert.equal((await describeOne(id)).InstanceSet[0]!.InstanceName, '改名后的实例');
  });

  it('Stop → STOPPED, Start → RUNNING, Reboot → RUNNING', async () => {
    const stop = await bms<{ TaskId: number[] }>('StopInstances', { InstanceIds: [id] });
    assert.ok(stop.TaskId.every((t) => typeof t === 'number'));
    assert.ok(['STOPPING', 'STOPPED'].includes(await statusOf(id)));
    await until(id, 'STOPPED');
    await bms('StartInstances', { InstanceIds: [id] });
    await until(id, 'RUNNING');
    await bms('RebootInstances', { InstanceIds: [id] });
    await until(id, 'RUNNING');
  });

  it('a wrong-state action is refused for the whole batch', async () => {
    // The id in capitals (ids are case-insensitive): the same body signed in the same second would
    // be refused as a replay before the state check is reached.
    const e = await failure(bms('StartInstances', { InstanceIds: [id.toUpperCase().replace('BMS-', 'bms-')] }));
    assert.equal(e.code, 'UnsupportedOperation');
    assert.match(e.message, new RegExp(`${id}.*RUNNING.*STOPPED`));
  });

  it('ResetInstance reinstalls: RESETTING → RUNNING with the new OS', async () => {
    const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { FlavorIds: [launch.FlavorId as string] });
    const os = FlavorSet[0]!.OperatingSystem.Linux.at(-1)!;
    await bms('ResetInstance', { InstanceId: id, RaidType: launch.RaidType, OperatingSystemType: 'Linux', OperatingSystem: os, LoginSettings: { Password: 'Another#Pass9' } });
    assert.equal(await statusOf(id), 'RESETTING');
    await until(id, 'RUNNING');
    assert.equal((await describeOne(id)).InstanceSet[0]!.OperatingSystem, os);
  });

  it('DescribeTasks shows each step with progress; QueryTask agrees', async () => {
    const { TaskSet } = await bms<{ TaskSet: Array<{ TaskId: number; Action: string; Status: string; Progress: number; Steps: Array<{ Name: string; Status: string }> }> }>('DescribeTasks', { InstanceIds: [id] });
    const provision = TaskSet.find((t) => t.Action === 'RunInstances')!;
    assert.equal(provision.Status, 'SUCCESS');
    assert.equal(provision.Progress, 100);
    assert.deepEqual(provision.Steps.map((s) => s.Name), provisionFlow.steps.map((s) => s.name));
    for (const name of ['power-off', 'build-raid', 'install-os', 'create-bmc-account', 'power-on', 'mark-running']) {
      assert.ok(provision.Steps.some((s) => s.Name === name), `provisioning has a ${name} step`);
    }
    assert.ok(provision.Steps.every((s) => s.Status === 'DONE'));
    const q = await bms<{ Status: number; Output: string }>('QueryTask', { TaskId: String(provision.TaskId) });
    assert.equal(q.Status, 0);
    assert.equal(JSON.parse(q.Output).InstanceId, id);
  });

  it('TerminateInstances: DryRun first, then TERMINATING → no longer listed; a second call is the same task', async () => {
    assert.equal((await failure(bms('TerminateInstances', { InstanceIds: [id], DryRun: true }))).code, 'DryRunOperation');
    assert.equal(await statusOf(id), 'RUNNING');
    const first = await bms<{ TaskId: number[] }>('TerminateInstances', { InstanceIds: [id] });
    // The id in capitals: the same body signed in the same second would be refused as a replay.
    const again = await bms<{ TaskId: number[] }>('TerminateInstances', { InstanceIds: [id.replace(/-(.*)/, (_m, x: string) => `-${x.toUpperCase()}`)] })
      .catch((e: { code: string }) => e);
    if ('TaskId' in again) assert.deepEqual(again.TaskId, first.TaskId);
    else assert.equal(again.code, 'ResourceNotFound', 'only an instance already gone may refuse the second call');
    await waitFor(`${id} gone`, () => describeOne(id), (r) => r.TotalCount === 0);
  });
});

describe('around the flow', () => {
  it('the demo tenant was handed two machines of its user-defined flavor, provisioned like any other', async () => {
    const named = await waitFor('handed-over instances running', () => bms<{ InstanceSet: Instance[] }>('DescribeInstances', {
      Filters: [{ Name: 'instance-name', Values: ['handed-over-gpu'] }],
    }), (r) => r.InstanceSet.length === 2 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
    assert.ok(named.InstanceSet.every((i) => i.PrivateIpAddresses.length === 1));
  });

  it('a user-defined flavor\'s instance cannot be reset', async () => {
    const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {});
    const custom = FlavorSet.find((f) => f.UserDefined)!;
    assert.ok(custom, 'the demo tenant sees its user-defined flavor');
    const res = await bms<{ BmsId: string[] }>('RunInstances', {
      ...launch, FlavorId: custom.FlavorId, RaidType: custom.RaidType[0], OperatingSystem: custom.OperatingSystem.Linux[0], Placement: { Zone: zone },
    });
    const id = res.BmsId[0]!;
    await until(id, 'RUNNING');
    const e = await failure(bms('ResetInstance', { InstanceId: id, RaidType: custom.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: custom.OperatingSystem.Linux[0], LoginSettings: { Password: PASSWORD } }));
    assert.equal(e.code, 'UnsupportedOperation');
    assert.match(e.message, /user-defined/);
  });

  it('an instance powered off outside the API shows STOPPED (power-state sync)', async () => {
    const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', launch);
    const id = BmsId[0]!;
    await until(id, 'RUNNING');
    const serverId = (await server.store.db.selectFrom('instances').select('server_id').where('id', '=', id).executeTakeFirstOrThrow()).server_id!;
    await server.sim.lab.pressPowerButton(serverId, 'off');
    await until(id, 'STOPPED');
    assert.ok(server.logLines.some((l) => l.msg === 'power state drift corrected' && l.instanceId === id));
  });

  it('one operation per BMC at a time, nothing leaked, no password in clear', async () => {
    assert.equal(server.sim.lab.concurrencyViolations().count, 0);
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.deepEqual(await checkInvariants(server.store.db), []);
    const logs = JSON.stringify(server.logLines);
    for (const secret of [PASSWORD, 'Another#Pass9']) {
      assert.ok(!logs.includes(secret), 'a login password reached the log');
      for (const f of readdirSync(server.dataDir).filter((f) => f.startsWith('bms.sqlite'))) {
        assert.ok(!readFileSync(join(server.dataDir, f)).includes(secret), `a login password is in ${f} in clear`);
      }
    }
  });
});
