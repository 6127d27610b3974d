/**
 * Elastic public IPs and instance IPv6 through the front door: the official SDK against a
 * running BMS (vpc for EIPs, bms for instances, bmsops for the operator's pool).
 *
 * The demo has no EIP pool, so the operator adds one first. Then: every rule of the pool and of
 * the six EIP actions with its exact error code; RunInstances' InternetAccessible (an EIP per
 * instance, all or nothing; unchanged by a reinstall; unbound or released by a return; given
 * back by a failed launch); tenant isolation (another tenant's EIP or instance is
 * ResourceNotFound, word for word as one that never existed); IPv6 end to end; concurrent
 * allocations never handing one address out twice — through the API on SQLite and PostgreSQL,
 * and at the repository with four PostgreSQL "nodes" colliding on INSERT; and the invariant
 * checkers, which must find nothing leaked at the end (and do find a planted leak).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { checkEipInvariants } from '../src/reconcile/eip-invariants.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { addPoolAddresses, allocateEips } from '../src/store/repos/eips.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { barrier } from './support/barrier.ts';

const ZONE = 'ap-guangzhou-1';
const EIP_ID = /^eip-[0-9a-z]{8}$/;

interface Address {
  AddressId: string; AddressName: string; AddressStatus: string; AddressIp: string; InstanceId: string | null; PrivateAddressIp: string | null;
  Bandwidth: number; InternetServiceProvider: string; CreatedTime: string; AddressType: string; InternetChargeType: string; InstanceType: string | null;
}
interface Instance {
  InstanceId: string; Status: string; PrivateIpAddresses: string[]; PublicIpAddresses: string[]; IPv6Addresses: string[];
  VirtualPrivateCloud: { Ipv6Address?: boolean };
}
interface PoolEntry { Address: string; Isp: string; Status: string; AddressId: string | null; OwnerUin: string | null; InstanceId: string | null }

/**
 * Signs each call anew: the gateway refuses the very same signed mutating request twice, and
 * the SDK signs with whole seconds — so a call identical to one made in the same second waits
 * for the next second.
 */
function unique(call: Call): Call {
  const last = new Map<string, number>();
  return async (action, params = {}) => {
    const key = `${action} ${JSON.stringify(params)}`;
    if (last.get(key) === Math.floor(Date.now() / 1000)) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    last.set(key, Math.floor(Date.now() / 1000));
    return call(action, params);
  };
}

interface Tenant { bms: Call; vpc: Call }

/** A running server (embedded SQLite, or PostgreSQL with `env`) with the demo tenant, a second tenant and the operator. */
async function world(env: Record<string, string> = {}) {
  const server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', ...env }, { rateLimiter: { take: () => true } });
  const demo: Tenant = { bms: unique(sdk(server.credentials.demo)), vpc: unique(sdk(server.credentials.demo, 'vpc')) };
  const ops = unique(sdk(server.credentials.operator, 'bmsops'));
  const { account, root } = await createAccountWithRoot(server.store.db, 'EIP neighbour', 'tenant', Date.now());
  const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
  const creds = { ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey };
  const other: Tenant & { uin: string } = { bms: unique(sdk(creds)), vpc: unique(sdk(creds, 'vpc')), uin: account.uin };
  return { server, demo, ops, other };
}

async function code(p: Promise<unknown>, expected: string, message?: RegExp): Promise<string> {
  const e = await failure(p);
  assert.equal(e.code, expected, e.message);
  if (message) assert.match(e.message, message);
  return e.message;
}

let server: TestServer;
let demo: Tenant;
let other: Tenant & { uin: string };
let ops: Call;
let launchBase: Record<string, unknown>;
let flavorId: string;

before(async () => {
  ({ server, demo, ops, other } = await world());
  const { FlavorSet } = await demo.bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>(
    'DescribeFlavors', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
  flavorId = flavor.FlavorId;
  const { SubnetSet } = await demo.vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
  launchBase = {
    Placement: { Zone: ZONE }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: SubnetSet[0]!.VpcId, SubnetId: SubnetSet[0]!.SubnetId }, LoginSettings: { Password: 'Eips#2026pw' },
    RaidType: flavor.RaidType[0],
  };
});
after(async () => server.stop());

const addresses = (t: Tenant, params: Record<string, unknown> = {}) => t.vpc<{ TotalCount: number; AddressSet: Address[] }>('DescribeAddresses', params);
const eip = async (id: string) => (await addresses(demo, { AddressIds: [id] })).AddressSet[0];
const instance = async (id: string) => (await demo.bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0];
const settled = (id: string, status: string) => waitFor(`${id} ${status}`, () => instance(id), (i) => i?.Status === status);
const gone = (id: string) => waitFor(`${id} gone`, () => instance(id), (i) => i === undefined);
const allocate = async (params: Record<string, unknown> = {}) => (await demo.vpc<{ AddressSet: string[] }>('AllocateAddresses', params)).AddressSet;
const launch = async (params: Record<string, unknown>) => (await demo.bms<{ BmsId: string[] }>('RunInstances', { ...launchBase, ...params })).BmsId;
const pool = (filters: Array<{ Name: string; Values: string[] }> = [], limit = 100) =>
  ops<{ TotalCount: number; AddressSet: PoolEntry[]; IspSet: Array<{ Isp: string; TotalCount: number; FreeCount: number }> }>('DescribeEipPool', { Filters: filters, Limit: limit });
