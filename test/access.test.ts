/**
 * Backup IPs and out-of-band (BMC) access, through the front door with the official SDK:
 * CreateBackupIP / ReturnBackupIP (with the primary swap through OverlayIp), CreateOutbandIP /
 * DescribeOutbandIP / DeleteOutbandIP, and DescribeOutbandInfo — a working tenant BMC account
 * (never the admin), every read audited, its password in no log line and nowhere in clear in
 * the database files. Every rule with its exact error code; another tenant's ids answer exactly
 * like ids that never existed; a failed provisioning and a return leave no BMC account, no
 * mapping, no VIP and no backup IP behind.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { formatIpv4, parseIpv4 } from '../src/network/ipam.ts';
import { checkAccessInvariants } from '../src/reconcile/access-invariants.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const ZONE = 'ap-guangzhou-1';
let server: TestServer;
let bms: Call;
let vpc: Call;
let otherBms: Call;
let otherVpc: Call;
let launch: Record<string, unknown>;
let demoSubnet: { SubnetId: string; VpcId: string; CidrBlock: string };
let zone2Subnet: string;

interface Instance { InstanceId: string; Status: string; PrivateIpAddresses: string[]; VirtualPrivateCloud: { SubnetId: string } }
interface Flavor { FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }
interface OutbandInfo { InstanceId: string[]; InstanceName: string[]; UniqVpcId: string[]; Vip: string[]; Vport: number[] }

const describeOne = async (id: string) => (await bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0];
const addresses = async (id: string) => (await describeOne(id))!.PrivateIpAddresses;
const settled = (id: string, status: string) => waitFor(`${id} ${status}`, () => describeOne(id), (i) => i?.Status === status);
const gone = (id: string) => waitFor(`${id} gone`, () => describeOne(id), (i) => i === undefined);
const serverOf = async (id: string) =>
  (await server.store.db.selectFrom('instances').select('server_id').where('id', '=', id).executeTakeFirstOrThrow()).server_id!;
const shout = (id: string) => id.toUpperCase(); // the same id (case-insensitive), so a repeated call is not a replay

async function run(name: string): Promise<string> {
  return (await bms<{ BmsId: string[] }>('RunInstances', { ...launch, InstanceName: name })).BmsId[0]!;
}

/** The error of a call of the other tenant on our `realId`, and on an id nobody has: the same, word for word. */
async function sameAsMissing(action: string, params: (id: string) => Record<string, unknown>, realId: string, missingId: string) {
  const theirs = await failure(otherBms(action, params(realId)));
  const nobodys = await failure(otherBms(action, params(missingId)));
  assert.equal(theirs.code, 'ResourceNotFound', theirs.message);
  assert.equal(nobodys.code, 'ResourceNotFound', nobodys.message);
  assert.equal(theirs.message.replace(realId, '<id>'), nobodys.message.replace(missingId, '<id>'));
}

/** The smallest assignable address of a /24 that nothing holds now. */
async function smallestFree(subnetId: string, cidr: string): Promise<string> {
  const taken = new Set((await server.store.db.selectFrom('ip_allocations').select('address').where('subnet_id', '=', subnetId).execute()).map((r) => r.address));
  const base = parseIpv4(cidr.split('/')[0]!)!;
  for (let n = base + 2; n < base + 255; n++) if (!taken.has(formatIpv4(n))) return formatIpv4(n);
  throw new Error(`no free address in ${cidr}`);
}

async function createSubnet(vpcId: string, cidr: string, zone: string, isBms: boolean, client: Call = vpc): Promise<string> {
  const res = await client<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: vpcId, SubnetName: `s-${cidr}`, CidrBlock: cidr, Zone: zone, IsBmsSubnet: isBms });
  return res.Subnet.SubnetId;
}

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bms = sdk(server.credentials.demo);
  vpc = sdk(server.credentials.demo, 'vpc');
  const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string; CidrBlock: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', {});
  demoSubnet = SubnetSet.find((s) => s.Zone === ZONE && s.IsBmsSubnet)!;
  zone2Subnet = SubnetSet.find((s) => s.Zone !== ZONE && s.VpcId === demoSubnet.VpcId)!.SubnetId;
  launch = {
    Placement: { Zone: ZONE }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId }, LoginSettings: { Password: 'Access#2026pw' },
    RaidType: flavor.RaidType[0],
  };
  const now = Date.now();
  const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', now);
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  otherBms = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
  otherVpc = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey }, 'vpc');
});
after(async () => server.stop());

