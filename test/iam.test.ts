/**
 * Identity and access control through the front door, with the official SDK: sub-users and
 * their keys (at most two, enable/disable/delete), CAM policies attached to them (a Describe*
 * policy lists but cannot launch; a deny on one instance refuses the whole batch and changes
 * nothing), temporary credentials (with and without their token, after expiry, narrowed by
 * their policy), the root-only rules of the cam service, tenant isolation of users, keys and
 * policies, the operator's tenant API, and no console password or SecretKey in the database.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { STEPS } from '../src/gateway/pipeline.ts';
import type { BootstrapCredential } from '../src/iam/bootstrap.ts';
import { CAM_SPEC, camService } from '../src/services/cam-service.ts';
import { STS_SPEC, stsService } from '../src/services/sts-service.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { tc3Request } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const CACHE_SECOND = 1_100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RESOURCE_STEP = STEPS.some(([name]) => name === 'authorize-resources')
  ? false
  : 'the authorize-resources step is not in STEPS yet (src/gateway/pipeline.ts: insert it right after decode-params)';

let server: TestServer;
let root: TestServer['credentials']['demo'];
let cam: Call;
let bms: Call;
const PASSWORD = 'Console#Pw2026x';
const secrets: string[] = [PASSWORD];

interface NewUser { Uin: number; Name: string; SecretId?: string; SecretKey?: string; Password?: string }

const credsOf = (SecretId: string, SecretKey: string): BootstrapCredential => ({ SecretId, SecretKey, Region: root.Region, Endpoint: root.Endpoint });

function tokenSdk(creds: BootstrapCredential, token: string | undefined, version = '2018-08-13'): Call {
  const client = new CommonClient(creds.Endpoint, version, {
    credential: { secretId: creds.SecretId, secretKey: creds.SecretKey, ...(token ? { token } : {}) },
    region: creds.Region,
    profile: { httpProfile: { protocol: 'http://', endpoint: creds.Endpoint } },
  });
  return (action, params = {}) => client.request(action, params) as never;
}

async function addUser(name: string, extra: Record<string, unknown> = {}): Promise<NewUser & { creds: BootstrapCredential }> {
  const u = await cam<NewUser>('AddUser', { Name: name, UseApi: 1, ...extra });
  secrets.push(u.SecretKey!);
  return { ...u, creds: credsOf(u.SecretId!, u.SecretKey!) };
}

async function policy(name: string, statement: unknown[]): Promise<number> {
  const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', { PolicyName: name, PolicyDocument: JSON.stringify({ version: '2.0', statement }) });
  return PolicyId;
}

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  root = server.credentials.demo;
  secrets.push(root.SecretKey);
  cam = sdk(root, 'cam');
  bms = sdk(root);
});
after(async () => server.stop());

describe('the cam and sts services', () => {
  it('have a handler for every action of their specs, and nothing else', () => {
    for (const [spec, service] of [[CAM_SPEC, camService({ store: undefined as never, box: undefined as never })], [STS_SPEC, stsService({ store: undefined as never, box: undefined as never })]] as const) {
      assert.deepEqual(Object.keys(service.handlers).sort(), Object.keys(spec.actions).sort());
    }
  });
});

describe('sub-users and policies', () => {
  let reader: NewUser & { creds: BootstrapCredential };
  let readerBms: Call;

  before(async () => {
    reader = await addUser('reader', { ConsoleLogin: 1, Password: PASSWORD, Remark: 'reads only' });
    readerBms = sdk(reader.creds);
  });

  it('root creates a sub-user with console login and a key pair; the password is never echoed', async () => {
    assert.match(String(reader.Uin), /^\d{12}$/);
    assert.match(reader.SecretId!, /^AKID/);
    assert.equal(reader.Password, undefined);
    const { Data } = await cam<{ Data: Array<{ Name: string; Uin: number; ConsoleLogin: number; Remark: string }> }>('ListUsers');
    assert.deepEqual(Data.map((u) => [u.Name, u.Uin, u.ConsoleLogin, u.Remark]), [['reader', reader.Uin, 1, 'reads only']]);
    const generated = await cam<NewUser>('AddUser', { Name: 'console-only', ConsoleLogin: 1 });
    assert.equal(generated.Password?.length, 32);
    secrets.push(generated.Password!);
    assert.equal(generated.SecretId, undefined);
  });

  it('a sub-user has no rights until a policy is attached', async () => {
    const e = await failure(readerBms('DescribeInstances', {}));
    assert.equal(e.code, 'AuthFailure.UnauthorizedOperation');
    assert.match(e.message, /bms:DescribeInstances/);
  });

  it('with bms:Describe* it lists, but RunInstances is AuthFailure.UnauthorizedOperation', async () => {
    const id = await policy('describe-only', [{ effect: 'allow', action: ['bms:Describe*'], resource: '*' }]);
    await cam('AttachUserPolicy', { PolicyId: id, AttachUin: reader.Uin });
    await sleep(CACHE_SECOND);
    const listed = await readerBms<{ TotalCount: number }>('DescribeInstances', {});
    assert.equal(typeof listed.TotalCount, 'number');
    await readerBms('DescribeZones', {});
    const e = await failure(readerBms('RunInstances', { Placement: { Zone: 'ap-guangzhou-1' } }));
    assert.equal(e.code, 'AuthFailure.UnauthorizedOperation');
    assert.match(e.message, /bms:RunInstances/);
    assert.equal((await failure(sdk(reader.creds, 'vpc')('DescribeVpcs', {}))).code, 'AuthFailure.UnauthorizedOperation');
    const { List } = await cam<{ TotalNum: number; List: Array<{ PolicyId: number; PolicyName: string }> }>('ListAttachedUserPolicies', { TargetUin: reader.Uin });
    assert.deepEqual(List.map((p) => p.PolicyId), [id]);
  });

  it('policies are listed, read, detached (rights gone within the cache second) and deleted', async () => {
    const id = await policy('zones-too', [{ effect: 'allow', action: 'bms:DescribeZones', resource: '*', condition: { string_equal: { 'qcs:region': [root.Region] } } }]);
    const listed = await cam<{ TotalNum: number; List: Array<{ PolicyId: number; PolicyName: string; Attachments: number }> }>('ListPolicies', { Keyword: 'zones' });
    assert.deepEqual(listed.List.map((p) => [p.PolicyId, p.PolicyName, p.Attachments]), [[id, 'zones-too', 0]]);
    assert.match((await cam<{ PolicyDocument: string }>('GetPolicy', { PolicyId: id })).PolicyDocument, /qcs:region/);
    assert.equal((await failure(cam('CreatePolicy', { PolicyName: 'zones-too', PolicyDocument: '{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}' }))).code, 'InvalidParameterValue');
    const [describeOnly] = (await cam<{ List: Array<{ PolicyId: number }> }>('ListAttachedUserPolicies', { TargetUin: reader.Uin })).List;
    await cam('DetachUserPolicy', { PolicyId: describeOnly!.PolicyId, DetachUin: reader.Uin });
    await sleep(CACHE_SECOND);
    assert.equal((await failure(readerBms('DescribeInstances', {}))).code, 'AuthFailure.UnauthorizedOperation');
    await cam('AttachUserPolicy', { PolicyId: describeOnly!.PolicyId, AttachUin: reader.Uin });
    await cam('DeletePolicy', { PolicyId: [id] });
    assert.equal((await failure(cam('GetPolicy', { PolicyId: id }))).code, 'ResourceNotFound');
    assert.equal((await failure(cam('DeletePolicy', { PolicyId: [describeOnly!.PolicyId, id] }))).code, 'ResourceNotFound');
    await cam('GetPolicy', { PolicyId: describeOnly!.PolicyId });
    await sleep(CACHE_SECOND);
    await readerBms('DescribeInstances', {});
  });

  it('a policy document with a mistake is InvalidParameterValue naming the spot', async () => {
    const e = await failure(cam('CreatePolicy', { PolicyName: 'broken', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: 'bms Describe', resource: '*' }] }) }));
    assert.equal(e.code, 'InvalidParameterValue');
    assert.match(e.message, /PolicyDocument.*statement\[0\]\.action/);
  });

  it('a sub-user cannot manage users, policies or another user\'s keys, but manages its own keys', async () => {
    const other = await addUser('other');
    for (const [action, params] of [
      ['AddUser', { Name: 'sneaky' }], ['ListUsers', {}], ['CreatePolicy', { PolicyName: 'p', PolicyDocument: '{}' }],
      ['ListAccessKeys', { TargetUin: other.Uin }], ['CreateAccessKey', { TargetUin: other.Uin }],
      ['UpdateAccessKey', { AccessKeyId: other.SecretId, Status: 'Inactive' }], ['DeleteAccessKey', { AccessKeyId: other.SecretId }],
    ] as const) {
      const e = await failure(sdk(reader.creds, 'cam')(action, params));
      assert.equal(e.code, 'AuthFailure.UnauthorizedOperation', action);
    }
    const own = await sdk(reader.creds, 'cam')<{ AccessKeys: Array<{ AccessKeyId: string; Status: string }> }>('ListAccessKeys', {});
    assert.deepEqual(own.AccessKeys.map((k) => [k.AccessKeyId, k.Status]), [[reader.SecretId, 'Active']]);
    await sdk(other.creds)('DescribeZones', {}).then(() => assert.fail('other has no policy'), (e: { code: string }) => assert.equal(e.code, 'AuthFailure.UnauthorizedOperation'));
  });

  it('at most two keys per user (LimitExceeded), enabled, disabled and deleted within the cache second', async () => {
    const readerCam = sdk(reader.creds, 'cam');
    const { AccessKey } = await readerCam<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string } }>('CreateAccessKey', {});
    secrets.push(AccessKey.SecretAccessKey);
    assert.equal(AccessKey.Status, 'Active');
    assert.equal((await failure(readerCam('CreateAccessKey', { TargetUin: reader.Uin }))).code, 'LimitExceeded'); // (another body: the same signed call twice in one second is a replay)
    assert.equal((await failure(cam('CreateAccessKey', { TargetUin: reader.Uin }))).code, 'LimitExceeded');

    const second = sdk(credsOf(AccessKey.AccessKeyId, AccessKey.SecretAccessKey));
    await second('DescribeZones', {});
    await cam('UpdateAccessKey', { AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive', TargetUin: reader.Uin });
    await sleep(CACHE_SECOND);
    assert.equal((await failure(second('DescribeZones', {}))).code, 'AuthFailure.SecretIdNotFound');
    await readerCam('UpdateAccessKey', { AccessKeyId: AccessKey.AccessKeyId, Status: 'Active' });
    await sleep(CACHE_SECOND);
    await second('DescribeZones', {});
    await readerCam('DeleteAccessKey', { AccessKeyId: AccessKey.AccessKeyId });
    await sleep(CACHE_SECOND);
    assert.equal((await failure(second('DescribeZones', {}))).code, 'AuthFailure.SecretIdNotFound');
  });

  it('every new SecretKey is recorded as a secret read', async () => {
    const rows = await server.store.db.selectFrom('secret_reads').selectAll().where('kind', '=', 'api-key').execute();
    assert.ok(rows.some((r) => r.resource_id === reader.SecretId && r.secret_id === root.SecretId));
  });

  it('DeleteUser refuses while keys remain unless Force=1; the deleted user\'s key stops', async () => {
    const temp = await addUser('short-lived');
    assert.equal((await failure(cam('DeleteUser', { Name: 'short-lived' }))).code, 'ResourceInUse');
    await cam('DeleteUser', { Name: 'short-lived', Force: 1 });
    assert.equal((await failure(cam('GetUser', { Name: 'short-lived' }))).code, 'ResourceNotFound.UserNotExist');
    await sleep(CACHE_SECOND);
    assert.equal((await failure(sdk(temp.creds)('DescribeZones', {}))).code, 'AuthFailure.SecretIdNotFound');
  });
});

describe('batch authorization', () => {
  let ids: string[];
  let operatorUser: NewUser & { creds: BootstrapCredential };

  before(async () => {
    const zone = 'ap-guangzhou-1';
    const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
    const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
    const { SubnetSet } = await sdk(root, 'vpc')<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', {});
    const subnet = SubnetSet.find((s) => s.Zone === zone && s.IsBmsSubnet)!;
    const launched = await bms<{ BmsId: string[] }>('RunInstances', {
      Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Batch#Auth2026' },
      RaidType: flavor.RaidType[0], InstanceName: 'iam-batch', InstanceCount: 2, Tags: [{ TagKey: 'env', TagValue: 'dev' }],
    });
    ids = launched.BmsId;
    for (const id of ids) await waitFor(`${id} RUNNING`, () => statusOf(id), (s) => s === 'RUNNING');
    operatorUser = await addUser('ops');
    const id = await policy('all-but-one', [
      { effect: 'allow', action: 'bms:*', resource: '*' },
      { effect: 'deny', action: ['bms:Stop*', 'bms:DescribeInstances'], resource: `qcs::bms::uin/${root.accountUin}:instance/${ids[0]!.toUpperCase()}` },
    ]);
    await cam('AttachUserPolicy', { PolicyId: id, AttachUin: operatorUser.Uin });
  });

  const statusOf = async (id: string) =>
    (await bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0]?.Status ?? '(gone)';

  it('a deny on one instance refuses the whole batch, naming it, and nothing changes', { skip: RESOURCE_STEP }, async () => {
    const ops = sdk(operatorUser.creds);
    const e = await failure(ops('StopInstances', { InstanceIds: [ids[1], ids[0]] }));
    assert.equal(e.code, 'AuthFailure.UnauthorizedOperation');
    assert.ok(e.message.includes(`bms:StopInstances`) && e.message.includes(`instance/${ids[0]}`), e.message);
    assert.deepEqual([await statusOf(ids[0]!), await statusOf(ids[1]!)], ['RUNNING', 'RUNNING']);
    await ops('StopInstances', { InstanceIds: [ids[1]] });
    assert.notEqual(await statusOf(ids[1]!), 'RUNNING');
    assert.equal(await statusOf(ids[0]!), 'RUNNING');
  });

  it('the deny covers only its instance: listing without ids, and the other instance, stay allowed', { skip: RESOURCE_STEP }, async () => {
    const ops = sdk(operatorUser.creds);
    assert.equal((await failure(ops('DescribeInstances', { InstanceIds: [ids[0]] }))).code, 'AuthFailure.UnauthorizedOperation');
    const other = await ops<{ TotalCount: number }>('DescribeInstances', { InstanceIds: [ids[1]] });
    assert.equal(other.TotalCount, 1);
    await ops('DescribeInstances', {});
    await ops('ModifyInstancesAttribute', { InstanceIds: [ids[0]], InstanceName: 'renamed-by-ops' });
  });

  it('a resource-tag condition is decided on the instance\'s tags', { skip: RESOURCE_STEP }, async () => {
    const tagged = await addUser('tagged');
    const id = await policy('by-tag', [
      { effect: 'allow', action: 'bms:DescribeInstances', resource: '*', condition: { string_like: { 'qcs:resource_tag/env': 'd*' } } },
      { effect: 'allow', action: 'bms:ModifyInstancesAttribute', resource: '*', condition: { string_equal: { 'qcs:resource_tag/env': 'prod' } } },
    ]);
    await cam('AttachUserPolicy', { PolicyId: id, AttachUin: tagged.Uin });
    const as = sdk(tagged.creds);
    assert.equal((await as<{ TotalCount: number }>('DescribeInstances', { InstanceIds: [ids[1]] })).TotalCount, 1);
    const e = await failure(as('ModifyInstancesAttribute', { InstanceIds: [ids[1]], InstanceName: 'not-prod' }));
    assert.equal(e.code, 'AuthFailure.UnauthorizedOperation');
  });
});

describe('temporary credentials', () => {
  let tmp: { Credentials: { Token: string; TmpSecretId: string; TmpSecretKey: string }; ExpiredTime: number; Expiration: string };

  before(async () => {
    tmp = await sdk(root, 'sts')('GetFederationToken', {
      Name: 'ci-job', DurationSeconds: 900,
      Policy: encodeURIComponent(JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: 'bms:DescribeInstances', resource: '*' }] })),
    });
    secrets.push(tmp.Credentials.TmpSecretKey, tmp.Credentials.Token);
  });

  const tmpCreds = () => credsOf(tmp.Credentials.TmpSecretId, tmp.Credentials.TmpSecretKey);

  it('work with their token, within their policy', async () => {
    assert.ok(Math.abs(tmp.ExpiredTime - (Date.now() / 1000 + 900)) < 30);
    assert.equal(new Date(tmp.Expiration).getTime() / 1000, tmp.ExpiredTime);
    await tokenSdk(tmpCreds(), tmp.Credentials.Token)('DescribeInstances', {});
    const e = await failure(tokenSdk(tmpCreds(), tmp.Credentials.Token)('DescribeZones', {}));
    assert.equal(e.code, 'AuthFailure.UnauthorizedOperation');
  });

  it('never reach cam or sts', async () => {
    assert.equal((await failure(tokenSdk(tmpCreds(), tmp.Credentials.Token, '2019-01-16')('ListAccessKeys', {}))).code, 'AuthFailure.UnauthorizedOperation');
  });

  it('fail with AuthFailure.TokenFailure without the token, and after expiry', async () => {
    assert.equal((await failure(tokenSdk(tmpCreds(), undefined)('DescribeInstances', {}))).code, 'AuthFailure.TokenFailure');
    const target = { host: server.edge.address.host, port: server.edge.address.port };
    const creds = { SecretId: tmp.Credentials.TmpSecretId, SecretKey: tmp.Credentials.TmpSecretKey };
    server.skew.ms = 901_000;
    try {
      const reply = await tc3Request(target, creds, { action: 'DescribeInstances', token: tmp.Credentials.Token, timestamp: Math.floor((Date.now() + server.skew.ms) / 1000) });
      assert.equal(reply.json.Response.Error?.Code, 'AuthFailure.TokenFailure');
    } finally {
      server.skew.ms = 0;
    }
  });

  it('a sub-user needs sts:GetFederationToken granted, and its tokens carry only its rights', async () => {
    const u = await addUser('federated');
    assert.equal((await failure(sdk(u.creds, 'sts')('GetFederationToken', { Name: 'nope' }))).code, 'AuthFailure.UnauthorizedOperation');
    const id = await policy('sts-and-zones', [{ effect: 'allow', action: ['sts:GetFederationToken', 'bms:DescribeZones'], resource: '*' }]);
    await cam('AttachUserPolicy', { PolicyId: id, AttachUin: u.Uin });
    await sleep(CACHE_SECOND);
    const t = await sdk(u.creds, 'sts')<typeof tmp>('GetFederationToken', { Name: 'job' });
    secrets.push(t.Credentials.TmpSecretKey);
    const as = tokenSdk(credsOf(t.Credentials.TmpSecretId, t.Credentials.TmpSecretKey), t.Credentials.Token);
    await as('DescribeZones', {});
    assert.equal((await failure(as('DescribeInstances', {}))).code, 'AuthFailure.UnauthorizedOperation');
  });
});

describe('tenant isolation and the operator API', () => {
  let other: BootstrapCredential;
  let victim: NewUser & { creds: BootstrapCredential };
  let victimPolicy: number;
  const ops = () => sdk(server.credentials.operator, 'bmsops');

  before(async () => {
    const t = await ops()<{ OwnerUin: string; AppId: number; Uuid: string; SecretId: string; SecretKey: string }>('CreateTenant', { Name: 'Tenant B' });
    secrets.push(t.SecretKey);
    assert.match(t.OwnerUin, /^\d{12}$/);
    other = credsOf(t.SecretId, t.SecretKey);
    victim = await addUser('victim');
    victimPolicy = await policy('victim-policy', [{ effect: 'allow', action: '*', resource: '*' }]);
  });

  it('another tenant\'s users, keys and policies are ResourceNotFound, and stay unchanged', async () => {
    const b = sdk(other, 'cam');
    for (const [action, params] of [
      ['ListAccessKeys', { TargetUin: victim.Uin }], ['CreateAccessKey', { TargetUin: victim.Uin }],
      ['UpdateAccessKey', { AccessKeyId: victim.SecretId, Status: 'Inactive' }], ['DeleteAccessKey', { AccessKeyId: victim.SecretId }],
      ['AttachUserPolicy', { PolicyId: victimPolicy, AttachUin: victim.Uin }], ['GetPolicy', { PolicyId: victimPolicy }],
      ['DeletePolicy', { PolicyId: [victimPolicy] }], ['ListAttachedUserPolicies', { TargetUin: victim.Uin }], ['GetUser', { Name: 'victim' }],
    ] as const) {
      const e = await failure(b(action, params));
      assert.match(e.code, /^ResourceNotFound(\.UserNotExist)?$/, action); // a user named: Tencent's ResourceNotFound.UserNotExist
      if (action === 'GetUser' || action === 'ListAttachedUserPolicies') assert.equal(e.code, 'ResourceNotFound.UserNotExist', action);
    }
    const keys = await cam<{ AccessKeys: Array<{ Status: string }> }>('ListAccessKeys', { TargetUin: victim.Uin });
    assert.deepEqual(keys.AccessKeys.map((k) => k.Status), ['Active']);
    await cam('GetPolicy', { PolicyId: victimPolicy });
  });

  it('the operator lists tenants and manages any tenant\'s users and keys; tenants cannot call it', async () => {
    const { TenantSet } = await ops()<{ TenantSet: Array<{ OwnerUin: string }> }>('DescribeTenants', { OwnerUins: [root.accountUin] });
    assert.deepEqual(TenantSet.map((t) => t.OwnerUin), [root.accountUin]);
    const { UserSet } = await ops()<{ UserSet: Array<{ Name: string; IsRoot: boolean; AccessKeys: unknown[] }> }>('DescribeTenantUsers', { OwnerUin: root.accountUin });
    assert.equal(UserSet[0]!.IsRoot, true);
    assert.ok(UserSet.some((u) => u.Name === 'victim'));
    await ops()('UpdateTenantAccessKey', { OwnerUin: root.accountUin, AccessKeyId: victim.SecretId, Status: 'Inactive' });
    const created = await ops()<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>('CreateTenantAccessKey', { OwnerUin: root.accountUin, UserUin: victim.Uin });
    secrets.push(created.AccessKey.SecretAccessKey);
    assert.equal((await failure(ops()('CreateTenantAccessKey', { OwnerUin: ` ${root.accountUin}`, UserUin: victim.Uin }))).code, 'LimitExceeded');
    assert.equal((await failure(ops()('DeleteTenantAccessKey', { OwnerUin: server.credentials.operator.accountUin, AccessKeyId: victim.SecretId }))).code, 'ResourceNotFound');
    await ops()('DeleteTenantUser', { OwnerUin: root.accountUin, UserUin: victim.Uin });
    assert.equal((await failure(cam('GetUser', { Name: 'victim' }))).code, 'ResourceNotFound.UserNotExist');
    assert.equal((await failure(sdk(root, 'bmsops')('DescribeTenants', {}))).code, 'AuthFailure.UnauthorizedOperation');
  });
});

describe('secrets at rest', () => {
  it('no console password, SecretKey or token is in the database file in clear', () => {
    const files = readdirSync(server.dataDir).filter((f) => f.startsWith('bms.sqlite')).map((f) => readFileSync(join(server.dataDir, f)));
    assert.ok(files.length > 0);
    for (const secret of secrets) {
      for (const bytes of files) assert.equal(bytes.includes(Buffer.from(secret, 'utf8')), false, `a secret (${secret.slice(0, 3)}…) is in the database in clear`);
    }
  });
});