const count = async (table: 'instances' | 'eips') => Number((await server.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('the operator\'s EIP pool (bmsops)', () => {
  it('starts empty: an EIP is ResourceInsufficient naming the line and how many are free', async () => {
    await code(demo.vpc('AllocateAddresses', {}), 'ResourceInsufficient', /0 free BGP address/);
    await code(demo.bms('RunInstances', { ...launchBase, InternetAccessible: { InternetMaxBandwidthOut: 5 } }), 'ResourceInsufficient', /0 free BGP/);
  });

  it('AddEipPoolAddresses takes a block (without network and broadcast) or a list, per line', async () => {
    const block = await ops<{ AddressSet: string[]; ExistingAddressSet: string[] }>('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/26' });
    assert.equal(block.AddressSet.length, 62);
    assert.ok(!block.AddressSet.includes('203.0.113.0') && !block.AddressSet.includes('203.0.113.63'));
    const ctcc = await ops<{ AddressSet: string[] }>('AddEipPoolAddresses', { Isp: 'CTCC', Addresses: ['198.51.100.10', '198.51.100.11'] });
    assert.deepEqual(ctcc.AddressSet, ['198.51.100.10', '198.51.100.11']);
    const one = await ops<{ AddressSet: string[] }>('AddEipPoolAddresses', { Isp: 'CMCC', CidrBlock: '198.51.100.200/32' });
    assert.deepEqual(one.AddressSet, ['198.51.100.200']);
  });

  it('adding again is idempotent on the same line, refused on another', async () => {
    const again = await ops<{ AddressSet: string[]; ExistingAddressSet: string[] }>('AddEipPoolAddresses', { Isp: 'CTCC', Addresses: ['198.51.100.11', '198.51.100.12'] });
    assert.deepEqual(again, { AddressSet: ['198.51.100.12'], ExistingAddressSet: ['198.51.100.11'], RequestId: (again as unknown as { RequestId: string }).RequestId });
    await code(ops('AddEipPoolAddresses', { Isp: 'CUCC', Addresses: ['198.51.100.13', '198.51.100.10'] }), 'InvalidParameterValue', /Addresses\.1.*CTCC/);
    const { TotalCount } = await pool([{ Name: 'isp', Values: ['CUCC'] }]);
    assert.equal(TotalCount, 0, 'a refused call adds nothing');
  });

  it('refuses what is not a public address, and malformed requests, with the exact code', async () => {
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP' }), 'MissingParameter', /Addresses or CidrBlock/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: ['203.0.113.70'], CidrBlock: '203.0.113.64/30' }), 'InvalidParameterValue', /not both/);
    for (const [address, what] of [['10.1.2.3', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'carrier-grade'], ['127.0.0.1', 'loopback'],
      ['169.254.1.1', 'link-local'], ['224.0.0.1', 'multicast'], ['255.255.255.255', 'reserved']] as const) {
      await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: [address] }), 'InvalidParameterValue', new RegExp(`Addresses\\.0.*${what}`));
    }
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: ['203.0.113.300'] }), 'InvalidParameterValue', /Addresses\.0/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: ['203.0.113.070'] }), 'InvalidParameterValue', /Addresses\.0/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: ['203.0.113.70', '203.0.113.70'] }), 'InvalidParameterValue', /Addresses\.1.*Addresses\.0/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: Array.from({ length: 257 }, (_, i) => `198.18.${i >> 8}.${i & 255}`) }), 'InvalidParameterValue', /Addresses/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.112.0/23' }), 'InvalidParameterValue', /CidrBlock.*\/24/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.65/30' }), 'InvalidParameterValue', /host bits/);
    await code(ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '172.16.5.0/24' }), 'InvalidParameterValue', /CidrBlock.*private/);
    await code(ops('AddEipPoolAddresses', { Isp: 'ANY', Addresses: ['203.0.113.70'] }), 'InvalidParameterValue', /Isp/);
    await code(ops('AddEipPoolAddresses', { Addresses: ['203.0.113.70'] }), 'MissingParameter', /Isp/);
  });

  it('is the operator\'s alone', async () => {
    await code(unique(sdk(server.credentials.demo, 'bmsops'))('DescribeEipPool', {}), 'AuthFailure.UnauthorizedOperation');
  });

  it('DescribeEipPool filters by line and status and sums every line up', async () => {
    const all = await pool();
    assert.equal(all.TotalCount, 62 + 3 + 1);
    assert.deepEqual(all.IspSet, [{ Isp: 'BGP', TotalCount: 62, FreeCount: 62 }, { Isp: 'CMCC', TotalCount: 1, FreeCount: 1 }, { Isp: 'CTCC', TotalCount: 3, FreeCount: 3 }]);
    const ctcc = await pool([{ Name: 'isp', Values: ['ctcc'] }, { Name: 'status', Values: ['free'] }]);
    assert.deepEqual(ctcc.AddressSet.map((a) => [a.Address, a.Isp, a.Status, a.AddressId]),
      [['198.51.100.10', 'CTCC', 'free', null], ['198.51.100.11', 'CTCC', 'free', null], ['198.51.100.12', 'CTCC', 'free', null]]);
    assert.equal((await pool([{ Name: 'status', Values: ['used'] }])).TotalCount, 0);
    await code(pool([{ Name: 'status', Values: ['taken'] }]), 'InvalidParameterValue', /Filters\.0\.Values\.0/);
    await code(pool([{ Name: 'zone', Values: ['x'] }]), 'InvalidParameterValue', /Filters\.0\.Name/);
  });
});

