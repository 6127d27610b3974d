/**
 * DescribeInstances, DescribeFlavors, DescribeDisks and InquiryPrice as a tenant sees them:
 * every documented filter (values OR-ed, filters AND-ed), tag filters, an exact TotalCount with
 * paging, and tenant isolation — another tenant sees nothing and touching A's ids is
 * ResourceNotFound, exactly as for ids that never existed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let bms: Call;
let otherBms: Call;
interface Inst { InstanceId: string; InstanceName: string; Status: string; PrivateIpAddresses: string[]; CpuArch: string; Placement: { Zone: string }; Tags: Array<{ TagKey: string; TagValue: string }>; VirtualPrivateCloud: { VpcId: string; SubnetId: string } }
interface Flavor { FlavorId: string; FlavorName: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }
const ids: Record<string, string> = {};
let subnets: Record<string, { SubnetId: string; VpcId: string }>;
let flavors: Flavor[];

const list = (params: Record<string, unknown>) => bms<{ TotalCount: number; InstanceSet: Inst[] }>('DescribeInstances', params);
const names = (r: { InstanceSet: Inst[] }) => r.InstanceSet.map((i) => i.InstanceName).sort();

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  const vpc = sdk(server.credentials.demo, 'vpc');
  flavors = (await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {})).FlavorSet;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string }> }>('DescribeSubnets', {});
  subnets = Object.fromEntries(SubnetSet.map((s) => [s.Zone, s]));
  const launch = async (name: string, zone: string, arch: string, tags: Array<[string, string]>) => {
    const f = flavors.find((x) => !x.UserDefined && x.CpuArch === arch && x.Placement.Zone === zone)!;
    const res = await bms<{ BmsId: string[] }>('RunInstances', {
      Placement: { Zone: zone }, FlavorId: f.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: subnets[zone]!.VpcId, SubnetId: subnets[zone]!.SubnetId }, LoginSettings: { Password: 'Filter#2026pw' },
      RaidType: f.RaidType[0], InstanceName: name, Tags: tags.map(([k, v]) => ({ TagKey: k, TagValue: v })),
    });
    ids[name] = res.BmsId[0]!;
  };
  await launch('web-1', 'ap-guangzhou-1', 'X86', [['env', 'prod'], ['team', 'web']]);
  await launch('web-2', 'ap-guangzhou-1', 'X86', [['env', 'dev']]);
  await launch('db-1', 'ap-guangzhou-2', 'X86', [['env', 'prod']]);
  await launch('arm-1', 'ap-guangzhou-2', 'ARM', []);
  await waitFor('all running', () => list({ InstanceIds: Object.values(ids) }), (r) => r.InstanceSet.every((i) => i.Status === 'RUNNING'));
  await bms('StopInstances', { InstanceIds: [ids['db-1']] });
  await waitFor('db-1 stopped', () => list({ InstanceIds: [ids['db-1']] }), (r) => r.InstanceSet[0]!.Status === 'STOPPED');
  const now = Date.now();
  const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', now);
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  otherBms = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
});
after(async () => server.stop());

const ours = (n: string[]) => n.filter((x) => x !== 'handed-over-gpu');

describe('DescribeInstances filters', () => {
  const f = (Name: string, Values: string[]) => ({ Filters: [{ Name, Values }], Limit: 100 });

  it('zone, instance-state, cpuArch, operating-system-type', async () => {
    assert.deepEqual(ours(names(await list(f('zone', ['ap-guangzhou-2'])))), ['arm-1', 'db-1']);
    assert.deepEqual(names(await list(f('instance-state', ['STOPPED']))), ['db-1']);
    assert.deepEqual(names(await list(f('cpuArch', ['ARM']))), ['arm-1']);
    assert.equal((await list(f('operating-system-type', ['Windows']))).TotalCount, 0);
  });

  it('instance-id, instance-name (substring, any case), private-ip-address', async () => {
    assert.deepEqual(names(await list(f('instance-id', [ids['web-2']!.toUpperCase()]))), ['web-2']);
    assert.deepEqual(names(await list(f('instance-name', ['WEB']))), ['web-1', 'web-2']);
    const web1 = (await list({ InstanceIds: [ids['web-1']] })).InstanceSet[0]!;
    assert.deepEqual(names(await list(f('private-ip-address', [web1.PrivateIpAddresses[0]!]))), ['web-1']);
  });

  it('vpc-id, subnet-id, groupId', async () => {
    const sub = subnets['ap-guangzhou-1']!;
    assert.deepEqual(ours(names(await list(f('subnet-id', [sub.SubnetId])))), ['web-1', 'web-2']);
    assert.equal(ours(names(await list(f('vpc-id', [sub.VpcId])))).length, 4);
    assert.equal((await list(f('groupId', ['ps-00000000']))).TotalCount, 0);
  });

  it('tag:<key>, tag-key, tag-value (extension)', async () => {
    assert.deepEqual(names(await list(f('tag:env', ['prod']))), ['db-1', 'web-1']);
    assert.deepEqual(names(await list(f('tag-key', ['team']))), ['web-1']);
    assert.deepEqual(names(await list(f('tag-value', ['dev']))), ['web-2']);
    const inst = (await list({ InstanceIds: [ids['web-1']] })).InstanceSet[0]!;
    assert.deepEqual(inst.Tags, [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'web' }]);
  });

  it('values of one filter are OR-ed, filters are AND-ed', async () => {
    assert.deepEqual(ours(names(await list(f('instance-name', ['web-1', 'db-1'])))), ['db-1', 'web-1']);
    const both = await list({ Filters: [{ Name: 'zone', Values: ['ap-guangzhou-1'] }, { Name: 'tag:env', Values: ['prod'] }] });
    assert.deepEqual(names(both), ['web-1']);
  });

  it('TotalCount is exact whatever the page; Offset and Limit page through', async () => {
    const all = await list({ Limit: 100 });
    const page = await list({ Limit: 2, Offset: 1 });
    assert.equal(page.TotalCount, all.TotalCount);
    assert.equal(page.InstanceSet.length, 2);
    assert.deepEqual(page.InstanceSet.map((i) => i.InstanceId), all.InstanceSet.slice(1, 3).map((i) => i.InstanceId));
    // The last, partial page and a page past the end still carry the exact total.
    const last = await list({ Limit: 4, Offset: all.TotalCount - 1 });
    assert.deepEqual([last.TotalCount, last.InstanceSet.length], [all.TotalCount, 1]);
    const beyond = await list({ Limit: 4, Offset: all.TotalCount + 3 });
    assert.deepEqual([beyond.TotalCount, beyond.InstanceSet.length], [all.TotalCount, 0]);
  });

  it('instances named by id or by address are paged and counted the same way', async () => {
    const named = Object.values(ids);
    const whole = await list({ InstanceIds: named, Limit: 100 });
    const page = await list({ InstanceIds: named, Limit: 2, Offset: 1 });
    assert.equal(page.TotalCount, 4);
    assert.deepEqual(page.InstanceSet.map((i) => i.InstanceId), whole.InstanceSet.slice(1, 3).map((i) => i.InstanceId));
    const beyond = await list({ InstanceIds: named, Limit: 2, Offset: 9 });
    assert.deepEqual([beyond.TotalCount, beyond.InstanceSet.length], [4, 0]);
    const ips = whole.InstanceSet.map((i) => i.PrivateIpAddresses[0]!);
    const byIp = await list({ Filters: [{ Name: 'private-ip-address', Values: ips }], Limit: 3 });
    assert.deepEqual([byIp.TotalCount, byIp.InstanceSet.length], [4, 3]);
    // An address filter AND-ed with another filter, and an address nobody holds.
    const prodByIp = await list({ Filters: [{ Name: 'private-ip-address', Values: ips }, { Name: 'tag:env', Values: ['prod'] }] });
    assert.deepEqual(names(prodByIp), ['db-1', 'web-1']);
    const nobody = await list({ Filters: [{ Name: 'private-ip-address', Values: ['192.0.2.77'] }] });
    assert.deepEqual([nobody.TotalCount, nobody.InstanceSet.length], [0, 0]);
  });

  it('InstanceIds and Filters together are refused', async () => {
    const e = await failure(list({ InstanceIds: [ids['web-1']], Filters: [{ Name: 'zone', Values: ['ap-guangzhou-1'] }] }));
    assert.equal(e.code, 'InvalidParameter');
  });
});

describe('tenant isolation', () => {
  it('another tenant sees none of these instances, not even by id', async () => {
    const r = await otherBms<{ TotalCount: number }>('DescribeInstances', { InstanceIds: Object.values(ids) });
    assert.equal(r.TotalCount, 0);
    assert.equal((await otherBms<{ TotalCount: number }>('DescribeInstances', {})).TotalCount, 0);
  });

  it('acting on another tenant\'s instance is ResourceNotFound, like an id that never existed, and changes nothing', async () => {
    for (const action of ['StopInstances', 'RebootInstances', 'TerminateInstances']) {
      const theirs = await failure(otherBms(action, { InstanceIds: [ids['web-1']] }));
      const never = await failure(otherBms(action, { InstanceIds: ['bms-zzzzzzzz'] }));
      assert.equal(theirs.code, 'ResourceNotFound');
      assert.equal(theirs.message.replace(ids['web-1']!, 'X'), never.message.replace('bms-zzzzzzzz', 'X'));
    }
    assert.equal((await failure(otherBms('ResetInstance', { InstanceId: ids['web-1'], RaidType: 'RAID0', OperatingSystemType: 'Linux', OperatingSystem: 'x', LoginSettings: { Password: 'Filter#2026pw' } }))).code, 'ResourceNotFound');
    assert.equal((await failure(otherBms('ModifyInstancesAttribute', { InstanceIds: [ids['web-1']], InstanceName: 'hijacked' }))).code, 'ResourceNotFound');
    const mine = (await list({ InstanceIds: [ids['web-1']] })).InstanceSet[0]!;
    assert.equal(mine.Status, 'RUNNING');
    assert.equal(mine.InstanceName, 'web-1');
  });

  it('another tenant does not see the demo tenant\'s user-defined flavor, nor its disks or tasks', async () => {
    const theirs = (await otherBms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {})).FlavorSet;
    assert.ok(theirs.length > 0 && theirs.every((x) => !x.UserDefined));
    assert.ok(flavors.some((x) => x.UserDefined));
    assert.equal((await otherBms<{ TotalCount: number }>('DescribeDisks', {})).TotalCount, 0);
    assert.equal((await otherBms<{ TotalCount: number }>('DescribeTasks', {})).TotalCount, 0);
  });
});

describe('flavors, disks, prices', () => {
  it('DescribeFlavors filters by zone and name; Offset needs Limit', async () => {
    const z1 = (await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: ['ap-guangzhou-1'] }] })).FlavorSet;
    assert.ok(z1.length >= 3 && z1.every((x) => x.Placement.Zone === 'ap-guangzhou-1'));
    assert.ok(z1.some((x) => x.CpuArch === 'ARM') && z1.some((x) => x.CpuArch === 'X86'));
    const byName = (await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'flavor-name', Values: [z1[0]!.FlavorName] }] })).FlavorSet;
    assert.ok(byName.every((x) => x.FlavorName.includes(z1[0]!.FlavorName)));
    assert.equal((await failure(bms('DescribeFlavors', { Offset: 1 }))).code, 'MissingParameter');
  });

  it('DescribeDisks lists the disks of the tenant\'s instances, by instance and by id', async () => {
    const all = await bms<{ TotalCount: number; DiskSet: Array<{ DiskId: string; InstanceId: string; DiskType: string }> }>('DescribeDisks', { Filters: [{ Name: 'instance-id', Values: [ids['web-1']!] }] });
    assert.ok(all.TotalCount >= 2);
    assert.ok(all.DiskSet.every((d) => d.InstanceId === ids['web-1'] && /^disk-[0-9a-z]{8}$/.test(d.DiskId)));
    const one = await bms<{ DiskSet: Array<{ DiskId: string }> }>('DescribeDisks', { DiskIds: [all.DiskSet[0]!.DiskId] });
    assert.deepEqual(one.DiskSet.map((d) => d.DiskId), [all.DiskSet[0]!.DiskId]);
  });

  it('InquiryPriceBmsInstanceForTrade prices a flavor by id or name', async () => {
    const f = flavors.find((x) => !x.UserDefined)!;
    const p = await bms<{ UnitPrice: string; ChargeUnit: string }>('InquiryPriceBmsInstanceForTrade', { Zone: f.Placement.Zone, ProductCode: 'bms', SubProductCode: 'bms', BmsFlavor: f.FlavorName });
    assert.match(p.UnitPrice, /^\d+\.\d{2}$/);
    assert.equal(p.ChargeUnit, 'HOUR');
  });
});
