/**
 * The `vpc` service (2017-03-12) through the front door: the official SDK's CommonClient with
 * every signature method over POST and GET, and raw signed requests (JSON, flattened GET, v1).
 * Every rule of CreateVpc / CreateSubnet / DeleteVpc / DeleteSubnet / Describe* with its exact
 * error code, live address counts, and tenant isolation between the demo tenant and a second
 * tenant (another tenant's VPC or subnet is ResourceNotFound, word for word as a missing one).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { upsertRegion, upsertZone } from '../src/store/repos/regions.ts';
import { allocateAddresses, releaseByOwner } from '../src/store/repos/ip-allocations.ts';
import { insertSubnet } from '../src/store/repos/subnets.ts';
import { insertVpc } from '../src/store/repos/vpcs.ts';
import { seedDemoNetwork } from '../src/services/vpc/seed-demo-network.ts';
import { VPC_SPEC, vpcService } from '../src/services/vpc-service.ts';
import { checkReferences } from '../src/spec/model.ts';
import { tc3Request, v1Request, type Creds, type Reply, type Tc3Options } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

delete process.env.http_proxy; // the SDK routes everything through it, loopback included
delete process.env.HTTP_PROXY;

const VERSION = '2017-03-12';
const ZONE = 'ap-guangzhou-1';
const ID = /^(vpc|subnet)-[0-9a-z]{8}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let server: TestServer;
let demo: Creds & { accountUin: string };
let other: Creds & { accountUin: string };
let target: { host: string; port: number };

before(async () => {
  // Many calls per second go to one action here; the gateway's rate limiting has its own tests.
  server = await startTestServer({}, { rateLimiter: { take: () => true } });
  demo = server.credentials.demo;
  target = { host: '127.0.0.1', port: server.edge.address.port };
  const { account, root } = await createAccountWithRoot(server.store.db, 'Second tenant', 'tenant', Date.now());
  const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
  other = { SecretId: key.secretId, SecretKey: key.secretKey, accountUin: account.uin };
});
after(async () => server.stop());

// ---- how the tests talk to the server ---------------------------------------------------------

let tick = 0;
/** A raw TC3 request to the vpc service; each gets its own timestamp, so no two are the same signed request. */
function call(creds: Creds, action: string, params: Record<string, unknown> = {}, o: Partial<Tc3Options> = {}): Promise<Reply> {
  return tc3Request(target, creds, {
    action, params, service: 'vpc', version: VERSION, timestamp: Math.floor(Date.now() / 1000) - (tick++ % 250), ...o,
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function ok(reply: Reply): Json {
  assert.equal(reply.status, 200);
  assert.equal(reply.json.Response.Error, undefined, `unexpected error: ${JSON.stringify(reply.json.Response.Error)}`);
  return reply.json.Response;
}

function fails(reply: Reply, code: string, message?: RegExp): string {
  const error = reply.json.Response.Error;
  assert.ok(error, `expected ${code}, got success ${reply.text.slice(0, 300)}`);
  assert.equal(error.Code, code, error.Message);
  if (message) assert.match(error.Message, message);
  return error.Message;
}

let names = 0;
const unique = (base: string) => `${base}-${++names}`;

async function createVpc(creds: Creds, extra: Record<string, unknown> = {}): Promise<Json> {
  return ok(await call(creds, 'CreateVpc', { VpcName: unique('vpc'), CidrBlock: '10.0.0.0/16', ...extra })).Vpc;
}

async function createSubnet(creds: Creds, vpcId: string, cidr: string, extra: Record<string, unknown> = {}): Promise<Json> {
  return ok(await call(creds, 'CreateSubnet', { VpcId: vpcId, SubnetName: unique('subnet'), CidrBlock: cidr, Zone: ZONE, ...extra })).Subnet;
}

type SignMethod = 'TC3-HMAC-SHA256' | 'HmacSHA256' | 'HmacSHA1';
function sdk(creds: Creds, signMethod: SignMethod, reqMethod: 'POST' | 'GET', language?: 'zh-CN') {
  const endpoint = `${target.host}:${target.port}`;
  return new CommonClient(endpoint, VERSION, {
    credential: { secretId: creds.SecretId, secretKey: creds.SecretKey },
    region: 'ap-guangzhou',
    profile: { signMethod, language, httpProfile: { protocol: 'http://', reqMethod, endpoint } },
  });
}

async function sdkError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  assert.fail('the call was expected to fail');
}

// ---- the spec -------------------------------------------------------------------------------------

it('the vpc spec has the SPEC §6 actions at 20 requests/s, Create*/Delete* mutating, all marked as extensions', () => {
  assert.deepEqual(Object.keys(VPC_SPEC.actions).sort(), [
    'AllocateAddresses', 'AssociateAddress', 'CreateSubnet', 'CreateVpc', 'DeleteSubnet', 'DeleteVpc', 'DescribeAddresses', 'DescribeSubnets',
    'DescribeVpcs', 'DisassociateAddress', 'ModifyAddressesBandwidth', 'ReleaseAddresses',
  ]);
  for (const [name, action] of Object.entries(VPC_SPEC.actions)) {
    assert.equal(action.rateLimit, 20, name);
    assert.equal(action.mutating, !name.startsWith('Describe'), name);
    assert.equal(action.origin, 'extension', name);
  }
  assert.deepEqual(checkReferences(VPC_SPEC), []);
  const handlers = vpcService(undefined as never).handlers;
  assert.deepEqual(Object.keys(handlers).sort(), Object.keys(VPC_SPEC.actions).sort());
  const input = (a: string, m: string) => VPC_SPEC.actions[a]!.input.find((x) => x.name === m);
  assert.equal(input('DescribeVpcs', 'Offset')?.type, 'String');
  assert.equal(input('DescribeSubnets', 'Limit')?.type, 'String');
  assert.equal(input('CreateVpc', 'EnableMulticast')?.type, 'String');
  assert.match(input('CreateVpc', 'Ipv6CidrBlock')?.documentEn ?? '', /\(extension\)/);
  assert.match(input('CreateSubnet', 'IsBmsSubnet')?.documentEn ?? '', /\(extension\)/);
});

// ---- the official SDK, every signature method, POST and GET ------------------------------------

for (const signMethod of ['TC3-HMAC-SHA256', 'HmacSHA256', 'HmacSHA1'] as const) {
  for (const reqMethod of ['POST', 'GET'] as const) {
    describe(`official SDK CommonClient (vpc ${VERSION}), ${signMethod} over ${reqMethod}`, () => {
      it('creates a VPC and a BMS subnet, lists them, and deletes them', async () => {
        const client = sdk(demo, signMethod, reqMethod);
        const name = unique(`sdk-${signMethod}-${reqMethod}`);
        const { Vpc } = (await client.request('CreateVpc', { VpcName: name, CidrBlock: '172.16.0.0/16', EnableMulticast: 'false' })) as Json;
        assert.match(Vpc.VpcId, ID);
        const { Subnet } = (await client.request('CreateSubnet', {
          VpcId: Vpc.VpcId.toUpperCase(), SubnetName: `${name}-s`, CidrBlock: '172.16.8.0/22', Zone: ZONE, IsBmsSubnet: true,
        })) as Json;
        assert.equal(Subnet.VpcId, Vpc.VpcId);
        assert.equal(Subnet.IsBmsSubnet, true);
        assert.equal(Subnet.TotalIpAddressCount, 1021);
        const listed = (await client.request('DescribeSubnets', {
          Filters: [{ Name: 'vpc-id', Values: [Vpc.VpcId] }, { Name: 'is-bms-subnet', Values: ['true'] }], Offset: '0', Limit: '10',
        })) as Json;
        assert.equal(listed.TotalCount, 1);
        assert.equal(listed.SubnetSet[0].SubnetId, Subnet.SubnetId);
        const vpcs = (await client.request('DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: [name.toUpperCase()] }] })) as Json;
        assert.deepEqual(vpcs.VpcSet.map((v: Json) => v.VpcId), [Vpc.VpcId]);
        const inUse = await sdkError(client.request('DeleteVpc', { VpcId: Vpc.VpcId }));
        assert.equal(inUse.code, 'ResourceInUse');
        assert.ok(inUse.message.includes(Subnet.SubnetId));
        await client.request('DeleteSubnet', { SubnetId: Subnet.SubnetId });
        // (the same signed DeleteVpc again within the second would be a replay: TC3 signs no nonce)
        await client.request('DeleteVpc', { VpcId: Vpc.VpcId.toUpperCase() });
        const gone = (await client.request('DescribeVpcs', { VpcIds: [Vpc.VpcId] })) as Json;
        assert.equal(gone.TotalCount, 0);
      });

      it('reports a bad CIDR as InvalidParameterValue naming CidrBlock', async () => {
        const e = await sdkError(sdk(demo, signMethod, reqMethod).request('CreateVpc', { VpcName: unique('bad'), CidrBlock: '10.0.0.1/16' }));
        assert.equal(e.code, 'InvalidParameterValue');
        assert.match(e.message, /CidrBlock.*10\.0\.0\.0\/16/);
      });
    });
  }
}

it('answers in Chinese when the SDK asks for zh-CN', async () => {
  const e = await sdkError(sdk(demo, 'TC3-HMAC-SHA256', 'POST', 'zh-CN').request('DeleteVpc', { VpcId: 'vpc-zzzzzzzz' }));
  assert.equal(e.code, 'ResourceNotFound');
  assert.match(e.message, /不存在/);
});

// ---- CreateVpc -----------------------------------------------------------------------------------

describe('CreateVpc', () => {
  it('returns the whole Tencent Vpc structure', async () => {
    const vpc = await createVpc(demo, { CidrBlock: '192.168.0.0/16' });
    assert.match(vpc.VpcId, ID);
    assert.match(vpc.CreatedTime, ISO);
    assert.deepEqual({ ...vpc, VpcId: 'x', CreatedTime: 'x', VpcName: 'x' }, {
      VpcName: 'x', VpcId: 'x', CidrBlock: '192.168.0.0/16', IsDefault: false, EnableMulticast: false, CreatedTime: 'x',
      DnsServerSet: [], DomainName: '', DhcpOptionsId: '', EnableDhcp: false, Ipv6CidrBlock: '', TagSet: [], AssistantCidrSet: [],
    });
  });

  it('takes an IPv6 /56 or /64 (extension) and stores it in canonical form', async () => {
    assert.equal((await createVpc(demo, { Ipv6CidrBlock: 'FD00:0000:0000:0200:0000:0000:0000:0000/56' })).Ipv6CidrBlock, 'fd00:0:0:200::/56');
    assert.equal((await createVpc(demo, { Ipv6CidrBlock: '2402:4e00:1:2::/64' })).Ipv6CidrBlock, '2402:4e00:1:2::/64');
  });

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['host bits set', { CidrBlock: '10.1.2.0/16' }, 'InvalidParameterValue', /CidrBlock.*host bits.*10\.1\.0\.0\/16/],
    ['a bad octet', { CidrBlock: '10.0.256.0/24' }, 'InvalidParameterValue', /CidrBlock.*not a CIDR/],
    ['no prefix', { CidrBlock: '10.0.0.0' }, 'InvalidParameterValue', /CidrBlock/],
    ['a prefix shorter than /12', { CidrBlock: '10.0.0.0/8' }, 'InvalidParameterValue', /CidrBlock.*\/12 to \/28/],
    ['a prefix longer than /28', { CidrBlock: '10.0.0.0/29' }, 'InvalidParameterValue', /CidrBlock.*\/12 to \/28/],
    ['a public block', { CidrBlock: '8.8.0.0/16' }, 'InvalidParameterValue', /CidrBlock.*private/],
    ['192.168.0.0 with a /12', { CidrBlock: '192.160.0.0/12' }, 'InvalidParameterValue', /CidrBlock.*private/],
    ['an IPv6 /48', { Ipv6CidrBlock: '2402:4e00::/48' }, 'InvalidParameterValue', /Ipv6CidrBlock.*\/56 or a \/64/],
    ['a link-local IPv6 block', { Ipv6CidrBlock: 'fe80::/64' }, 'InvalidParameterValue', /Ipv6CidrBlock.*global unicast/],
    ['IPv6 host bits', { Ipv6CidrBlock: 'fd00::1/64' }, 'InvalidParameterValue', /Ipv6CidrBlock.*fd00::\/64/],
    ['IPv6 nonsense', { Ipv6CidrBlock: 'fd00:::/64' }, 'InvalidParameterValue', /Ipv6CidrBlock/],
    ['multicast', { EnableMulticast: 'true' }, 'UnsupportedOperation', /multicast/],
    ['a multicast flag that is not true/false', { EnableMulticast: 'yes' }, 'InvalidParameterValue', /EnableMulticast/],
    ['DNS servers (not kept yet)', { DnsServers: ['10.0.0.2'] }, 'UnsupportedOperation', /DnsServers/],
    ['a domain name (not kept yet)', { DomainName: 'corp.example' }, 'UnsupportedOperation', /DomainName/],
    ['tags (not kept yet)', { Tags: [{ Key: 'team', Value: 'a' }] }, 'UnsupportedOperation', /Tags/],
    ['a name over 60 characters', { VpcName: 'x'.repeat(61) }, 'InvalidParameterValue', /VpcName/],
  ];
  for (const [what, params, code, message] of refused) {
    it(`refuses ${what} with ${code}`, async () => {
      fails(await call(demo, 'CreateVpc', { VpcName: unique('refused'), CidrBlock: '10.0.0.0/16', ...params }), code, message);
    });
  }

  it('allows 20 VPCs per account and region, then LimitExceeded', async () => {
    const { account, root } = await createAccountWithRoot(server.store.db, 'Quota tenant', 'tenant', Date.now());
    const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
    const creds = { SecretId: key.secretId, SecretKey: key.secretKey };
    for (let i = 0; i < 19; i++) {
      await insertVpc(server.store.db, {
        id: `vpc-quota${String(i).padStart(3, '0')}`, accountUin: account.uin, region: 'ap-guangzhou', name: `q${i}`, cidr: '10.0.0.0/16',
        ipv6Cidr: null, createdAt: Date.now(),
      });
    }
    await createVpc(creds);
    fails(await call(creds, 'CreateVpc', { VpcName: 'one-too-many', CidrBlock: '10.0.0.0/16' }), 'LimitExceeded', /at most 20 VPCs/);
  });
});

// ---- CreateSubnet ----------------------------------------------------------------------------------

describe('CreateSubnet', () => {
  let vpc: Json;
  let first: Json;
  before(async () => {
    vpc = await createVpc(demo, { CidrBlock: '10.20.0.0/16', Ipv6CidrBlock: 'fd00:0:0:300::/56' });
    first = await createSubnet(demo, vpc.VpcId, '10.20.1.0/24', { IsBmsSubnet: true });
  });

  it('returns the whole Tencent Subnet structure, with IsBmsSubnet and the first /64 of the VPC', async () => {
    assert.match(first.SubnetId, ID);
    assert.match(first.CreatedTime, ISO);
    assert.deepEqual({ ...first, SubnetId: 'x', CreatedTime: 'x', SubnetName: 'x' }, {
      VpcId: vpc.VpcId, SubnetId: 'x', SubnetName: 'x', CidrBlock: '10.20.1.0/24', IsDefault: false, EnableBroadcast: false, Zone: ZONE,
      RouteTableId: '', CreatedTime: 'x', AvailableIpAddressCount: 253, Ipv6CidrBlock: 'fd00:0:0:300::/64', NetworkAclId: '',
      IsRemoteVpcSnat: false, TotalIpAddressCount: 253, TagSet: [], IsBmsSubnet: true,
    });
  });

  it('gives the next subnet the next /64, and a /29 five usable addresses; IsBmsSubnet defaults to false', async () => {
    const second = await createSubnet(demo, vpc.VpcId, '10.20.2.0/29');
    assert.equal(second.Ipv6CidrBlock, 'fd00:0:0:301::/64');
    assert.equal(second.TotalIpAddressCount, 5);
    assert.equal(second.IsBmsSubnet, false);
  });

  it('a subnet of a VPC without IPv6 has no IPv6 block; a /64 VPC gives its one /64 to the first subnet only', async () => {
    const plain = await createVpc(demo);
    assert.equal((await createSubnet(demo, plain.VpcId, '10.0.0.0/24')).Ipv6CidrBlock, '');
    const single = await createVpc(demo, { Ipv6CidrBlock: '2402:4e00:1:3::/64' });
    assert.equal((await createSubnet(demo, single.VpcId, '10.0.0.0/24')).Ipv6CidrBlock, '2402:4e00:1:3::/64');
    assert.equal((await createSubnet(demo, single.VpcId, '10.0.1.0/24')).Ipv6CidrBlock, '');
  });

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a block outside the VPC', { CidrBlock: '10.21.0.0/24' }, 'InvalidParameterValue', /CidrBlock.*not inside the block 10\.20\.0\.0\/16/],
    ['a block larger than /16', { CidrBlock: '10.20.0.0/15' }, 'InvalidParameterValue', /CidrBlock/],
    ['a block smaller than /29', { CidrBlock: '10.20.9.0/30' }, 'InvalidParameterValue', /CidrBlock.*\/16 to \/29/],
    ['host bits', { CidrBlock: '10.20.9.1/24' }, 'InvalidParameterValue', /CidrBlock.*10\.20\.9\.0\/24/],
    ['an unknown zone', { Zone: 'ap-guangzhou-9' }, 'InvalidParameterValue', /Zone.*ap-guangzhou-9/],
    ['tags (not kept yet)', { Tags: [{ Key: 'k' }] }, 'UnsupportedOperation', /Tags/],
    ['a malformed VpcId', { VpcId: 'vpc-123' }, 'InvalidParameterValue', /VpcId/],
    ['a VpcId that does not exist', { VpcId: 'vpc-00000000' }, 'ResourceNotFound', /vpc-00000000/],
  ];
  for (const [what, params, code, message] of refused) {
    it(`refuses ${what} with ${code}`, async () => {
      fails(await call(demo, 'CreateSubnet', {
        VpcId: vpc.VpcId, SubnetName: unique('refused'), CidrBlock: '10.20.9.0/24', Zone: ZONE, ...params,
      }), code, message);
    });
  }

  it('refuses an overlap with InvalidParameterValue naming CidrBlock and the overlapping subnet', async () => {
    const message = fails(await call(demo, 'CreateSubnet', {
      VpcId: vpc.VpcId, SubnetName: unique('overlap'), CidrBlock: '10.20.0.0/20', Zone: ZONE,
    }), 'InvalidParameterValue', /CidrBlock/);
    assert.ok(message.includes(first.SubnetId), message);
    assert.ok(message.includes('10.20.1.0/24'), message);
  });

  it('refuses a zone of another region with InvalidParameterValue naming Zone', async () => {
    await upsertRegion(server.store.db, { region: 'ap-shanghai', name: '华东地区(上海)', nameEn: 'East China (Shanghai)', state: 'AVAILABLE' });
    await upsertZone(server.store.db, { zone: 'ap-shanghai-1', region: 'ap-shanghai', zoneId: 200001, name: '上海一区', nameEn: 'Shanghai Zone 1', state: 'AVAILABLE' });
    fails(await call(demo, 'CreateSubnet', { VpcId: vpc.VpcId, SubnetName: unique('z'), CidrBlock: '10.20.9.0/24', Zone: 'ap-shanghai-1' }),
      'InvalidParameterValue', /Zone.*ap-shanghai-1.*ap-guangzhou/);
    // …and from the other region the VPC is not there at all.
    fails(await call(demo, 'CreateSubnet', { VpcId: vpc.VpcId, SubnetName: unique('z'), CidrBlock: '10.20.9.0/24', Zone: 'ap-shanghai-1' },
      { region: 'ap-shanghai' }), 'ResourceNotFound');
    assert.equal(ok(await call(demo, 'DescribeVpcs', { VpcIds: [vpc.VpcId] }, { region: 'ap-shanghai' })).TotalCount, 0);
  });

  it('allows 100 subnets per VPC, then LimitExceeded', async () => {
    const crowded = await createVpc(demo, { CidrBlock: '10.30.0.0/16' });
    for (let i = 0; i < 99; i++) {
      await insertSubnet(server.store.db, {
        id: `subnet-crowd${String(i).padStart(3, '0')}`, accountUin: demo.accountUin, vpcId: crowded.VpcId, zone: ZONE, name: `c${i}`,
        cidr: `10.30.${i}.0/24`, ipv6Cidr: null, isBms: false, createdAt: Date.now(),
      });
    }
    await createSubnet(demo, crowded.VpcId, '10.30.200.0/24');
    fails(await call(demo, 'CreateSubnet', { VpcId: crowded.VpcId, SubnetName: 'too-many', CidrBlock: '10.30.201.0/24', Zone: ZONE }),
      'LimitExceeded', /maximum of 100 subnets/);
  });
});

// ---- deletion rules and live counts -----------------------------------------------------------------

describe('DeleteVpc and DeleteSubnet', () => {
  it('refuse while in use, count addresses live, and succeed once empty', async () => {
    const vpc = await createVpc(demo, { CidrBlock: '10.40.0.0/16' });
    const a = await createSubnet(demo, vpc.VpcId, '10.40.1.0/24', { IsBmsSubnet: true });
    const b = await createSubnet(demo, vpc.VpcId, '10.40.2.0/24');
    const inUse = fails(await call(demo, 'DeleteVpc', { VpcId: vpc.VpcId }), 'ResourceInUse', /2 subnet/);
    assert.ok(inUse.includes(a.SubnetId) && inUse.includes(b.SubnetId), inUse);

    const allocated = await server.store.transaction((tx) => allocateAddresses(
      tx, { id: a.SubnetId, cidr: a.CidrBlock, accountUin: demo.accountUin }, 3, { kind: 'primary', ownerId: 'bms-test0001' }, Date.now()));
    assert.deepEqual(allocated, { ok: true, addresses: ['10.40.1.2', '10.40.1.3', '10.40.1.4'] });
    const listed = ok(await call(demo, 'DescribeSubnets', { SubnetIds: [a.SubnetId] }));
    assert.equal(listed.SubnetSet[0].AvailableIpAddressCount, 250);
    assert.equal(listed.SubnetSet[0].TotalIpAddressCount, 253);
    fails(await call(demo, 'DeleteSubnet', { SubnetId: a.SubnetId }), 'ResourceInUse', /3 address/);

    await releaseByOwner(server.store.db, 'bms-test0001');
    ok(await call(demo, 'DeleteSubnet', { SubnetId: a.SubnetId.toUpperCase() }));
    ok(await call(demo, 'DeleteSubnet', { SubnetId: b.SubnetId }));
    fails(await call(demo, 'DeleteSubnet', { SubnetId: b.SubnetId }), 'ResourceNotFound', new RegExp(b.SubnetId));
    ok(await call(demo, 'DeleteVpc', { VpcId: vpc.VpcId }));
    fails(await call(demo, 'DeleteVpc', { VpcId: vpc.VpcId }), 'ResourceNotFound', new RegExp(vpc.VpcId));
    fails(await call(demo, 'DeleteVpc', { VpcId: 'subnet-00000000' }), 'InvalidParameterValue', /VpcId/);
  });
});

// ---- Describe* -----------------------------------------------------------------------------------------

describe('DescribeVpcs and DescribeSubnets', () => {
  let alpha: Json;
  let beta: Json;
  let subnets: Json[];
  before(async () => {
    alpha = await createVpc(demo, { VpcName: 'Describe-Alpha_1', CidrBlock: '10.50.0.0/16' });
    beta = await createVpc(demo, { VpcName: 'describe-beta%', CidrBlock: '10.51.0.0/16' });
    subnets = [
      await createSubnet(demo, alpha.VpcId, '10.50.1.0/24', { IsBmsSubnet: true, SubnetName: 'bms-alpha' }),
      await createSubnet(demo, alpha.VpcId, '10.50.2.0/24', { SubnetName: 'plain-alpha', Zone: 'ap-guangzhou-2' }),
      await createSubnet(demo, beta.VpcId, '10.51.1.0/24', { IsBmsSubnet: true, SubnetName: 'bms-beta' }),
    ];
  });

  const vpcIds = (r: Json) => r.VpcSet.map((v: Json) => v.VpcId);
  const subnetIds = (r: Json) => r.SubnetSet.map((s: Json) => s.SubnetId);

  it('finds VPCs by id (any case), fuzzy name, CIDR and is-default', async () => {
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', { VpcIds: [beta.VpcId.toUpperCase(), alpha.VpcId] }))), [alpha.VpcId, beta.VpcId]);
    const byName = ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['DESCRIBE-'] }] }));
    assert.deepEqual(vpcIds(byName), [alpha.VpcId, beta.VpcId]);
    assert.equal(byName.TotalCount, 2);
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['a_1'] }] }))), [alpha.VpcId]);
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['beta%'] }] }))), [beta.VpcId]);
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['%'] }] }))), [beta.VpcId]);
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', {
      Filters: [{ Name: 'cidr-block', Values: ['10.51.0.0/16', '10.99.0.0/16'] }, { Name: 'is-default', Values: ['false'] }],
    }))), [beta.VpcId]);
    assert.equal(ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'is-default', Values: ['TRUE'] }] })).TotalCount, 0);
    assert.deepEqual(vpcIds(ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-id', Values: [alpha.VpcId.toUpperCase()] }] }))), [alpha.VpcId]);
    assert.equal(ok(await call(demo, 'DescribeVpcs', { VpcIds: ['vpc-00000000'] })).TotalCount, 0);
  });

  it('pages with Offset and Limit given as strings, with an exact TotalCount', async () => {
    const all = ok(await call(demo, 'DescribeVpcs', { Limit: '100' }));
    assert.ok(all.TotalCount >= 2);
    assert.equal(all.VpcSet.length, Math.min(all.TotalCount, 100));
    const page = ok(await call(demo, 'DescribeVpcs', { Offset: '1', Limit: '1' }));
    assert.equal(page.TotalCount, all.TotalCount);
    assert.deepEqual(vpcIds(page), [all.VpcSet[1].VpcId]);
    assert.equal(ok(await call(demo, 'DescribeVpcs', { Offset: '100000' })).VpcSet.length, 0);
  });

  const refused: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ['Limit 0', 'DescribeVpcs', { Limit: '0' }, /Limit/],
    ['Limit 101', 'DescribeVpcs', { Limit: '101' }, /Limit/],
    ['a non-numeric Offset', 'DescribeSubnets', { Offset: 'ten' }, /Offset/],
    ['ids and filters together', 'DescribeVpcs', { VpcIds: ['vpc-00000000'], Filters: [{ Name: 'vpc-name', Values: ['x'] }] }, /VpcIds and Filters/],
    ['ids and filters together', 'DescribeSubnets', { SubnetIds: ['subnet-00000000'], Filters: [{ Name: 'zone', Values: ['x'] }] }, /SubnetIds and Filters/],
    ['a malformed id', 'DescribeVpcs', { VpcIds: ['vpc-00000000', 'nope'] }, /VpcIds\.1/],
    ['an unknown filter', 'DescribeVpcs', { Filters: [{ Name: 'tag-key', Values: ['x'] }] }, /Filters\.0\.Name/],
    ['six values in one filter', 'DescribeSubnets', { Filters: [{ Name: 'zone', Values: ['a', 'b', 'c', 'd', 'e', 'f'] }] }, /Filters\.0\.Values/],
    ['a non-boolean is-bms-subnet', 'DescribeSubnets', { Filters: [{ Name: 'zone', Values: [ZONE] }, { Name: 'is-bms-subnet', Values: ['yes'] }] }, /Filters\.1\.Values\.0/],
  ];
  for (const [what, action, params, message] of refused) {
    it(`${action} refuses ${what} with InvalidParameterValue`, async () => {
      fails(await call(demo, action, params), 'InvalidParameterValue', message);
    });
  }

  it('refuses numbers where Tencent types Offset/Limit as String', async () => {
    fails(await call(demo, 'DescribeVpcs', { Limit: 10 }), 'InvalidParameter', /Limit/);
  });

  it('finds subnets by VPC, zone, BMS flag, fuzzy name, CIDR and id', async () => {
    const [bmsAlpha, plainAlpha, bmsBeta] = subnets.map((s) => s.SubnetId);
    const q = async (Filters: Json[]) => subnetIds(ok(await call(demo, 'DescribeSubnets', { Filters })));
    assert.deepEqual(await q([{ Name: 'vpc-id', Values: [alpha.VpcId] }]), [bmsAlpha, plainAlpha]);
    assert.deepEqual(await q([{ Name: 'vpc-id', Values: [alpha.VpcId, beta.VpcId] }, { Name: 'is-bms-subnet', Values: ['true'] }]), [bmsAlpha, bmsBeta]);
    assert.deepEqual(await q([{ Name: 'vpc-id', Values: [alpha.VpcId] }, { Name: 'zone', Values: ['ap-guangzhou-2'] }]), [plainAlpha]);
    assert.deepEqual(await q([{ Name: 'subnet-name', Values: ['BMS-'] }, { Name: 'cidr-block', Values: ['10.51.1.0/24'] }]), [bmsBeta]);
    assert.deepEqual(await q([{ Name: 'subnet-id', Values: [bmsBeta!.toUpperCase()] }, { Name: 'is-default', Values: ['false'] }]), [bmsBeta]);
    assert.deepEqual(await q([{ Name: 'vpc-id', Values: [alpha.VpcId] }, { Name: 'is-default', Values: ['true'] }]), []);
  });

  it('takes flattened parameters over GET (TC3 and v1), Filters and string Offset/Limit included', async () => {
    const tc3Get = ok(await call(demo, 'DescribeSubnets', {
      Filters: [{ Name: 'vpc-id', Values: [alpha.VpcId] }, { Name: 'is-bms-subnet', Values: ['false'] }], Offset: '0', Limit: '5',
    }, { method: 'GET' }));
    assert.deepEqual(subnetIds(tc3Get), [subnets[1]!.SubnetId]);
    const v1Get = ok(await v1Request(target, demo, {
      action: 'DescribeVpcs', method: 'GET', version: VERSION, params: { VpcIds: [alpha.VpcId], Limit: '1' },
    }));
    assert.deepEqual(vpcIds(v1Get), [alpha.VpcId]);
    const created = ok(await v1Request(target, demo, {
      action: 'CreateSubnet', method: 'GET', version: VERSION, signatureMethod: 'HmacSHA1',
      params: { VpcId: beta.VpcId, SubnetName: unique('flat'), CidrBlock: '10.51.7.0/24', Zone: ZONE, IsBmsSubnet: 'true' },
    }));
    assert.equal(created.Subnet.IsBmsSubnet, true);
    const bad = await v1Request(target, demo, {
      action: 'CreateSubnet', method: 'POST', version: VERSION,
      params: { VpcId: beta.VpcId, SubnetName: unique('flat'), CidrBlock: '10.51.8.0/24', Zone: ZONE, IsBmsSubnet: 'maybe' },
    });
    fails(bad, 'InvalidParameter', /IsBmsSubnet/);
  });
});

