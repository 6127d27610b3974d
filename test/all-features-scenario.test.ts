/**
 * One tenant uses every feature at once — a spread placement group, public IPs at launch and
 * allocated later, IPv6, a heartbeat VLAN group, backup IPs (with a primary swap), out-of-band
 * access with its tenant BMC account — then returns every instance and deletes its groups.
 * Afterwards the invariant checker (servers, addresses, VIPs, backup IPs, EIPs, VLANs, BMC
 * accounts) reports nothing leaked and no row of the returned instances remains.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let bms: Call;
let vpc: Call;
let ops: Call;
const zone = 'ap-guangzhou-1';

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  vpc = sdk(server.credentials.demo, 'vpc');
  ops = sdk(server.credentials.operator, 'bmsops');
});
after(async () => server.stop());

describe('every feature, then every return', () => {
  it('leaves nothing behind', async () => {
    await ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/28' });
    const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>(
      'DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
    const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
    const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
    const subnet = SubnetSet[0]!;
    const { GroupId } = await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'spread', Type: 'RACK' });
    const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', {
      Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId, Ipv6Address: true }, LoginSettings: { Password: 'Every#2026pw' },
      RaidType: flavor.RaidType[0], InstanceCount: 3, GroupId, InternetAccessible: { InternetMaxBandwidthOut: 10 },
    });
    const running = await waitFor('all running', () => bms<{ InstanceSet: Array<{ InstanceId: string; Status: string; PublicIpAddresses: string[]; PrivateIpAddresses: string[] }> }>(
      'DescribeInstances', { InstanceIds: BmsId }), (r) => r.InstanceSet.length === 3 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
    assert.ok(running.InstanceSet.every((i) => i.PublicIpAddresses.length === 1));

    const { HeartbeatId } = await bms<{ HeartbeatId: string }>('CreateHeartbeat', { Name: 'cluster' });
    await bms('ModifyHeartbeat', { InstanceIds: BmsId, HeartbeatId });
    const [a, b] = BmsId as [string, string, string];
    const { BackupIP } = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a });
    const old = running.InstanceSet.find((i) => i.InstanceId === a)!.PrivateIpAddresses[0]!;
    // A different body: the same one signed in the same second would be refused as a replay.
    const second = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a, SubnetId: subnet.SubnetId });
    await bms('ReturnBackupIP', { InstanceId: a, BackupIP: old, OverlayIp: BackupIP });
    await bms('CreateOutbandIP', { InstanceId: b, VpcId: subnet.VpcId, SubnetId: subnet.SubnetId });
    const info = await bms<{ OutbandInfo: Array<{ User: string; Password: string }> }>('DescribeOutbandInfo', { InstanceId: b });
    assert.ok(info.OutbandInfo[0]!.User.startsWith('tenant-'));
    const { AddressSet } = await vpc<{ AddressSet: string[] }>('AllocateAddresses', { AddressCount: 1 });
    await vpc('AssociateAddress', { AddressId: AddressSet[0], InstanceId: a, PrivateIpAddress: second.BackupIP });

    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.deepEqual(await checkInvariants(server.store.db), [], 'consistent while everything is in use');

    await bms('TerminateInstances', { InstanceIds: BmsId, ReleaseAddress: true });
    await waitFor('all returned', () => bms<{ TotalCount: number }>('DescribeInstances', { InstanceIds: BmsId }), (r) => r.TotalCount === 0);
    // ReleaseAddress: every EIP bound to the returned instances went back to the pool, the later one too.
    assert.equal((await vpc<{ TotalCount: number }>('DescribeAddresses', {})).TotalCount, 0);
    await bms('DeleteHeartbeats', { HeartbeatIds: [HeartbeatId] });
    await bms('DeleteDisasterRecoverGroups', { GroupIds: [GroupId] });
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);

    assert.deepEqual(await checkInvariants(server.store.db), []);
    // Nothing of the returned instances remains (the demo's handed-over machines keep theirs).
    const db = server.store.db;
    const leftovers = [
      ...(await db.selectFrom('eips').select('id').where('instance_id', 'in', BmsId).execute()),
      ...(await db.selectFrom('outband_mappings').select('vip').where('instance_id', 'in', BmsId).execute()),
      ...(await db.selectFrom('bmc_accounts').select('username').where('instance_id', 'in', BmsId).execute()),
      ...(await db.selectFrom('heartbeat_members').select('group_id').where('instance_id', 'in', BmsId).execute()),
      ...(await db.selectFrom('ip_allocations').select('address').where('owner_id', 'in', BmsId).execute()),
    ];
    assert.deepEqual(leftovers, [], 'rows left behind');
    assert.equal(server.sim.lab.concurrencyViolations().count, 0);
  });
});