let a: string; // the instance most rules are tried on
let b: string; // a neighbour in the same subnet

describe('backup IPs', () => {
  let extraBmsSubnet: string;

  before(async () => {
    a = await run('access-a');
    b = await run('access-b');
    await settled(a, 'RUNNING');
    await settled(b, 'RUNNING');
  });

  it('CreateBackupIP without BackupIP takes the smallest free address of the instance subnet; it is listed after the primary', async () => {
    const [primary] = await addresses(a);
    const expected = await smallestFree(demoSubnet.SubnetId, demoSubnet.CidrBlock);
    const res = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a });
    assert.equal(res.BackupIP, expected);
    assert.deepEqual(await addresses(a), [primary, expected]);
    const row = await server.store.db.selectFrom('ip_allocations').selectAll().where('address', '=', expected).where('subnet_id', '=', demoSubnet.SubnetId).executeTakeFirstOrThrow();
    assert.equal(row.kind, 'backup');
    assert.equal(row.owner_id, a);
  });

  it('CreateBackupIP with BackupIP takes exactly that address', async () => {
    const res = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a, BackupIP: '10.0.1.200' });
    assert.equal(res.BackupIP, '10.0.1.200');
    const list = await addresses(a);
    assert.equal(list.length, 3);
    assert.equal(list.at(-1), '10.0.1.200');
  });

  it('BackupIP must be an assignable, free address of the subnet (InvalidParameterValue)', async () => {
    const [bPrimary] = await addresses(b);
    const cases: Array<[string, RegExp]> = [
      ['10.0.1', /not an IPv4 address/],
      ['10.9.9.9', /not in the subnet/],
      ['10.0.1.0', /network/],
      ['10.0.1.1', /gateway/],
      ['10.0.1.255', /broadcast/],
      [bPrimary!, /already in use/],
      ['10.0.1.200', new RegExp(`already an address of ${a}`)],
    ];
    for (const [ip, why] of cases) {
      const e = await failure(bms('CreateBackupIP', { InstanceId: shout(a), BackupIP: ip }));
      assert.equal(e.code, 'InvalidParameterValue', `${ip}: ${e.message}`);
      assert.match(e.message, /BackupIP/);
      assert.match(e.message, why);
    }
    assert.equal((await addresses(a)).length, 3, 'nothing was added');
  });

  it('SubnetId must be a BMS subnet of the instance VPC and zone; another BMS subnet there works', async () => {
    const nonBms = await createSubnet(demoSubnet.VpcId, '10.0.50.0/24', ZONE, false);
    extraBmsSubnet = await createSubnet(demoSubnet.VpcId, '10.0.51.0/24', ZONE, true);
    const otherVpcId = (await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'access-elsewhere', CidrBlock: '10.70.0.0/16' })).Vpc.VpcId;
    const elsewhere = await createSubnet(otherVpcId, '10.70.1.0/24', ZONE, true);
    const cases: Array<[string, RegExp]> = [[nonBms, /not a BMS subnet/], [zone2Subnet, /zone/], [elsewhere, new RegExp(`belongs to ${otherVpcId}`)]];
    for (const [subnetId, why] of cases) {
      const e = await failure(bms('CreateBackupIP', { InstanceId: a, SubnetId: subnetId }));
      assert.equal(e.code, 'InvalidParameterValue', e.message);
      assert.match(e.message, /SubnetId/);
      assert.match(e.message, why);
    }
    const res = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: b, SubnetId: extraBmsSubnet });
    assert.equal(res.BackupIP, '10.0.51.2');
    assert.equal((await addresses(b)).at(-1), '10.0.51.2');
    assert.equal((await failure(bms('CreateBackupIP', { InstanceId: b, SubnetId: 'subnet-zzzz0000' }))).code, 'ResourceNotFound');
  });

  it('the instance must be RUNNING or STOPPED (UnsupportedOperation otherwise); STOPPED works', async () => {
    await bms('StopInstances', { InstanceIds: [b] });
    await settled(b, 'STOPPED');
    const res = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: b, BackupIP: '10.0.1.201' });
    assert.equal(res.BackupIP, '10.0.1.201');
    await bms('StartInstances', { InstanceIds: [b] });
    await settled(b, 'RUNNING');
  });

  it('an instance holds at most 10 backup IPs (LimitExceeded)', async () => {
    const held = (await addresses(b)).length - 1;
    for (let i = held; i < 10; i++) await bms('CreateBackupIP', { InstanceId: b, SubnetId: extraBmsSubnet, BackupIP: `10.0.51.${10 + i}` });
    const e = await failure(bms('CreateBackupIP', { InstanceId: b }));
    assert.equal(e.code, 'LimitExceeded');
    assert.match(e.message, new RegExp(b));
    assert.equal((await addresses(b)).length, 11);
  });

  it('ReturnBackupIP releases a backup IP; the address is free again', async () => {
    const before = await addresses(b);
    await bms('ReturnBackupIP', { InstanceId: b, BackupIP: '10.0.1.201' });
    assert.deepEqual(await addresses(b), before.filter((x) => x !== '10.0.1.201'));
    const again = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: shout(b), BackupIP: '10.0.1.201' });
    assert.equal(again.BackupIP, '10.0.1.201');
  });

  it('ReturnBackupIP without OverlayIp refuses the primary, foreign addresses and malformed ones (InvalidParameterValue)', async () => {
    const [primary] = await addresses(a);
    const [bPrimary] = await addresses(b);
    const cases: Array<[string, RegExp]> = [
      [primary!, /primary IP.*OverlayIp/],
      [bPrimary!, new RegExp(`not a backup IP of ${a}`)],
      ['10.0.1.250', new RegExp(`not a backup IP of ${a}`)],
      ['ten.zero', /not an IPv4 address/],
    ];
    for (const [ip, why] of cases) {
      const e = await failure(bms('ReturnBackupIP', { InstanceId: a, BackupIP: ip }));
      assert.equal(e.code, 'InvalidParameterValue', `${ip}: ${e.message}`);
      assert.match(e.message, /BackupIP/);
      assert.match(e.message, why);
    }
  });

  it('ReturnBackupIP with OverlayIp validates each combination precisely and changes nothing', async () => {
    const [primary, backup1, backup2] = await addresses(a);
    const [bPrimary] = await addresses(b);
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ BackupIP: backup1!, OverlayIp: backup2! }, 'BackupIP', /is a backup IP.*not its primary IP/],
      [{ BackupIP: bPrimary!, OverlayIp: backup1! }, 'BackupIP', new RegExp(`not the primary IP of ${a}`)],
      [{ BackupIP: primary!, OverlayIp: primary! }, 'OverlayIp', /not its primary IP/],
      [{ BackupIP: primary!, OverlayIp: bPrimary! }, 'OverlayIp', new RegExp(`not a backup IP of ${a}`)],
      [{ BackupIP: primary!, OverlayIp: '10.0.1.250' }, 'OverlayIp', new RegExp(`not a backup IP of ${a}`)],
      [{ BackupIP: primary!, OverlayIp: '10.0.1.x' }, 'OverlayIp', /not an IPv4 address/],
    ];
    for (const [params, path, why] of cases) {
      const e = await failure(bms('ReturnBackupIP', { InstanceId: a, ...params }));
      assert.equal(e.code, 'InvalidParameterValue', `${JSON.stringify(params)}: ${e.message}`);
      assert.match(e.message, new RegExp(path));
      assert.match(e.message, why);
    }
    assert.deepEqual(await addresses(a), [primary, backup1, backup2]);
  });

  it('ReturnBackupIP with OverlayIp makes that backup the primary and releases the old primary, in one step', async () => {
    const [primary, backup1, backup2] = await addresses(a);
    await bms('ReturnBackupIP', { InstanceId: a, BackupIP: primary, OverlayIp: backup1 });
    assert.deepEqual(await addresses(a), [backup1, backup2]);
    const row = await server.store.db.selectFrom('instances').select(['private_ip', 'subnet_id']).where('id', '=', a).executeTakeFirstOrThrow();
    assert.equal(row.private_ip, backup1);
    const kinds = await server.store.db.selectFrom('ip_allocations').select(['address', 'kind']).where('owner_id', '=', a).orderBy('address_num').execute();
    assert.deepEqual(kinds, [{ address: backup1, kind: 'primary' }, { address: backup2, kind: 'backup' }]);
    assert.deepEqual(await checkInvariants(server.store.db), []);
    // The old primary is free: it can come back as a backup.
    assert.equal((await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a, BackupIP: primary })).BackupIP, primary);
    assert.deepEqual(await addresses(a), [backup1, ...[primary!, backup2!].sort((x, y) => parseIpv4(x)! - parseIpv4(y)!)]);
  });

  it('a primary swap into another subnet moves the instance to that subnet; a reinstall configures the new addresses', async () => {
    const [primary] = await addresses(a);
    const { BackupIP: other } = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: a, SubnetId: extraBmsSubnet });
    await bms('ReturnBackupIP', { InstanceId: a, BackupIP: primary, OverlayIp: other });
    const inst = (await describeOne(a))!;
    assert.equal(inst.PrivateIpAddresses[0], other);
    assert.equal(inst.VirtualPrivateCloud.SubnetId, extraBmsSubnet);
    await bms('ResetInstance', { InstanceId: a, RaidType: launch.RaidType, OperatingSystemType: 'Linux', OperatingSystem: launch.OperatingSystem, LoginSettings: { Password: 'Reset#2026pw' } });
    await waitFor(`${a} reinstalled`, () => describeOne(a), (i) => i?.Status === 'RUNNING');
    const os = (await server.sim.lab.snapshot(await serverOf(a))).os!;
    assert.equal(os.network.address, other);
    assert.deepEqual(os.network.backupAddresses, inst.PrivateIpAddresses.slice(1));
    assert.deepEqual(await checkInvariants(server.store.db), []);
  });

  it("another tenant's instance or subnet is ResourceNotFound, exactly like one that never existed", async () => {
    await sameAsMissing('CreateBackupIP', (id) => ({ InstanceId: id }), a, 'bms-zzzz0000');
    await sameAsMissing('ReturnBackupIP', (id) => ({ InstanceId: id, BackupIP: '10.0.1.200' }), a, 'bms-zzzz0001');
    const theirVpc = (await otherVpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'theirs', CidrBlock: '10.0.0.0/16' })).Vpc.VpcId;
    const theirSubnet = await createSubnet(theirVpc, '10.0.1.0/24', ZONE, true, otherVpc);
    const theirs = await failure(bms('CreateBackupIP', { InstanceId: a, SubnetId: theirSubnet }));
    const nobodys = await failure(bms('CreateBackupIP', { InstanceId: a, SubnetId: 'subnet-zzzz0002' }));
    assert.equal(theirs.code, 'ResourceNotFound');
    assert.equal(theirs.message.replace(theirSubnet, '<id>'), nobodys.message.replace('subnet-zzzz0002', '<id>'));
  });
});