// ---- tenant isolation ----------------------------------------------------------------------------------

describe('tenant isolation', () => {
  let mine: Json;
  let mySubnet: Json;
  before(async () => {
    mine = await createVpc(demo, { CidrBlock: '10.60.0.0/16' });
    mySubnet = await createSubnet(demo, mine.VpcId, '10.60.1.0/24');
  });

  /** The error of `other` acting on the demo tenant's resource, next to the one for an id nobody has. */
  async function sameAsMissing(action: string, params: (id: string) => Record<string, unknown>, realId: string, missingId: string) {
    const theirs = fails(await call(other, action, params(realId)), 'ResourceNotFound');
    const nobodys = fails(await call(other, action, params(missingId)), 'ResourceNotFound');
    assert.equal(theirs.replace(realId, '<id>'), nobodys.replace(missingId, '<id>'));
  }

  it("another tenant's VPC is ResourceNotFound, exactly like a VPC that does not exist", async () => {
    await sameAsMissing('DeleteVpc', (id) => ({ VpcId: id }), mine.VpcId, 'vpc-zzzz0000');
    await sameAsMissing('CreateSubnet', (id) => ({ VpcId: id, SubnetName: unique('intruder'), CidrBlock: '10.60.9.0/24', Zone: ZONE }),
      mine.VpcId, 'vpc-zzzz0001');
  });

  it("another tenant's subnet is ResourceNotFound, exactly like a subnet that does not exist", async () => {
    await sameAsMissing('DeleteSubnet', (id) => ({ SubnetId: id }), mySubnet.SubnetId, 'subnet-zzzz0000');
  });

  it("lists never show another tenant's VPCs or subnets, whatever the ids or filters", async () => {
    assert.equal(ok(await call(other, 'DescribeVpcs', { VpcIds: [mine.VpcId] })).TotalCount, 0);
    assert.equal(ok(await call(other, 'DescribeVpcs', { Filters: [{ Name: 'cidr-block', Values: ['10.60.0.0/16'] }] })).TotalCount, 0);
    assert.equal(ok(await call(other, 'DescribeSubnets', { SubnetIds: [mySubnet.SubnetId] })).TotalCount, 0);
    assert.equal(ok(await call(other, 'DescribeSubnets', { Filters: [{ Name: 'vpc-id', Values: [mine.VpcId] }] })).TotalCount, 0);
    const theirOwn = await createVpc(other, { CidrBlock: '10.60.0.0/16' });
    const list = ok(await call(other, 'DescribeVpcs', {}));
    assert.deepEqual(list.VpcSet.map((v: Json) => v.VpcId), [theirOwn.VpcId]);
    assert.ok(!ok(await call(demo, 'DescribeVpcs', { Limit: '100' })).VpcSet.some((v: Json) => v.VpcId === theirOwn.VpcId));
  });

  it("the demo tenant's VPC survives the other tenant's attempts", async () => {
    assert.equal(ok(await call(demo, 'DescribeVpcs', { VpcIds: [mine.VpcId] })).TotalCount, 1);
    assert.equal(ok(await call(demo, 'DescribeSubnets', { SubnetIds: [mySubnet.SubnetId] })).TotalCount, 1);
  });
});