describe('AllocateAddresses, DescribeAddresses, ModifyAddressesBandwidth, ReleaseAddresses', () => {
  let ids: string[];

  it('allocates with Tencent\'s defaults: one BGP EIP of 1 Mbps, unbound', async () => {
    const [id] = await allocate();
    assert.match(id!, EIP_ID);
    const a = (await eip(id!))!;
    assert.equal(a.AddressStatus, 'UNBIND');
    assert.equal(a.InternetServiceProvider, 'BGP');
    assert.equal(a.Bandwidth, 1);
    assert.equal(a.AddressName, '未命名');
    assert.equal(a.InstanceId, null);
    assert.equal(a.PrivateAddressIp, null);
    assert.equal(a.AddressType, 'EIP');
    assert.equal(a.InternetChargeType, 'TRAFFIC_POSTPAID_BY_HOUR');
    assert.match(a.AddressIp, /^203\.0\.113\.\d+$/);
    assert.match(a.CreatedTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const used = await pool([{ Name: 'status', Values: ['used'] }]);
    assert.deepEqual(used.AddressSet.map((p) => [p.Address, p.AddressId, p.OwnerUin]), [[a.AddressIp, id, server.credentials.demo.accountUin]]);
  });

  it('allocates several at once on the line asked for, with the bandwidth and name asked for', async () => {
    ids = await allocate({ AddressCount: 3, InternetServiceProvider: 'CTCC', InternetMaxBandwidthOut: 20, AddressName: 'web' });
    assert.equal(ids.length, 3);
    const { AddressSet } = await addresses(demo, { AddressIds: ids });
    assert.deepEqual(AddressSet.map((a) => [a.InternetServiceProvider, a.Bandwidth, a.AddressName]).sort(), Array(3).fill(['CTCC', 20, 'web']));
    assert.equal(new Set(AddressSet.map((a) => a.AddressIp)).size, 3);
  });

  it('an exhausted line is ResourceInsufficient naming it and what is left, and allocates nothing', async () => {
    const before = await count('eips');
    await code(demo.vpc('AllocateAddresses', { InternetServiceProvider: 'CTCC' }), 'ResourceInsufficient', /0 free CTCC address.*1 is needed/);
    await code(demo.vpc('AllocateAddresses', { AddressCount: 2, InternetServiceProvider: 'CMCC' }), 'ResourceInsufficient', /1 free CMCC address.*2 are needed/);
    await code(demo.vpc('AllocateAddresses', { InternetServiceProvider: 'CUCC' }), 'ResourceInsufficient', /0 free CUCC/);
    assert.equal(await count('eips'), before);
  });

  it('checks its parameters with the exact code', async () => {
    await code(demo.vpc('AllocateAddresses', { AddressCount: 0 }), 'InvalidParameterValue', /AddressCount/);
    await code(demo.vpc('AllocateAddresses', { AddressCount: 21 }), 'InvalidParameterValue', /AddressCount/);
    await code(demo.vpc('AllocateAddresses', { AddressCount: 'two' }), 'InvalidParameter', /AddressCount/);
    await code(demo.vpc('AllocateAddresses', { InternetMaxBandwidthOut: 0 }), 'InvalidParameterValue', /InternetMaxBandwidthOut/);
    await code(demo.vpc('AllocateAddresses', { InternetMaxBandwidthOut: 1001 }), 'InvalidParameterValue', /InternetMaxBandwidthOut/);
    await code(demo.vpc('AllocateAddresses', { InternetServiceProvider: 'ChinaNet' }), 'InvalidParameterValue', /InternetServiceProvider/);
    await code(demo.vpc('AllocateAddresses', { AddressName: 'n'.repeat(129) }), 'InvalidParameterValue', /AddressName/);
    await code(demo.vpc('AllocateAddresses', { AddressType: 'EIP' }), 'UnknownParameter', /AddressType/);
  });

  it('DescribeAddresses filters by every Tencent filter it lists, with an exact TotalCount', async () => {
    const web = (await addresses(demo, { AddressIds: ids })).AddressSet;
    const by = async (Name: string, Values: string[]) => (await addresses(demo, { Filters: [{ Name, Values }] })).AddressSet.map((a) => a.AddressId).sort();
    assert.deepEqual(await by('address-id', [ids[0]!.toUpperCase()]), [ids[0]]);
    assert.deepEqual(await by('address-name', ['web']), [...ids].sort());
    assert.deepEqual(await by('address-name', ['we']), [], 'names match exactly');
    assert.deepEqual(await by('address-ip', [web[1]!.AddressIp]), [web[1]!.AddressId]);
    assert.deepEqual(await by('address-isp', ['CTCC']), [...ids].sort());
    assert.deepEqual(await by('address-status', ['BIND']), []);
    assert.equal((await by('address-status', ['UNBIND', 'BINDING'])).length, 4);
    const page = await addresses(demo, { Limit: 2, Offset: 1 });
    assert.equal(page.TotalCount, 4);
    assert.equal(page.AddressSet.length, 2);
    assert.deepEqual((await addresses(demo, { AddressIds: ['eip-00000000'] })).AddressSet, [], 'unknown IDs are simply not listed');
  });

  it('DescribeAddresses refuses what Tencent refuses', async () => {
    await code(addresses(demo, { AddressIds: ids, Filters: [{ Name: 'address-isp', Values: ['BGP'] }] }), 'InvalidParameterValue', /AddressIds and Filters/);
    await code(addresses(demo, { Filters: [{ Name: 'zone', Values: ['x'] }] }), 'InvalidParameterValue', /Filters\.0\.Name/);
    await code(addresses(demo, { Filters: [{ Name: 'address-status', Values: ['GONE'] }] }), 'InvalidParameterValue', /Filters\.0\.Values\.0/);
    await code(addresses(demo, { Filters: [{ Name: 'address-isp', Values: ['BGP', 'XX'] }] }), 'InvalidParameterValue', /Filters\.0\.Values\.1/);
    await code(addresses(demo, { AddressIds: ['eip-1'] }), 'InvalidParameterValue', /AddressIds\.0/);
    await code(addresses(demo, { Limit: 101 }), 'InvalidParameterValue', /Limit/);
    await code(addresses(demo, { Offset: -1 }), 'InvalidParameterValue', /Offset/);
  });

  it('ModifyAddressesBandwidth changes every one, or none when one is missing', async () => {
    await demo.vpc('ModifyAddressesBandwidth', { AddressIds: ids.slice(0, 2), InternetMaxBandwidthOut: 200 });
    const bw = async () => (await addresses(demo, { AddressIds: ids })).AddressSet.map((a) => [a.AddressId, a.Bandwidth]).sort();
    assert.deepEqual(await bw(), [[ids[0], 200], [ids[1], 200], [ids[2], 20]].sort());
    await code(demo.vpc('ModifyAddressesBandwidth', { AddressIds: [ids[2], 'eip-00000000'], InternetMaxBandwidthOut: 5 }), 'ResourceNotFound', /eip-00000000/);
    assert.deepEqual(await bw(), [[ids[0], 200], [ids[1], 200], [ids[2], 20]].sort());
    await code(demo.vpc('ModifyAddressesBandwidth', { AddressIds: [ids[0], ids[0]!.toUpperCase()], InternetMaxBandwidthOut: 5 }), 'InvalidParameterValue', /AddressIds\.1.*twice/);
    await code(demo.vpc('ModifyAddressesBandwidth', { AddressIds: ids, InternetMaxBandwidthOut: 1001 }), 'InvalidParameterValue', /InternetMaxBandwidthOut/);
    await code(demo.vpc('ModifyAddressesBandwidth', { AddressIds: [], InternetMaxBandwidthOut: 5 }), 'InvalidParameterValue', /AddressIds/);
    await code(demo.vpc('ModifyAddressesBandwidth', { AddressIds: ids }), 'MissingParameter', /InternetMaxBandwidthOut/);
  });

  it('ReleaseAddresses gives every one back to the pool, or none when one is missing', async () => {
    await code(demo.vpc('ReleaseAddresses', { AddressIds: [ids[2], 'eip-00000000'] }), 'ResourceNotFound', /eip-00000000/);
    assert.ok(await eip(ids[2]!));
    await demo.vpc('ReleaseAddresses', { AddressIds: [ids[2]] });
    assert.equal(await eip(ids[2]!), undefined);
    assert.equal((await pool([{ Name: 'isp', Values: ['CTCC'] }, { Name: 'status', Values: ['free'] }])).TotalCount, 1);
    await code(demo.vpc('ReleaseAddresses', { AddressIds: [ids[2]] }), 'ResourceNotFound', new RegExp(ids[2]!));
    await code(demo.vpc('ReleaseAddresses', { AddressIds: ['not-an-eip'] }), 'InvalidParameterValue', /AddressIds\.0/);
    await code(demo.vpc('ReleaseAddresses', {}), 'MissingParameter', /AddressIds/);
    const rest = (await addresses(demo)).AddressSet.map((a) => a.AddressId);
    await demo.vpc('ReleaseAddresses', { AddressIds: rest });
    assert.equal((await addresses(demo)).TotalCount, 0);
  });
});

describe('AssociateAddress and DisassociateAddress', () => {
  let bmsId: string;
  let primary: string;
  let eipA: string;
  let eipB: string;

  before(async () => {
    bmsId = (await launch({ InstanceName: 'eip-target' }))[0]!;
    primary = (await settled(bmsId, 'RUNNING'))!.PrivateIpAddresses[0]!;
    [eipA, eipB] = (await allocate({ AddressCount: 2, AddressName: 'binding' })) as [string, string];
  });

  it('binds an EIP to the instance\'s primary address, which DescribeInstances then shows', async () => {
    await demo.vpc('AssociateAddress', { AddressId: eipA, InstanceId: bmsId.toUpperCase() });
    const a = (await eip(eipA))!;
    assert.deepEqual([a.AddressStatus, a.InstanceId, a.PrivateAddressIp, a.InstanceType], ['BIND', bmsId, primary, 'BMS']);
    assert.deepEqual((await instance(bmsId))!.PublicIpAddresses, [a.AddressIp]);
    assert.deepEqual((await addresses(demo, { Filters: [{ Name: 'instance-id', Values: [bmsId] }] })).AddressSet.map((x) => x.AddressId), [eipA]);
    assert.deepEqual((await addresses(demo, { Filters: [{ Name: 'private-ip-address', Values: [primary] }] })).AddressSet.map((x) => x.AddressId), [eipA]);
    assert.deepEqual((await addresses(demo, { Filters: [{ Name: 'address-status', Values: ['BIND'] }] })).AddressSet.map((x) => x.AddressId), [eipA]);
  });

  it('refuses a bound EIP, a second EIP on one address, and an address the instance does not hold', async () => {
    await code(demo.vpc('AssociateAddress', { AddressId: eipA, InstanceId: bmsId }), 'ResourceInUse', /already bound/);
    await code(demo.vpc('AssociateAddress', { AddressId: eipB, InstanceId: bmsId, PrivateIpAddress: primary }), 'ResourceInUse', new RegExp(`${eipA}.*at most one`));
    await code(demo.vpc('AssociateAddress', { AddressId: eipB, InstanceId: bmsId, PrivateIpAddress: '10.0.1.250' }), 'InvalidParameterValue', /PrivateIpAddress/);
    await code(demo.vpc('AssociateAddress', { AddressId: eipB, InstanceId: 'bms-00000000' }), 'ResourceNotFound', /bms-00000000/);
    await code(demo.vpc('AssociateAddress', { AddressId: 'eip-00000000', InstanceId: bmsId }), 'ResourceNotFound', /eip-00000000/);
    await code(demo.vpc('AssociateAddress', { AddressId: eipB, InstanceId: 'ins-1' }), 'InvalidParameterValue', /InstanceId/);
    await code(demo.vpc('AssociateAddress', { AddressId: eipB }), 'MissingParameter', /InstanceId/);
    assert.equal((await eip(eipB))!.AddressStatus, 'UNBIND');
  });

  it('a bound EIP cannot be released: ResourceInUse, and nothing of the batch is released', async () => {
    await code(demo.vpc('ReleaseAddresses', { AddressIds: [eipB, eipA] }), 'ResourceInUse', new RegExp(`${eipA}.*disassociate`));
    assert.ok(await eip(eipB));
  });

  it('unbinds; unbinding an unbound EIP is UnsupportedOperation', async () => {
    await demo.vpc('DisassociateAddress', { AddressId: eipA });
    const a = (await eip(eipA))!;
    assert.deepEqual([a.AddressStatus, a.InstanceId, a.PrivateAddressIp], ['UNBIND', null, null]);
    assert.deepEqual((await instance(bmsId))!.PublicIpAddresses, []);
    await code(demo.vpc('DisassociateAddress', { AddressId: eipA }), 'UnsupportedOperation', /not bound/);
    await code(demo.vpc('DisassociateAddress', { AddressId: 'eip-00000000' }), 'ResourceNotFound');
  });

  it('a STOPPED instance takes an EIP too; the EIP can move to another address', async () => {
    await demo.bms('StopInstances', { InstanceIds: [bmsId] });
    await settled(bmsId, 'STOPPED');
    await demo.vpc('AssociateAddress', { AddressId: eipB, InstanceId: bmsId, PrivateIpAddress: primary });
    assert.equal((await eip(eipB))!.AddressStatus, 'BIND');
    await demo.vpc('DisassociateAddress', { AddressId: eipB });
    await demo.vpc('AssociateAddress', { AddressId: eipA, InstanceId: bmsId });
    await demo.bms('StartInstances', { InstanceIds: [bmsId] });
    await settled(bmsId, 'RUNNING');
  });

  it('another tenant\'s EIP or instance answers exactly like one that never existed', async () => {
    const missing = (id: string) => id.replace(/-.*/, '-00000000');
    const same = async (mine: Promise<unknown>, never: Promise<unknown>, id: string) => {
      const a = await code(mine, 'ResourceNotFound');
      const b = await code(never, 'ResourceNotFound');
      assert.equal(a.replace(id, 'X'), b.replace(missing(id), 'X'));
    };
    await same(other.vpc('DisassociateAddress', { AddressId: eipA }), other.vpc('DisassociateAddress', { AddressId: missing(eipA) }), eipA);
    await same(other.vpc('ReleaseAddresses', { AddressIds: [eipB] }), other.vpc('ReleaseAddresses', { AddressIds: [missing(eipB)] }), eipB);
    await same(other.vpc('ModifyAddressesBandwidth', { AddressIds: [eipB], InternetMaxBandwidthOut: 9 }),
      other.vpc('ModifyAddressesBandwidth', { AddressIds: [missing(eipB)], InternetMaxBandwidthOut: 9 }), eipB);
    const [theirs] = (await other.vpc<{ AddressSet: string[] }>('AllocateAddresses', { AddressName: 'neighbour' })).AddressSet;
    await same(other.vpc('AssociateAddress', { AddressId: theirs, InstanceId: bmsId }), other.vpc('AssociateAddress', { AddressId: theirs, InstanceId: missing(bmsId) }), bmsId);
    await same(demo.vpc('AssociateAddress', { AddressId: theirs, InstanceId: bmsId }), demo.vpc('AssociateAddress', { AddressId: missing(theirs!), InstanceId: bmsId }), theirs!);
    assert.deepEqual((await addresses(other, { AddressIds: [eipA, eipB] })).AddressSet, []);
    assert.deepEqual((await addresses(other)).AddressSet.map((a) => a.AddressId), [theirs]);
    assert.deepEqual((await addresses(demo, { Filters: [{ Name: 'address-name', Values: ['neighbour'] }] })).TotalCount, 0);
    assert.equal((await eip(eipB))!.Bandwidth, 1, 'untouched');
    await other.vpc('ReleaseAddresses', { AddressIds: [theirs] });
  });

  it('a return without ReleaseAddress unbinds the EIP, which stays the tenant\'s', async () => {
    const ip = (await eip(eipA))!.AddressIp;
    await demo.bms('TerminateInstances', { InstanceIds: [bmsId] });
    await gone(bmsId);
    const a = (await eip(eipA))!;
    assert.deepEqual([a.AddressStatus, a.InstanceId, a.AddressIp], ['UNBIND', null, ip]);
    await demo.vpc('ReleaseAddresses', { AddressIds: [eipA, eipB] });
  });
});

describe('RunInstances with InternetAccessible', () => {
  it('bandwidth 0 with PublicIpAssigned, or above 1000 Mbps, is InvalidParameterValue naming the bandwidth', async () => {
    const before = [await count('instances'), await count('eips')];
    await code(demo.bms('RunInstances', { ...launchBase, InternetAccessible: { PublicIpAssigned: true } }), 'InvalidParameterValue', /InternetAccessible\.InternetMaxBandwidthOut/);
    await code(demo.bms('RunInstances', { ...launchBase, InternetAccessible: { InternetMaxBandwidthOut: 0, PublicIpAssigned: true } }),
      'InvalidParameterValue', /InternetAccessible\.InternetMaxBandwidthOut/);
    await code(demo.bms('RunInstances', { ...launchBase, InternetAccessible: { InternetMaxBandwidthOut: 1001 } }), 'InvalidParameterValue', /InternetAccessible\.InternetMaxBandwidthOut/);
    await code(demo.bms('RunInstances', { ...launchBase, InternetAccessible: { InternetMaxBandwidthOut: 5, InternetServiceProvider: 'XX' } }), 'InvalidParameterValue', /InternetServiceProvider/);
    assert.deepEqual([await count('instances'), await count('eips')], before);
  });

  it('not enough free addresses on the line: ResourceInsufficient, and nothing is half-created', async () => {
    const free = async () => Number((await server.store.db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('flavor_id', '=', flavorId).where('state', '=', 'available').executeTakeFirstOrThrow()).n);
    const before = [await count('instances'), await count('eips'), await free()];
    await code(demo.bms('RunInstances', { ...launchBase, InstanceCount: 2, InternetAccessible: { InternetMaxBandwidthOut: 5, InternetServiceProvider: 'CMCC' } }),
      'ResourceInsufficient', /1 free CMCC address.*2 are needed/);
    assert.deepEqual([await count('instances'), await count('eips'), await free()], before);
  });

  it('without a public IP when PublicIpAssigned is false or the bandwidth is 0', async () => {
    const ids = await launch({ InstanceCount: 2, InstanceName: 'no-public', InternetAccessible: { InternetMaxBandwidthOut: 10, PublicIpAssigned: false } });
    const [zero] = await launch({ InstanceName: 'zero', InternetAccessible: { InternetMaxBandwidthOut: 0 } });
    for (const id of [...ids, zero!]) assert.deepEqual((await settled(id, 'RUNNING'))!.PublicIpAddresses, []);
    await demo.bms('TerminateInstances', { InstanceIds: [...ids, zero] });
    for (const id of [...ids, zero!]) await gone(id);
  });

  let ids: string[];
  const publicIpOf = async (id: string) => (await addresses(demo, { Filters: [{ Name: 'instance-id', Values: [id] }] })).AddressSet;

  it('gives each instance its own EIP with the bandwidth and line asked for, bound to its primary address', async () => {
    ids = await launch({ InstanceCount: 2, InstanceName: 'public', InternetAccessible: { InternetMaxBandwidthOut: 10, InternetServiceProvider: 'CTCC' } });
    const seen = new Set<string>();
    for (const id of ids) {
      const inst = (await instance(id))!;
      const [a, more] = await publicIpOf(id);
      assert.equal(more, undefined);
      assert.deepEqual([a!.AddressStatus, a!.InternetServiceProvider, a!.Bandwidth, a!.PrivateAddressIp, a!.AddressName],
        ['BIND', 'CTCC', 10, inst.PrivateIpAddresses[0], id]);
      assert.deepEqual(inst.PublicIpAddresses, [a!.AddressIp]);
      seen.add(a!.AddressIp);
      await settled(id, 'RUNNING');
    }
    assert.equal(seen.size, 2);
  });

  it('the line defaults to BGP', async () => {
    const [id] = await launch({ InstanceName: 'bgp', InternetAccessible: { InternetMaxBandwidthOut: 3 } });
    const [a] = await publicIpOf(id!);
    assert.deepEqual([a!.InternetServiceProvider, a!.Bandwidth], ['BGP', 3]);
    ids.push(id!);
    await settled(id!, 'RUNNING');
  });

  it('a reinstall keeps the public IP', async () => {
    const [before] = await publicIpOf(ids[0]!);
    await demo.bms('ResetInstance', {
      InstanceId: ids[0], RaidType: launchBase.RaidType, OperatingSystemType: 'Linux', OperatingSystem: launchBase.OperatingSystem,
      LoginSettings: { Password: 'Reset#2026pw' },
    });
    const tasks = async () => (await demo.bms<{ TaskSet: Array<{ Action: string; Status: string }> }>('DescribeTasks', { InstanceIds: [ids[0]] })).TaskSet;
    await waitFor('reinstall done', tasks, (ts) => ts.some((t) => t.Action === 'ResetInstance' && t.Status === 'SUCCESS'));
    const inst = (await settled(ids[0]!, 'RUNNING'))!;
    const [after] = await publicIpOf(ids[0]!);
    assert.deepEqual(after, before);
    assert.deepEqual(inst.PublicIpAddresses, [before!.AddressIp]);
  });

  it('TerminateInstances unbinds, or with ReleaseAddress gives the EIPs back to the pool', async () => {
    const [kept] = await publicIpOf(ids[0]!);
    const [released] = await publicIpOf(ids[1]!);
    const [bgp] = await publicIpOf(ids[2]!);
    await demo.bms('TerminateInstances', { InstanceIds: [ids[0]] });
    await demo.bms('TerminateInstances', { InstanceIds: [ids[1], ids[2]], ReleaseAddress: true });
    for (const id of ids) await gone(id);
    const k = (await eip(kept!.AddressId))!;
    assert.deepEqual([k.AddressStatus, k.AddressIp, k.InstanceId], ['UNBIND', kept!.AddressIp, null]);
    assert.equal(await eip(released!.AddressId), undefined);
    assert.equal(await eip(bgp!.AddressId), undefined);
    const back = await pool([{ Name: 'status', Values: ['free'] }], 100);
    assert.ok(back.AddressSet.some((p) => p.Address === released!.AddressIp), 'the released address is free again');
    assert.ok(back.AddressSet.some((p) => p.Address === bgp!.AddressIp));
    await demo.vpc('ReleaseAddresses', { AddressIds: [kept!.AddressId] });
  });

  it('a failed launch gives its EIPs back at once; its instance takes no EIP', async () => {
    const servers = await server.store.db.selectFrom('servers').select('id').where('flavor_id', '=', flavorId).where('state', '=', 'available').execute();
    for (const s of servers) await server.sim.lab.injectFault(s.id, { kind: 'install-fails' });
    let id: string;
    try {
      [id] = (await launch({ InstanceName: 'doomed', InternetAccessible: { InternetMaxBandwidthOut: 4 } })) as [string];
      assert.equal((await publicIpOf(id)).length, 1);
      await settled(id, 'CREATE_FAILED');
      await waitFor('EIP released', () => publicIpOf(id), (a) => a.length === 0);
    } finally {
      for (const s of servers) await server.sim.lab.clearFaults(s.id);
    }
    assert.deepEqual((await instance(id))!.PublicIpAddresses, []);
    const [spare] = await allocate({ AddressName: 'spare' });
    await code(demo.vpc('AssociateAddress', { AddressId: spare, InstanceId: id }), 'UnsupportedOperation', /CREATE_FAILED.*RUNNING or STOPPED/);
    await demo.vpc('ReleaseAddresses', { AddressIds: [spare] });
    await demo.bms('TerminateInstances', { InstanceIds: [id] });
    await gone(id);
  });
});

describe('IPv6 (VirtualPrivateCloud.Ipv6Address)', () => {
  it('an instance in the demo VPC (which has an IPv6 block) gets an address of its subnet\'s /64, released on return', async () => {
    const { SubnetSet } = await demo.vpc<{ SubnetSet: Array<{ SubnetId: string; Ipv6CidrBlock: string }> }>('DescribeSubnets', {
      SubnetIds: [(launchBase.VirtualPrivateCloud as { SubnetId: string }).SubnetId] });
    const prefix = SubnetSet[0]!.Ipv6CidrBlock.replace(/::\/64$/, '::');
    assert.ok(prefix.endsWith('::'), SubnetSet[0]!.Ipv6CidrBlock);
    const [id] = await launch({ InstanceName: 'six', VirtualPrivateCloud: { ...(launchBase.VirtualPrivateCloud as object), Ipv6Address: true } });
    const inst = (await settled(id!, 'RUNNING'))!;
    assert.equal(inst.IPv6Addresses.length, 1);
    assert.ok(inst.IPv6Addresses[0]!.startsWith(prefix), `${inst.IPv6Addresses[0]} in ${SubnetSet[0]!.Ipv6CidrBlock}`);
    assert.equal(inst.VirtualPrivateCloud.Ipv6Address, true);
    assert.equal(inst.PrivateIpAddresses.length, 1, 'the IPv6 address is not listed among the private IPv4 addresses');
    const [plain] = await launch({ InstanceName: 'four' });
    const four = (await settled(plain!, 'RUNNING'))!;
    assert.deepEqual([four.IPv6Addresses, four.VirtualPrivateCloud.Ipv6Address], [[], false]);
    await demo.bms('TerminateInstances', { InstanceIds: [id, plain] });
    await gone(id!);
    await gone(plain!);
    const left = await server.store.db.selectFrom('ip_allocations').select('address').where('owner_id', '=', id!).execute();
    assert.deepEqual(left, [], 'its IPv6 address was released');
  });

  it('a VPC without an IPv6 block, or a subnet that got no /64 of it, is refused naming Ipv6Address', async () => {
    const { Vpc } = await demo.vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'six-64', CidrBlock: '172.20.0.0/16', Ipv6CidrBlock: 'fd00:0:0:900::/64' });
    const first = await demo.vpc<{ Subnet: { SubnetId: string; Ipv6CidrBlock: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'a', CidrBlock: '172.20.1.0/24', Zone: ZONE, IsBmsSubnet: true });
    const second = await demo.vpc<{ Subnet: { SubnetId: string; Ipv6CidrBlock: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'b', CidrBlock: '172.20.2.0/24', Zone: ZONE, IsBmsSubnet: true });
    assert.equal(first.Subnet.Ipv6CidrBlock, 'fd00:0:0:900::/64');
    assert.equal(second.Subnet.Ipv6CidrBlock, '', 'a /64 VPC has one /64 to give');
    const v4 = await demo.vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'four-only', CidrBlock: '172.21.0.0/16' });
    const v4Subnet = await demo.vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: v4.Vpc.VpcId, SubnetName: 'c', CidrBlock: '172.21.1.0/24', Zone: ZONE, IsBmsSubnet: true });
    const before = await count('instances');
    await code(demo.bms('RunInstances', { ...launchBase, VirtualPrivateCloud: { VpcId: v4.Vpc.VpcId, SubnetId: v4Subnet.Subnet.SubnetId, Ipv6Address: true } }),
      'InvalidParameterValue', /Ipv6Address.*no IPv6/);
    await code(demo.bms('RunInstances', { ...launchBase, VirtualPrivateCloud: { VpcId: Vpc.VpcId, SubnetId: second.Subnet.SubnetId, Ipv6Address: true } }),
      'InvalidParameterValue', /Ipv6Address.*no IPv6/);
    assert.equal(await count('instances'), before);
  });
});