describe('out-of-band mappings', () => {
  let elsewhereVpc: string;
  let elsewhereSubnet: string;

  it('CreateOutbandIP allocates the smallest free VIP of the subnet and maps HTTPS, IPMI and KVM', async () => {
    const expected = await smallestFree(demoSubnet.SubnetId, demoSubnet.CidrBlock);
    const res = await bms<{ Vip: string; Vport: number[] }>('CreateOutbandIP', { InstanceId: a, VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId });
    assert.equal(res.Vip, expected);
    assert.deepEqual(res.Vport, [443, 623, 5900]);
    const vip = await server.store.db.selectFrom('ip_allocations').selectAll().where('subnet_id', '=', demoSubnet.SubnetId).where('address', '=', expected).executeTakeFirstOrThrow();
    assert.deepEqual([vip.kind, vip.owner_id], ['vip', a]);
    assert.ok(!(await addresses(a)).includes(expected), 'a VIP is not one of the instance private addresses');
  });

  it('a second mapping of the same instance into the same VPC is ResourceInUse', async () => {
    const e = await failure(bms('CreateOutbandIP', { InstanceId: shout(a), VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId }));
    assert.equal(e.code, 'ResourceInUse');
    assert.match(e.message, new RegExp(`${a}.*${demoSubnet.VpcId}`));
  });

  it('a given Vip must be assignable and free in the subnet; the subnet must be in the VPC', async () => {
    elsewhereVpc = (await vpc<{ VpcSet: Array<{ VpcId: string; VpcName: string }> }>('DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['access-elsewhere'] }] })).VpcSet[0]!.VpcId;
    elsewhereSubnet = (await vpc<{ SubnetSet: Array<{ SubnetId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'vpc-id', Values: [elsewhereVpc] }] })).SubnetSet[0]!.SubnetId;
    const cases: Array<[string, RegExp]> = [['10.0.1.5', /not in the subnet/], ['10.70.1.255', /broadcast/], ['nope', /not an IPv4 address/]];
    for (const [ip, why] of cases) {
      const e = await failure(bms('CreateOutbandIP', { InstanceId: a, VpcId: elsewhereVpc, SubnetId: elsewhereSubnet, Vip: ip }));
      assert.equal(e.code, 'InvalidParameterValue', e.message);
      assert.match(e.message, /Vip/);
      assert.match(e.message, why);
    }
    const wrongSubnet = await failure(bms('CreateOutbandIP', { InstanceId: a, VpcId: elsewhereVpc, SubnetId: demoSubnet.SubnetId }));
    assert.equal(wrongSubnet.code, 'InvalidParameterValue');
    assert.match(wrongSubnet.message, new RegExp(`SubnetId.*belongs to ${demoSubnet.VpcId}`));
    const res = await bms<{ Vip: string; Vport: number[] }>('CreateOutbandIP', { InstanceId: a, VpcId: elsewhereVpc, SubnetId: elsewhereSubnet, Vip: '10.70.1.77' });
    assert.equal(res.Vip, '10.70.1.77');
    const taken = await failure(bms('CreateOutbandIP', { InstanceId: b, VpcId: elsewhereVpc, SubnetId: elsewhereSubnet, Vip: '10.70.1.77' }));
    assert.equal(taken.code, 'InvalidParameterValue');
    assert.match(taken.message, /10\.70\.1\.77 is already in use/);
  });

  it('DescribeOutbandIP lists one OutbandInfo per mapping, Vip and Vport parallel; InstanceId, Offset and Limit narrow it', async () => {
    await bms('CreateOutbandIP', { InstanceId: b, VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId });
    const all = await bms<{ TotalCount: number; InstanceSet: OutbandInfo[] }>('DescribeOutbandIP', {});
    assert.equal(all.TotalCount, 3);
    const first = all.InstanceSet[0]!;
    assert.deepEqual(first.InstanceId, [a]);
    assert.deepEqual(first.InstanceName, ['access-a']);
    assert.deepEqual(first.UniqVpcId, [demoSubnet.VpcId]);
    assert.equal(first.Vip.length, 3);
    assert.ok(first.Vip.every((v) => v === first.Vip[0]));
    assert.deepEqual(first.Vport, [443, 623, 5900]);
    const ofA = await bms<{ TotalCount: number; InstanceSet: OutbandInfo[] }>('DescribeOutbandIP', { InstanceId: a });
    assert.equal(ofA.TotalCount, 2);
    assert.deepEqual(ofA.InstanceSet.map((i) => i.UniqVpcId[0]), [demoSubnet.VpcId, elsewhereVpc]);
    const page = await bms<{ TotalCount: number; InstanceSet: OutbandInfo[] }>('DescribeOutbandIP', { Offset: 1, Limit: 1 });
    assert.equal(page.TotalCount, 3);
    assert.deepEqual(page.InstanceSet.map((i) => i.UniqVpcId[0]), [elsewhereVpc]);
    const bad = await failure(bms('DescribeOutbandIP', { Limit: 101 }));
    assert.equal(bad.code, 'InvalidParameterValue');
  });

  it('DeleteOutbandIP checks every entry before deleting any (precise errors), then removes mappings and their VIPs', async () => {
    const { InstanceSet } = await bms<{ InstanceSet: OutbandInfo[] }>('DescribeOutbandIP', { InstanceId: a });
    const [home, away] = InstanceSet.map((i) => ({ InstanceId: i.InstanceId[0]!, VpcId: i.UniqVpcId[0]!, Vip: i.Vip[0]!, Vport: String(i.Vport[0]) }));
    const cases: Array<[Array<Record<string, string>>, string, RegExp]> = [
      [[home!, { ...away!, Vip: '10.70.1.78' }], 'InvalidParameterValue', /OutbandInfos\.1\.Vip.*not the VIP/],
      [[home!, { ...away!, Vport: '22' }], 'InvalidParameterValue', /OutbandInfos\.1\.Vport.*22 is not a port/],
      [[home!, { ...home!, InstanceId: shout(a) }], 'InvalidParameterValue', /OutbandInfos\.1.*listed twice/],
      [[home!, { ...away!, InstanceId: b }], 'ResourceNotFound', new RegExp(`${b} has no out-of-band mapping in the VPC ${elsewhereVpc}`)],
      [[home!, { ...away!, VpcId: 'vpc-zzzz0000' }], 'ResourceNotFound', /VPC vpc-zzzz0000 does not exist/],
      [[home!, { ...away!, InstanceId: 'bms-zzzz0000' }], 'ResourceNotFound', /instance bms-zzzz0000 does not exist/],
    ];
    for (const [entries, code, why] of cases) {
      const e = await failure(bms('DeleteOutbandIP', { OutbandInfos: entries }));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, why);
    }
    assert.equal((await bms<{ TotalCount: number }>('DescribeOutbandIP', { InstanceId: a })).TotalCount, 2, 'nothing was deleted');
    await bms('DeleteOutbandIP', { OutbandInfos: [home, away] });
    assert.equal((await bms<{ TotalCount: number }>('DescribeOutbandIP', { InstanceId: a })).TotalCount, 0);
    const vips = await server.store.db.selectFrom('ip_allocations').select('address').where('owner_id', '=', a).where('kind', '=', 'vip').execute();
    assert.deepEqual(vips, [], 'the VIPs were released');
    // Mapped again: the same (smallest free) VIP comes back.
    const again = await bms<{ Vip: string }>('CreateOutbandIP', { InstanceId: a.replace('bms-', 'BMS-'), VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId });
    assert.equal(again.Vip, home!.Vip);
    assert.deepEqual(await checkAccessInvariants(server.store.db), []);
  });

  it("another tenant's instance, VPC and subnet are ResourceNotFound, exactly like ones that never existed", async () => {
    await sameAsMissing('CreateOutbandIP', (id) => ({ InstanceId: id, VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId }), a, 'bms-zzzz0002');
    await sameAsMissing('DescribeOutbandIP', (id) => ({ InstanceId: id }), a, 'bms-zzzz0003');
    await sameAsMissing('DeleteOutbandIP', (id) => ({ OutbandInfos: [{ InstanceId: id, VpcId: demoSubnet.VpcId, Vip: '', Vport: '' }] }), a, 'bms-zzzz0004');
    const theirVpc = (await otherVpc<{ VpcSet: Array<{ VpcId: string }> }>('DescribeVpcs', {})).VpcSet[0]!.VpcId;
    const theirSubnet = (await otherVpc<{ SubnetSet: Array<{ SubnetId: string }> }>('DescribeSubnets', {})).SubnetSet[0]!.SubnetId;
    const vpcTheirs = await failure(bms('CreateOutbandIP', { InstanceId: b, VpcId: theirVpc, SubnetId: theirSubnet }));
    const vpcNobodys = await failure(bms('CreateOutbandIP', { InstanceId: b, VpcId: 'vpc-zzzz0005', SubnetId: theirSubnet }));
    assert.equal(vpcTheirs.code, 'ResourceNotFound');
    assert.equal(vpcTheirs.message.replace(theirVpc, '<id>'), vpcNobodys.message.replace('vpc-zzzz0005', '<id>'));
    const subnetTheirs = await failure(bms('CreateOutbandIP', { InstanceId: b, VpcId: elsewhereVpc, SubnetId: theirSubnet }));
    assert.equal(subnetTheirs.code, 'ResourceNotFound');
    assert.match(subnetTheirs.message, new RegExp(`subnet ${theirSubnet} does not exist`));
    const listed = await otherBms<{ TotalCount: number }>('DescribeOutbandIP', {});
    assert.equal(listed.TotalCount, 0);
  });
});