// ---- the demo network --------------------------------------------------------------------------------

describe('seedDemoNetwork', () => {
  it('gives the demo tenant demo-vpc with one BMS subnet per zone, idempotently', async () => {
    const zones = ['ap-guangzhou-1', 'ap-guangzhou-2'];
    const seeded = await seedDemoNetwork(server.store, demo.accountUin, zones, Date.now());
    const again = await seedDemoNetwork(server.store, demo.accountUin, zones, Date.now());
    assert.deepEqual(again, seeded);
    const vpcs = ok(await call(demo, 'DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: ['demo-vpc'] }] }));
    assert.equal(vpcs.TotalCount, 1);
    assert.deepEqual([vpcs.VpcSet[0].VpcId, vpcs.VpcSet[0].CidrBlock, vpcs.VpcSet[0].Ipv6CidrBlock], [seeded.vpcId, '10.0.0.0/16', 'fd00:0:0:100::/56']);
    const subnets = ok(await call(demo, 'DescribeSubnets', { Filters: [{ Name: 'vpc-id', Values: [seeded.vpcId] }] }));
    const rows = subnets.SubnetSet.map((s: Json) => [s.SubnetId, s.SubnetName, s.Zone, s.CidrBlock, s.IsBmsSubnet, s.Ipv6CidrBlock]);
    assert.deepEqual(rows.sort((a: string[], b: string[]) => a[2]!.localeCompare(b[2]!)), [ // one `now`: created in the same millisecond
      [seeded.subnetIds['ap-guangzhou-1'], 'demo-bms-ap-guangzhou-1', 'ap-guangzhou-1', '10.0.1.0/24', true, 'fd00:0:0:100::/64'],
      [seeded.subnetIds['ap-guangzhou-2'], 'demo-bms-ap-guangzhou-2', 'ap-guangzhou-2', '10.0.2.0/24', true, 'fd00:0:0:101::/64'],
    ]);
    assert.equal(ok(await call(other, 'DescribeVpcs', { VpcIds: [seeded.vpcId] })).TotalCount, 0);
  });
});