describe('concurrent AllocateAddresses (SQLite, through the API)', () => {
  it('20 callers race for 10 addresses of a line: exactly 10 win, each address once', async () => {
    await ops('AddEipPoolAddresses', { Isp: 'CUCC', Addresses: Array.from({ length: 10 }, (_, i) => `198.51.100.${30 + i}`) });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
      demo.vpc<{ AddressSet: string[] }>('AllocateAddresses', { InternetServiceProvider: 'CUCC', AddressName: `racer-${i}` })));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.AddressSet : []));
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    assert.equal(won.length, 10, codes.join(','));
    assert.deepEqual([...new Set(codes)], ['ResourceInsufficient']);
    const { AddressSet } = await addresses(demo, { AddressIds: won, Limit: 100 });
    assert.equal(new Set(AddressSet.map((a) => a.AddressIp)).size, 10);
    await demo.vpc('ReleaseAddresses', { AddressIds: won });
  });
});

describe('the invariant checkers', () => {
  it('find nothing leaked after everything above', async () => {
    await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (x) => x.length === 0);
    assert.deepEqual(await checkEipInvariants(server.store.db), []);
    assert.deepEqual(await checkInvariants(server.store.db), []);
    assert.equal((await pool([{ Name: 'status', Values: ['used'] }])).TotalCount, 0, 'every EIP went back to the pool');
  });

  it('report planted leaks: an EIP bound to an instance that is gone, one mapped to an address its instance does not hold, one half bound', async () => {
    const [live] = await launch({ InstanceName: 'planted' });
    await settled(live!, 'RUNNING');
    const planted = await allocate({ AddressName: 'planted', AddressCount: 3 });
    const plant = (id: string, instanceId: string | null, privateIp: string | null) =>
      server.store.db.updateTable('eips').set({ instance_id: instanceId, private_ip: privateIp }).where('id', '=', id).execute();
    await plant(planted[0]!, 'bms-ghost000', '10.0.1.99');
    await plant(planted[1]!, live!, '10.0.1.250');
    await plant(planted[2]!, live!, null);
    try {
      const problems = (await checkEipInvariants(server.store.db)).sort();
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.match(problems.join('\n'), /bms-ghost000, which is not a live instance/);
      assert.match(problems.join('\n'), new RegExp(`maps to 10\\.0\\.1\\.250, which instance ${live} \\(RUNNING\\) does not hold`));
      assert.match(problems.join('\n'), /half bound/);
    } finally {
      for (const id of planted) await plant(id, null, null);
      await demo.vpc('ReleaseAddresses', { AddressIds: planted });
      await demo.bms('TerminateInstances', { InstanceIds: [live] });
      await gone(live!);
    }
    assert.deepEqual(await checkEipInvariants(server.store.db), []);
  });
});