describe('the tenant BMC account (DescribeOutbandInfo)', () => {
  let user: string;
  let password: string;
  const requestIds: string[] = [];

  it('returns User, Password and Sn of a tenant-scoped account that exists on the BMC — never the admin', async () => {
    const res = await bms<{ OutbandInfo: Array<{ User: string; Password: string; Sn: string }>; RequestId: string }>('DescribeOutbandInfo', { InstanceId: a });
    requestIds.push(res.RequestId);
    assert.equal(res.OutbandInfo.length, 1);
    ({ User: user, Password: password } = res.OutbandInfo[0]!);
    const serverId = await serverOf(a);
    const srv = await server.store.db.selectFrom('servers').select(['sn', 'bmc_address', 'bmc_username']).where('id', '=', serverId).executeTakeFirstOrThrow();
    assert.equal(res.OutbandInfo[0]!.Sn, srv.sn);
    assert.equal(user, `tenant-${a.slice(4)}`);
    assert.notEqual(user, srv.bmc_username);
    assert.ok(password.length >= 16 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password) && /[^A-Za-z0-9]/.test(password));
    const bmc = (await server.sim.lab.snapshot(serverId)).bmc;
    assert.notEqual(user, bmc.adminUsername);
    assert.deepEqual(bmc.accounts.find((x) => x.username === user), { username: user, role: 'Operator' });
    // It works on the BMC: it may look at the power; it may not manage accounts (not an admin).
    const target = (pw: string) => ({ serverId, sn: srv.sn, bmc: { address: srv.bmc_address, username: user, password: pw } });
    assert.equal(await server.sim.power.getPowerState(target(password)), 'on');
    await assert.rejects(server.sim.power.getPowerState(target(`${password}x`)), /authentication/);
    await assert.rejects(server.sim.management.ensureBmcAccount(target(password), { username: 'intruder', password: 'Intruder#2026', role: 'Administrator' }));
  });

  it('every read is audited with who, which instance, the RequestId, the source IP and the time', async () => {
    const again = await bms<{ OutbandInfo: Array<{ Password: string }>; RequestId: string }>('DescribeOutbandInfo', { InstanceId: shout(a) });
    requestIds.push(again.RequestId);
    assert.equal(again.OutbandInfo[0]!.Password, password, 'the same account, read again');
    const rows = await server.store.db.selectFrom('secret_reads').selectAll().where('resource_id', '=', a).orderBy('at').execute();
    assert.deepEqual(rows.map((r) => r.request_id).sort(), [...requestIds].sort());
    const demo = server.credentials.demo;
    for (const r of rows) {
      assert.equal(r.kind, 'bmc-account');
      assert.equal(r.account_uin, demo.accountUin);
      assert.equal(r.secret_id, demo.SecretId);
      assert.ok(r.user_uin);
      assert.match(r.source_ip, /127\.0\.0\.1|::1/);
      assert.ok(Math.abs(Number(r.at) - Date.now()) < 60_000);
    }
  });

  it('the password is stored only sealed: in no log line and nowhere in clear in the database files', async () => {
    const row = await server.store.db.selectFrom('bmc_accounts').selectAll().where('instance_id', '=', a).executeTakeFirstOrThrow();
    assert.match(row.password_enc, /^v1\./);
    assert.ok(!row.password_enc.includes(password));
    assert.equal(server.box.open(row.password_enc, a), password);
    assert.throws(() => server.box.open(row.password_enc, b), 'sealed to its instance: it does not open for another');
    assert.ok(server.logLines.some((l) => l.msg === 'tenant BMC account read'), 'the read is logged');
    assert.ok(!JSON.stringify(server.logLines).includes(password), 'no log line holds the password');
    for (const file of filesUnder(server.dataDir)) {
      assert.ok(!readFileSync(file).includes(Buffer.from(password)), `${file} holds the password in clear`);
    }
  });

  it("another tenant's instance is ResourceNotFound, exactly like one that never existed, and is not audited", async () => {
    const before = await server.store.db.selectFrom('secret_reads').select('id').execute();
    await sameAsMissing('DescribeOutbandInfo', (id) => ({ InstanceId: id }), a, 'bms-zzzz0006');
    assert.equal((await server.store.db.selectFrom('secret_reads').select('id').execute()).length, before.length);
  });
});

