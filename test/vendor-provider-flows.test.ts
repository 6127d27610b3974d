/**
 * The vendor's Terraform provider, replayed call by call through the official SDK (the request
 * shapes its Go SDK models send, integers where they type int64):
 * - instance with tags: RunInstances → ModifyResourceTags (tag service) → read (DescribeInstances
 *   + DescribeResourceTagsByResourceIds) → TerminateInstances → DescribeInstances polled;
 * - placement group: CreateDisasterRecoverGroup → DescribeDisasterRecoverGroups (Filters Name,
 *   Limit 200) → GroupSet[0]; an SW group placed one member per switch and explained when full;
 * - flavor data source: DescribeFlavors filtered by cpu-arch and zone;
 * - out-of-band access: CreateOutbandIP with Vport, DeleteOutbandIP with an integer Vport.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

interface Flavor { FlavorId: string; FlavorName: string; CpuArch: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }
interface Group { GroupId: string; DisasterRecoverGroupId: string; Name: string; Type: string }
interface Instance { InstanceId: string; Status: string; Tags: Array<{ TagKey: string; TagValue: string }> }

let server: TestServer;
let bms: Call;
let vpc: Call;
let tag: Call;
const zone = 'ap-guangzhou-1';
let subnet: { SubnetId: string; VpcId: string };

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  vpc = sdk(server.credentials.demo, 'vpc');
  tag = sdk(server.credentials.demo, 'tag');
  subnet = (await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] })).SubnetSet[0]!;
});
after(async () => server.stop());

async function x86Flavor(): Promise<Flavor> {
  const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {
    Filters: [{ Name: 'cpu-arch', Values: ['x86'] }, { Name: 'zone', Values: [zone] }], Limit: 100,
  });
  return FlavorSet.find((f) => !f.UserDefined)!;
}

async function runInstances(count: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const f = await x86Flavor();
  const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', {
    Placement: { Zone: zone }, FlavorId: f.FlavorId, RaidType: f.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Provider#2026pw' }, InstanceCount: count, ...extra,
  });
  await waitFor('running', () => bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: BmsId }), (r) => r.InstanceSet.length === count && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
  return BmsId;
}

describe('the vendor provider\'s flows', () => {
  it('flavor data source: cpu-arch and zone filters (any case), ARM apart from X86', async () => {
    const x86 = await bms<{ FlavorSet: Flavor[]; TotalCount: number }>('DescribeFlavors', { Filters: [{ Name: 'cpu-arch', Values: ['X86'] }, { Name: 'zone', Values: [zone] }] });
    const arm = await bms<{ FlavorSet: Flavor[]; TotalCount: number }>('DescribeFlavors', { Filters: [{ Name: 'cpu-arch', Values: ['arm'] }, { Name: 'zone', Values: [zone] }] });
    assert.ok(x86.TotalCount > 0 && arm.TotalCount > 0);
    assert.ok(x86.FlavorSet.every((f) => f.CpuArch === 'X86' && f.Placement.Zone === zone));
    assert.ok(arm.FlavorSet.every((f) => f.CpuArch === 'ARM' && f.Placement.Zone === zone));
    const e = await failure(bms('DescribeFlavors', { Filters: [{ Name: 'cpu-family', Values: ['x86'] }] }));
    assert.equal(e.code, 'InvalidParameterValue');
    assert.match(e.message, /cpu-arch/);
  });

  it('instance with tags: create → tag → read → delete', async () => {
    const [id] = await runInstances(1, { InstanceName: 'tf-web' });
    await tag('ModifyResourceTags', {
      Resource: `qcs::bms:${server.credentials.demo.Region}:uin/${server.credentials.demo.accountUin}:instance/${id}`,
      ReplaceTags: [{ TagKey: 'managed-by', TagValue: 'terraform' }, { TagKey: 'env', TagValue: 'test' }],
    });
    const read = await bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] });
    assert.deepEqual(read.InstanceSet[0]!.Tags, [{ TagKey: 'env', TagValue: 'test' }, { TagKey: 'managed-by', TagValue: 'terraform' }]);
    const tags = await tag<{ Tags: Array<{ TagKey: string; TagValue: string; ResourceId: string }>; TotalCount: number }>('DescribeResourceTagsByResourceIds', {
      ServiceType: 'bms', ResourcePrefix: 'instance', ResourceIds: [id], ResourceRegion: server.credentials.demo.Region, Limit: 100, Offset: 0,
    });
    assert.equal(tags.TotalCount, 2);
    assert.deepEqual(tags.Tags.map((t) => `${t.ResourceId}/${t.TagKey}=${t.TagValue}`), [`${id}/env=test`, `${id}/managed-by=terraform`]);
    await bms('TerminateInstances', { InstanceIds: [id] });
    await waitFor('gone', () => bms<{ TotalCount: number }>('DescribeInstances', { InstanceIds: [id] }), (r) => r.TotalCount === 0);
    const after = await tag<{ TotalCount: number }>('DescribeResourceTagsByResourceIds', {
      ServiceType: 'bms', ResourcePrefix: 'instance', ResourceIds: [id], ResourceRegion: server.credentials.demo.Region,
    });
    assert.equal(after.TotalCount, 0);
  });

  it('placement group: create → DescribeDisasterRecoverGroups (Filters Name, Limit 200) → GroupSet[0]', async () => {
    const { GroupId } = await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'tf-spread', Type: 'RACK' });
    await bms('CreateDisasterRecoverGroup', { Name: 'tf-spread-2', Type: 'RACK_SAME_SW' });
    const r = await bms<{ GroupSet: Group[]; GroupId: Group[]; TotalCount: number }>('DescribeDisasterRecoverGroups', {
      Filters: [{ Name: 'Name', Values: ['tf-spread'] }], Limit: 200, Offset: 0,
    });
    assert.equal(r.GroupSet[0]!.DisasterRecoverGroupId, GroupId, 'the exact name comes first');
    assert.deepEqual(r.GroupSet, r.GroupId, 'both names carry the one list');
    assert.equal(r.TotalCount, 2);
    assert.equal((await failure(bms('DescribeDisasterRecoverGroups', { Limit: 201 }))).code, 'InvalidParameterValue');
  });

  it('SW spread group: every member under a different switch; one more than the zone\'s switches is explained', async () => {
    const { GroupId } = await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'tf-switches', Type: 'SW' });
    const listed = await bms<{ GroupSet: Group[] }>('DescribeDisasterRecoverGroups', { GroupIds: [GroupId] });
    assert.equal(listed.GroupSet[0]!.Type, 'SW');
    const switches = await server.store.db.selectFrom('switches').select('id').where('zone', '=', zone).execute();
    const ids = await runInstances(switches.length, { GroupId });
    const placed = await server.store.db.selectFrom('instances as i').innerJoin('servers as s', 's.id', 'i.server_id')
      .select(['i.id', 's.switch_id']).where('i.id', 'in', ids).execute();
    assert.equal(new Set(placed.map((p) => p.switch_id)).size, switches.length, `members share a switch: ${JSON.stringify(placed)}`);
    const f = await x86Flavor();
    const e = await failure(bms('RunInstances', {
      Placement: { Zone: zone }, FlavorId: f.FlavorId, RaidType: f.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Provider#2026pw' }, InstanceCount: 1, GroupId,
    }));
    assert.equal(e.code, 'ResourceInsufficient');
    assert.match(e.message, /SW needs 1 switches .* besides those of the group's \d+ member\(s\)/);
    await bms('TerminateInstances', { InstanceIds: ids });
  });

  it('out-of-band access: CreateOutbandIP with Vport (int64 or a decimal string), DeleteOutbandIP with an integer Vport', async () => {
    const [id] = await runInstances(1);
    const created = await bms<{ Vip: string; Vport: number[] }>('CreateOutbandIP', { InstanceId: id, VpcId: subnet.VpcId, SubnetId: subnet.SubnetId, Vport: 8443 });
    assert.deepEqual(created.Vport, [8443, 623, 5900]);
    const e = await failure(bms('CreateOutbandIP', { InstanceId: id, VpcId: subnet.VpcId, SubnetId: subnet.SubnetId, Vport: 70000 }));
    assert.equal(e.code, 'InvalidParameterValue');
    await bms('DeleteOutbandIP', { OutbandInfos: [{ InstanceId: id, VpcId: subnet.VpcId, Vip: created.Vip, Vport: 8443 }] });
    assert.equal((await bms<{ TotalCount: number }>('DescribeOutbandIP', { InstanceId: id })).TotalCount, 0);
    const again = await bms<{ Vip: string; Vport: number[] }>('CreateOutbandIP', { InstanceId: id, VpcId: subnet.VpcId, SubnetId: subnet.SubnetId, Vport: '9443' });
    assert.deepEqual(again.Vport, [9443, 623, 5900]);
    assert.equal((await failure(bms('CreateOutbandIP', { InstanceId: id, VpcId: subnet.VpcId, SubnetId: subnet.SubnetId, Vport: 'x1' }))).code, 'InvalidParameter');
    const taken = await failure(bms('DeleteOutbandIP', { OutbandInfos: [{ InstanceId: id, VpcId: subnet.VpcId, Vip: again.Vip, Vport: 1234 }] }));
    assert.equal(taken.code, 'InvalidParameterValue');
    assert.match(taken.message, /1234/);
    await bms('TerminateInstances', { InstanceIds: [id] });
  });
});