// ---- allocation under contention at the repository: four PostgreSQL "nodes" collide on INSERT ----

function repositoryRace(backend: string, open: () => Promise<Store[]>, synchronise: boolean) {
  describe(`allocateEips under contention (${backend})`, () => {
    it('20 transactions wanting 2 EIPs each race for 9 addresses: 4 win, each address once, losers leave nothing', async () => {
      const stores = await open();
      try {
        const pool = Array.from({ length: 9 }, (_, i) => `203.0.113.${100 + i}`);
        await addPoolAddresses(stores[0]!.db, 'ap-test', 'BGP', pool, 1);
        await addPoolAddresses(stores[0]!.db, 'ap-test', 'CTCC', ['203.0.113.120'], 1);
        const wait = synchronise ? barrier(20) : async () => {};
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.transaction(async (tx) => {
          await sql`select 1`.execute(tx); // hold a connection, then start together
          await wait();
          return allocateEips(tx, {
            scope: { accountUin: `uin-${i % 3}`, region: 'ap-test' }, isp: 'BGP', bandwidth: 1, now: 1,
            eips: [{ id: `eip-race${String(i).padStart(2, '0')}a`, name: 'r' }, { id: `eip-race${String(i).padStart(2, '0')}b`, name: 'r' }],
          });
        })));
        const won = results.flatMap((r) => (r.ok ? r.eips.map((e) => e.address) : []));
        assert.equal(results.filter((r) => r.ok).length, 4);
        assert.equal(new Set(won).size, 8, 'an address was handed out twice');
        for (const r of results) if (!r.ok) assert.deepEqual(r, { ok: false, reason: 'exhausted', isp: 'BGP', wanted: 2, free: 1 });
        const rows = await stores[0]!.db.selectFrom('eips').select(['address', 'isp']).execute();
        assert.equal(rows.length, 8, 'the losers left nothing behind');
        assert.ok(rows.every((r) => r.isp === 'BGP' && pool.includes(r.address)), 'only the line asked for');
        assert.deepEqual(await checkEipInvariants(stores[0]!.db), []);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

// PostgreSQL first: its probe is a top-level await, and no test may start before it settles.
const freshSchemaUrl = schemaFactory();
await withPostgres('EIPs on PostgreSQL', () => {
  repositoryRace('postgres, 4 nodes', async () => {
    const url = freshSchemaUrl();
    const stores = [await openStore({ dataDir: tmpdir(), databaseUrl: url })];
    for (let i = 0; i < 3; i++) stores.push(await openStore({ dataDir: tmpdir(), databaseUrl: url }));
    return stores;
  }, true);

  describe('concurrent AllocateAddresses (PostgreSQL, through the API)', () => {
    let pg: Awaited<ReturnType<typeof world>>;
    before(async () => { pg = await world({ BMS_DATABASE_URL: freshSchemaUrl() }); });
    after(async () => pg?.server.stop());

    it('20 callers race for 10 addresses: exactly 10 win, each address once', async () => {
      await pg.ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/28' }); // 14 addresses
      await pg.demo.vpc('AllocateAddresses', { AddressCount: 4, AddressName: 'first' });
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
        pg.demo.vpc<{ AddressSet: string[] }>('AllocateAddresses', { AddressName: `racer-${i}` })));
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.AddressSet : []));
      const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
      assert.equal(won.length, 10, codes.join(','));
      assert.deepEqual([...new Set(codes)], ['ResourceInsufficient']);
      const { AddressSet } = await pg.demo.vpc<{ AddressSet: Address[] }>('DescribeAddresses', { Limit: 100 });
      assert.equal(AddressSet.length, 14);
      assert.equal(new Set(AddressSet.map((a) => a.AddressIp)).size, 14);
      assert.deepEqual(await checkEipInvariants(pg.server.store.db), []);
    });
  });
});

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true }))));
repositoryRace('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bms-eips-'));
  tempDirs.push(dir);
  return [await openStore({ dataDir: dir })];
}, false);