describe('failures and returns leave nothing behind', () => {
  it('a provisioning that fails after the account was recorded ends CREATE_FAILED with no account, and refuses access actions', async () => {
    const srv = (await server.store.db.selectFrom('servers').select('id').where('flavor_id', '=', launch.FlavorId as string)
      .where('state', '=', 'available').orderBy('id').executeTakeFirstOrThrow()).id;
    await server.sim.lab.injectFault(srv, { kind: 'bmc-unreachable', operations: ['ensureBmcAccount'] });
    const id = await run('access-fails');
    await settled(id, 'CREATE_FAILED');
    const task = await waitFor('provision task finished', async () => (await server.store.db.selectFrom('tasks').selectAll()
      .where('instance_id', '=', id).executeTakeFirstOrThrow()), (t) => t.status !== 'RUNNING');
    const steps = JSON.parse(task.steps) as Array<{ name: string; status: string }>;
    assert.deepEqual(steps.find((s) => s.name === 'create-bmc-account')?.status, 'FAILED');
    assert.deepEqual(steps.find((s) => s.name === 'remove-bmc-account')?.status, 'DONE');
    assert.equal(await server.store.db.selectFrom('bmc_accounts').select('instance_id').where('instance_id', '=', id).executeTakeFirst(), undefined);
    await server.sim.lab.clearFaults(srv);
    assert.deepEqual((await server.sim.lab.snapshot(srv)).bmc.accounts.map((x) => x.username), [(await server.sim.lab.snapshot(srv)).bmc.adminUsername]);
    const e = await failure(bms('CreateBackupIP', { InstanceId: id }));
    assert.equal(e.code, 'UnsupportedOperation');
    assert.match(e.message, /CREATE_FAILED.*RUNNING or STOPPED/);
    assert.equal((await failure(bms('CreateOutbandIP', { InstanceId: id, VpcId: demoSubnet.VpcId, SubnetId: demoSubnet.SubnetId }))).code, 'UnsupportedOperation');
    assert.equal((await failure(bms('DescribeOutbandInfo', { InstanceId: id }))).code, 'ResourceUnavailable');
    assert.equal((await failure(bms('ReturnBackupIP', { InstanceId: id, BackupIP: '10.0.1.200' }))).code, 'UnsupportedOperation');
    await bms('TerminateInstances', { InstanceIds: [id] });
    await gone(id);
  });

  it('TerminateInstances removes the BMC account from the BMC and releases mappings, VIPs and backup IPs', async () => {
    const held = { a: await serverOf(a), b: await serverOf(b) };
    assert.ok((await server.store.db.selectFrom('ip_allocations').select('address').where('owner_id', 'in', [a, b]).where('kind', 'in', ['vip', 'backup']).execute()).length > 5);
    await bms('TerminateInstances', { InstanceIds: [a, b] });
    const e = await failure(bms('DescribeOutbandInfo', { InstanceId: a }));
    assert.ok(['ResourceUnavailable', 'ResourceNotFound'].includes(e.code), e.message);
    await gone(a);
    await gone(b);
    for (const [id, srv] of Object.entries(held)) {
      const bmc = (await server.sim.lab.snapshot(srv)).bmc;
      assert.deepEqual(bmc.accounts.map((x) => x.username), [bmc.adminUsername], `only the admin account is left on ${srv} (${id})`);
    }
    assert.deepEqual(await server.store.db.selectFrom('outband_mappings').selectAll().execute(), []);
    assert.deepEqual(await server.store.db.selectFrom('bmc_accounts').select('instance_id').where('instance_id', 'in', [a, b]).execute(), []);
    assert.deepEqual(await server.store.db.selectFrom('ip_allocations').select('address').where('owner_id', 'in', [a, b]).execute(), []);
    assert.equal((await bms<{ TotalCount: number }>('DescribeOutbandIP', {})).TotalCount, 0);
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.deepEqual(await checkInvariants(server.store.db), []);
    assert.deepEqual(await checkAccessInvariants(server.store.db), []);
    assert.equal(server.sim.lab.concurrencyViolations().count, 0);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
