/**
 * Every RunInstances rule of SPEC §5, each with its exact error code — and a refused launch
 * leaves nothing behind (no instance, no server or address taken).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let bms: Call;
let vpc: Call;
let other: { bms: Call; vpc: Call };
let base: Record<string, unknown>;
const zone = 'ap-guangzhou-1';
interface Flavor { FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[]; Windows: string[] }; Placement: { Zone: string } }
let flavors: Flavor[];
let subnetId: string;
let vpcId: string;

before(async () => {
  // Dozens of refused launches a second: the 10/s RunInstances limit is tested elsewhere.
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  vpc = sdk(server.credentials.demo, 'vpc');
  flavors = (await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {})).FlavorSet;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
  subnetId = SubnetSet[0]!.SubnetId;
  vpcId = SubnetSet[0]!.VpcId;
  const flavor = flavors.find((f) => !f.UserDefined && f.CpuArch === 'X86' && f.Placement.Zone === zone)!;
  base = {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: vpcId, SubnetId: subnetId }, LoginSettings: { Password: 'Rules#2026pw' }, RaidType: flavor.RaidType[0],
  };
  const now = Date.now();
  const { root } = await createAccountWithRoot(server.store.db, 'Other tenant', 'tenant', now);
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  const creds = { ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey };
  other = { bms: sdk(creds), vpc: sdk(creds, 'vpc') };
});
after(async () => server.stop());

async function refused(params: Record<string, unknown>, code: string, message?: RegExp) {
  const before = await server.store.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const e = await failure(bms('RunInstances', params));
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  const afterCount = await server.store.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(afterCount.n), Number(before.n), 'a refused launch created an instance');
}
const withVpc = (v: Record<string, unknown>) => ({ ...base, VirtualPrivateCloud: { ...(base.VirtualPrivateCloud as object), ...v } });

describe('RunInstances rules', () => {
  it('Placement.Zone must be a zone of the region', () => refused({ ...base, Placement: { Zone: 'ap-guangzhou-9' } }, 'InvalidParameterValue', /Placement\.Zone/));
  it('the flavor must exist', () => refused({ ...base, FlavorId: 'flavor-nothere' }, 'ResourceNotFound', /flavor-nothere/));
  it('another tenant\'s user-defined flavor looks like no flavor at all', async () => {
    const custom = flavors.find((f) => f.UserDefined)!;
    const e = await failure(other.bms('RunInstances', { ...base, FlavorId: custom.FlavorId }));
    assert.equal(e.code, 'ResourceNotFound');
  });
  it('a standard flavor needs LoginSettings.Password; a user-defined one launches without one', async () => {
    await refused({ ...base, LoginSettings: {} }, 'MissingParameter', /LoginSettings\.Password/);
    const custom = flavors.find((f) => f.UserDefined && f.Placement.Zone === zone)!;
    const e = await failure(bms('RunInstances', {
      ...base, FlavorId: custom.FlavorId, RaidType: custom.RaidType[0], OperatingSystem: custom.OperatingSystem.Linux[0], LoginSettings: {}, DryRun: true,
    }));
    assert.equal(e.code, 'DryRunOperation', `${e.code}: ${e.message}`);
  });
  it('the flavor must be sold in that zone', async () => {
    const elsewhere = flavors.find((f) => f.Placement.Zone !== zone && !f.UserDefined)!;
    await refused({ ...base, FlavorId: elsewhere.FlavorId }, 'InvalidParameterValue', /FlavorId/);
  });
  it('a sold-out flavor is ResourceUnavailable', async () => {
    await server.store.db.updateTable('flavors').set({ sold_out: 1 }).where('id', '=', base.FlavorId as string).execute();
    try {
      await refused(base, 'ResourceUnavailable', /sold out/);
    } finally {
      await server.store.db.updateTable('flavors').set({ sold_out: 0 }).where('id', '=', base.FlavorId as string).execute();
    }
  });
  it('OperatingSystemType must be Linux or Windows', () => refused({ ...base, OperatingSystemType: 'Solaris' }, 'InvalidParameterValue', /OperatingSystemType/));
  it('the OS must be one of the flavor\'s images of that type', () => refused({ ...base, OperatingSystem: 'Haiku R1' }, 'InvalidParameterValue', /OperatingSystem/));
  it('RaidType must be offered by the flavor', () => refused({ ...base, RaidType: 'RAID6' }, 'InvalidParameterValue', /RaidType/));
  it('LoginSettings is required; a standard flavor needs a password', async () => {
    const { LoginSettings: _l, ...noLogin } = base;
    await refused(noLogin, 'MissingParameter', /LoginSettings/);
    await refused({ ...base, LoginSettings: {} }, 'MissingParameter', /LoginSettings\.Password/);
  });
  it('the password follows the policy', async () => {
    await refused({ ...base, LoginSettings: { Password: 'short1!' } }, 'InvalidParameterValue', /LoginSettings\.Password/);
    await refused({ ...base, LoginSettings: { Password: 'onlylettershere' } }, 'InvalidParameterValue', /two/);
    await refused({ ...base, LoginSettings: { Password: 'spaces are 1 bad' } }, 'InvalidParameterValue', /may not contain/);
    await refused({ ...base, LoginSettings: { Password: 'x'.repeat(17) } }, 'InvalidParameterValue', /LoginSettings\.Password/);
  });
  it('HostName follows the Linux and Windows rules', async () => {
    await refused({ ...base, HostName: '-web' }, 'InvalidParameterValue', /HostName/);
    await refused({ ...base, HostName: 'web..1' }, 'InvalidParameterValue', /HostName/);
    await refused({ ...base, HostName: 'a' }, 'InvalidParameterValue', /HostName/);
    await refused({ ...base, HostName: 'x'.repeat(31) }, 'InvalidParameterValue', /HostName/);
    const win = flavors.find((f) => f.Placement.Zone === zone && f.OperatingSystem.Windows.length > 0 && !f.UserDefined);
    if (win) {
      const w = { ...base, FlavorId: win.FlavorId, RaidType: win.RaidType[0], OperatingSystemType: 'Windows', OperatingSystem: win.OperatingSystem.Windows[0] };
      await refused({ ...w, HostName: 'web.example' }, 'InvalidParameterValue', /HostName/);
      await refused({ ...w, HostName: '123456' }, 'InvalidParameterValue', /HostName/);
      await refused({ ...w, HostName: 'x'.repeat(16) }, 'InvalidParameterValue', /HostName/);
    }
  });
  it('InstanceName is at most 60 characters', () => refused({ ...base, InstanceName: 'n'.repeat(61) }, 'InvalidParameterValue', /InstanceName/));
  it('InstanceCount is 1 to 100', async () => {
    await refused({ ...base, InstanceCount: 0 }, 'InvalidParameterValue', /InstanceCount/);
    await refused({ ...base, InstanceCount: 101 }, 'InvalidParameterValue', /InstanceCount/);
  });
  it('the VPC must be the tenant\'s', async () => {
    await refused(withVpc({ VpcId: 'vpc-nothere' }), 'ResourceNotFound', /vpc-nothere/);
    const e = await failure(other.bms('RunInstances', base));
    assert.equal(e.code, 'ResourceNotFound');
  });
  it('the subnet must be a BMS subnet of that VPC in that zone', async () => {
    const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'rules-vpc', CidrBlock: '172.16.0.0/16' });
    const plain = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'plain', CidrBlock: '172.16.1.0/24', Zone: zone });
    const bmsOther = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'z2', CidrBlock: '172.16.2.0/24', Zone: 'ap-guangzhou-2', IsBmsSubnet: true });
    await refused(withVpc({ VpcId: Vpc.VpcId, SubnetId: subnetId }), 'InvalidParameterValue', /SubnetId.*belongs to/);
    await refused(withVpc({ VpcId: Vpc.VpcId, SubnetId: plain.Subnet.SubnetId }), 'InvalidParameterValue', /not a BMS subnet/);
    await refused(withVpc({ VpcId: Vpc.VpcId, SubnetId: bmsOther.Subnet.SubnetId }), 'InvalidParameterValue', /zone/);
    await refused(withVpc({ VpcId: Vpc.VpcId, SubnetId: 'subnet-nothere' }), 'ResourceNotFound', /subnet-nothere/);
  });
  it('PrivateIpAddresses: exactly InstanceCount, inside the subnet, assignable, free, distinct', async () => {
    await refused(withVpc({ PrivateIpAddresses: ['10.0.1.50', '10.0.1.51'] }), 'InvalidParameterValue', /exactly InstanceCount/);
    await refused(withVpc({ PrivateIpAddresses: ['192.168.9.9'] }), 'InvalidParameterValue', /PrivateIpAddresses/);
    await refused(withVpc({ PrivateIpAddresses: ['10.0.1.1'] }), 'InvalidParameterValue', /gateway/);
    await refused(withVpc({ PrivateIpAddresses: ['10.0.1.255'] }), 'InvalidParameterValue', /broadcast/);
    await refused({ ...withVpc({ PrivateIpAddresses: ['10.0.1.60', '10.0.1.60'] }), InstanceCount: 2 }, 'InvalidParameterValue', /twice/);
    const ok = await bms<{ BmsId: string[] }>('RunInstances', withVpc({ PrivateIpAddresses: ['10.0.1.77'] }));
    const got = await bms<{ InstanceSet: Array<{ PrivateIpAddresses: string[] }> }>('DescribeInstances', { InstanceIds: ok.BmsId });
    assert.deepEqual(got.InstanceSet[0]!.PrivateIpAddresses, ['10.0.1.77']);
    await refused({ ...withVpc({ PrivateIpAddresses: ['10.0.1.77'] }), InstanceName: 'second' }, 'InvalidParameterValue', /in use/);
  });
  it('Ipv6Address needs a VPC with an IPv6 CIDR', async () => {
    const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'v4-only', CidrBlock: '192.168.0.0/16' });
    const sn = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'v4', CidrBlock: '192.168.1.0/24', Zone: zone, IsBmsSubnet: true });
    await refused(withVpc({ VpcId: Vpc.VpcId, SubnetId: sn.Subnet.SubnetId, Ipv6Address: true }), 'InvalidParameterValue', /IPv6/);
  });
  it('public IPs and placement groups are refused clearly until they exist', async () => {
    await refused({ ...base, InternetAccessible: { InternetMaxBandwidthOut: 10 } }, 'ResourceInsufficient', /EIP pool .* 0 free BGP/); // no pool configured
    await refused({ ...base, InternetAccessible: { InternetMaxBandwidthOut: 0, PublicIpAssigned: true } }, 'InvalidParameterValue', /InternetAccessible\.InternetMaxBandwidthOut/);
    await refused({ ...base, GroupId: 'ps-12345678' }, 'ResourceNotFound', /spread placement group ps-12345678 does not exist/);
  });
  it('duplicate tag keys are refused', () => refused({ ...base, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] }, 'InvalidParameterValue', /Tags/));
  it('not enough free servers is ResourceInsufficient, and nothing is half-created', async () => {
    const free = await server.store.db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('flavor_id', '=', base.FlavorId as string).where('state', '=', 'available').executeTakeFirstOrThrow();
    await refused({ ...base, InstanceCount: Math.min(100, Number(free.n) + 1) }, 'ResourceInsufficient', /free/);
    const still = await server.store.db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('flavor_id', '=', base.FlavorId as string).where('state', '=', 'available').executeTakeFirstOrThrow();
    assert.equal(Number(still.n), Number(free.n));
  });
  it('not enough free addresses is ResourceInsufficient', async () => {
    const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'tiny', CidrBlock: '10.8.0.0/16' });
    const sn = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'tiny', CidrBlock: '10.8.0.0/29', Zone: zone, IsBmsSubnet: true });
    await refused({ ...withVpc({ VpcId: Vpc.VpcId, SubnetId: sn.Subnet.SubnetId }), InstanceCount: 6 }, 'ResourceInsufficient', /5 free addresses/);
  });
  it('ClientToken: the same request twice launches once; other parameters with the same token are refused', async () => {
    const req = { ...base, ClientToken: 'token-abc', InstanceName: 'idem' };
    const a = await bms<{ BmsId: string[]; TaskId: string[] }>('RunInstances', req);
    const b = await bms<{ BmsId: string[]; TaskId: string[] }>('RunInstances', req);
    assert.deepEqual(b.BmsId, a.BmsId);
    assert.deepEqual(b.TaskId, a.TaskId);
    const named = await bms<{ TotalCount: number }>('DescribeInstances', { Filters: [{ Name: 'instance-name', Values: ['idem'] }] });
    assert.equal(named.TotalCount, 1);
    await refused({ ...req, InstanceName: 'other' }, 'InvalidParameterValue', /ClientToken/);
  });
  it('afterwards every launch settles and nothing leaked', async () => {
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.deepEqual(await checkInvariants(server.store.db), []);
  });
});
