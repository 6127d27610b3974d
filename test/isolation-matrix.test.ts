/**
 * The isolation matrix, generated from the specs: for every action of every tenant service,
 * tenant B sends a request that names tenant A's resources (every id-like parameter filled with
 * A's id of that kind, the other required parameters with valid values). B gets
 * ResourceNotFound — worded exactly as for an id that never existed — or, for a lookup by ids,
 * an empty list. Afterwards A's resources are exactly as before.
 *
 * An action that names no existing resource (Create*, plain lists) cannot reach A's
 * resources; it is listed as such, and a new action that is neither is a failure here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { serviceSpecSchema, type Member, type ServiceSpec } from '../src/spec/model.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import bmsJson from '../src/spec/bms.json' with { type: 'json' };
import vpcJson from '../src/spec/vpc.json' with { type: 'json' };
import camJson from '../src/spec/cam.json' with { type: 'json' };
import stsJson from '../src/spec/sts.json' with { type: 'json' };
import auditJson from '../src/spec/audit.json' with { type: 'json' };
import monitorJson from '../src/spec/monitor.json' with { type: 'json' };
import tagJson from '../src/spec/tag.json' with { type: 'json' };
import billJson from '../src/spec/bill.json' with { type: 'json' };

const SPECS = {
  bms: serviceSpecSchema.parse(bmsJson), vpc: serviceSpecSchema.parse(vpcJson), cam: serviceSpecSchema.parse(camJson),
  sts: serviceSpecSchema.parse(stsJson), audit: serviceSpecSchema.parse(auditJson), tag: serviceSpecSchema.parse(tagJson),
  monitor: serviceSpecSchema.parse(monitorJson),
  bill: serviceSpecSchema.parse(billJson),
} as const;
type Svc = keyof typeof SPECS;

/** Actions that name no existing resource of anyone: nothing of A's to reach. */
const NO_FOREIGN_ID = new Set([
  'bms.CreateDisasterRecoverGroup', 'bms.CreateHeartbeat', 'bms.DescribeRegions', 'bms.DescribeZones', 'bms.InquiryPriceBmsInstanceForTrade',
  'vpc.CreateVpc', 'vpc.AllocateAddresses', 'cam.AddUser', 'cam.ListUsers', 'cam.CreatePolicy', 'cam.ListPolicies', 'cam.CreateAccessKey', 'cam.ListAccessKeys',
  'sts.GetFederationToken', 'audit.LookUpEvents', 'monitor.DescribeBaseMetrics',
  'monitor.DescribeAlarmPolicies',
  // The tag catalogue is the caller's own list of (key, value) pairs: nothing of A's is named
  // (B deleting a key A also has is ResourceNotFound.TagNonExist: test/tag-service.test.ts).
  'tag.CreateTag', 'tag.DeleteTag', 'tag.DescribeTags', 'tag.DescribeTagKeys', 'tag.DescribeTagValues',
  // bill: the caller's own account's money and bills (PayerUin, when given, must be the caller's)
  'bill.DescribeUserAccount', 'bill.DescribeAccountWater', 'bill.DescribeBillSummaryByProduct', 'bill.DescribeBillSummaryByResource',
  'bill.DescribeBillSummaryByRegion', 'bill.DescribeBillSummaryByTag', 'bill.DescribeBillFeeTrend', 'bill.DescribeBillDownloadList',
  'bill.CreateWarning', 'bill.DescribeWarning',
]);

let server: TestServer;
let a: Record<string, Call>;
let b: Record<string, Call>;
const ids: Record<string, unknown> = {};

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  a = { bms: sdk(server.credentials.demo), vpc: sdk(server.credentials.demo, 'vpc'), cam: sdk(server.credentials.demo, 'cam'), tag: sdk(server.credentials.demo, 'tag') };
  const ops = sdk(server.credentials.operator, 'bmsops');
  await ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/28' });
  const zone = 'ap-guangzhou-1';
  const { FlavorSet } = await a.bms!<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }> }>('DescribeFlavors', {});
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === zone)!;
  ids.flavor = FlavorSet.find((f) => f.UserDefined)!.FlavorId; // A's own user-defined flavor
  const { Vpc } = await a.vpc!<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'a-private', CidrBlock: '10.50.0.0/16' });
  const { Subnet } = await a.vpc!<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'a', CidrBlock: '10.50.1.0/24', Zone: zone, IsBmsSubnet: true });
  Object.assign(ids, { vpc: Vpc.VpcId, subnet: Subnet.SubnetId });
  ids.group = (await a.bms!<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'a-group', Type: 'RACK' })).GroupId;
  ids.heartbeat = (await a.bms!<{ HeartbeatId: string }>('CreateHeartbeat', { Name: 'a-hb' })).HeartbeatId;
  const run = await a.bms!<{ BmsId: string[]; TaskId: string[] }>('RunInstances', {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: Vpc.VpcId, SubnetId: Subnet.SubnetId }, LoginSettings: { Password: 'Isolate#2026pw' }, RaidType: flavor.RaidType[0],
    InstanceName: 'a-instance', GroupId: ids.group,
  });
  ids.instance = run.BmsId[0];
  ids.resource = `qcs::bms:${server.credentials.demo.Region}:uin/${server.credentials.demo.accountUin}:instance/${ids.instance}`;
  ids.task = run.TaskId[0];
  await waitFor('A running', () => a.bms!<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: run.BmsId }), (r) => r.InstanceSet[0]?.Status === 'RUNNING');
  await a.bms!('ModifyHeartbeat', { InstanceIds: run.BmsId, HeartbeatId: ids.heartbeat });
  ids.backupIp = (await a.bms!<{ BackupIP: string }>('CreateBackupIP', { InstanceId: ids.instance })).BackupIP;
  ids.vip = (await a.bms!<{ Vip: string }>('CreateOutbandIP', { InstanceId: ids.instance, VpcId: Vpc.VpcId, SubnetId: Subnet.SubnetId })).Vip;
  ids.eip = (await a.vpc!<{ AddressSet: string[] }>('AllocateAddresses', {})).AddressSet[0];
  await a.tag!('AddResourceTag', { TagKey: 'env', TagValue: 'a', Resource: ids.resource });
  await a.tag!('AddResourceTag', { TagKey: 'env', TagValue: 'a', Resource: `qcs::vpc:${server.credentials.demo.Region}::eip/${ids.eip}` });
  ids.disk = (await a.bms!<{ DiskSet: Array<{ DiskId: string }> }>('DescribeDisks', { Filters: [{ Name: 'instance-id', Values: [ids.instance as string] }] })).DiskSet[0]!.DiskId;
  const user = await a.cam!<{ Uin: number; Name: string; SecretId: string }>('AddUser', { Name: 'a-user', UseApi: 1 });
  const { PolicyId } = await a.cam!<{ PolicyId: number }>('CreatePolicy', {
    PolicyName: 'a-policy', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: 'bms:Describe*', resource: '*' }] }),
  });
  await a.cam!('AttachUserPolicy', { PolicyId, AttachUin: user.Uin });
  Object.assign(ids, { userUin: user.Uin, userName: user.Name, accessKey: user.SecretId, policy: PolicyId });
  ids.alarmPolicy = (await sdk(server.credentials.demo, 'monitor')<{ PolicyId: string }>('CreateAlarmPolicy', {
    Module: 'monitor', PolicyName: 'a-alarm', MonitorType: 'MT_QCE', Namespace: 'QCE/BMS', InstanceIds: [ids.instance],
    Condition: { Rules: [{ MetricName: 'CpuUsage', Period: 60, Operator: 'gt', Value: '80' }] },
  })).PolicyId;
  await waitFor('tasks settle', () => server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);

  const now = Date.now();
  const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', now);
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  const creds = { ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey };
  b = { bms: sdk(creds), vpc: sdk(creds, 'vpc'), cam: sdk(creds, 'cam'), tag: sdk(creds, 'tag'), monitor: sdk(creds, 'monitor'), bill: sdk(creds, 'bill') };
});
after(async () => server.stop());

/** A's id for an id-like parameter name, wrapped as the member's shape demands. */
function foreign(m: Member, svc: Svc): unknown {
  if (svc === 'cam' && m.name === 'Name') return ids.userName; // CAM users are named, not numbered
  if (m.ref === 'Dimension') return [{ Name: 'InstanceId', Value: ids.instance }]; // monitor: instances by dimension
  if (svc === 'monitor' && (m.name === 'PolicyIds' || m.name === 'PolicyId')) return m.array ? [ids.alarmPolicy] : ids.alarmPolicy; // alarm policies, not CAM's
  const table: Record<string, unknown> = {
    InstanceId: ids.instance, GroupId: ids.group, HeartbeatId: ids.heartbeat, VpcId: ids.vpc, SubnetId: ids.subnet, AddressId: ids.eip,
    BackupIP: ids.backupIp, OverlayIp: ids.backupIp, Vip: ids.vip, TaskId: ids.task, DiskId: ids.disk, FlavorId: ids.flavor,
    PolicyId: ids.policy, AccessKeyId: ids.accessKey, TargetUin: ids.userUin, AttachUin: ids.userUin, DetachUin: ids.userUin,
    Resource: ids.resource, ResourceId: ids.instance, DeleteTags: { TagKey: 'env' }, // the key A's instance carries
  };
  const single = m.name.replace(/s$/, '').replace(/Ids$/, 'Id');
  const value = table[m.name] ?? table[single];
  if (value === undefined) return undefined;
  const typed = m.type === 'Uint64' || m.type === 'Int64' ? Number(value) : m.type === 'String' ? String(value) : value;
  return m.array ? [typed] : typed;
}

/** A valid value for a required parameter that is not a resource id. */
function plain(m: Member, spec: ServiceSpec, svc: Svc, depth: number): unknown {
  const named: Record<string, unknown> = {
    Name: 'b-name', InstanceName: 'taken-over', Type: 'RACK', RaidType: 'RAID0', OperatingSystemType: 'Linux', OperatingSystem: 'CentOS 7.9',
    Status: 'Inactive', PolicyName: 'b', PolicyDocument: '{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}',
    Password: 'Isolate#2026pw', Zone: 'ap-guangzhou-1', CidrBlock: '10.50.2.0/24', SubnetName: 'b', Vport: '', InternetMaxBandwidthOut: 5, ProductCode: 'bms', SubProductCode: 'bms',
    Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Module: 'monitor', MonitorType: 'MT_QCE', Operator: 'gt', Value: '80', Period: 60,
    ServiceType: 'bms', ResourcePrefix: 'instance', ResourceRegion: 'ap-guangzhou',
    BeginTime: '2026-01-01 00:00:00', EndTime: '2099-12-31 23:59:59',
  };
  if (m.name in named) return m.array ? [named[m.name]] : named[m.name];
  if (m.type === 'Object') return m.array ? [build(spec.objects[m.ref!]!.members, spec, svc, depth + 1)] : build(spec.objects[m.ref!]!.members, spec, svc, depth + 1);
  const scalar = m.enum?.[0] ?? (m.type === 'Bool' ? false : m.type === 'String' || m.type === 'Datetime' ? 'x' : 1);
  return m.array ? [scalar] : scalar;
}

function build(members: Member[], spec: ServiceSpec, svc: Svc, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) {
    const f = depth < 3 ? foreign(m, svc) : undefined;
    if (f !== undefined) out[m.name] = f;
    else if (m.required) out[m.name] = plain(m, spec, svc, depth);
  }
  return out;
}

const namesForeign = (members: Member[], spec: ServiceSpec, svc: Svc, depth = 0): boolean =>
  members.some((m) => foreign(m, svc) !== undefined || (m.ref !== undefined && depth < 2 && m.required && namesForeign(spec.objects[m.ref]!.members, spec, svc, depth + 1)));

async function snapshotOfA() {
  const inst = await a.bms!<{ InstanceSet: Array<Record<string, unknown>> }>('DescribeInstances', { InstanceIds: [ids.instance] });
  const groups = await a.bms!<{ GroupId: Array<Record<string, unknown>> }>('DescribeDisasterRecoverGroups', { GroupIds: [ids.group] });
  const hbs = await a.bms!<{ HeartbeatSet: Array<Record<string, unknown>> }>('DescribeHeartbeats', { HeartbeatIds: [ids.heartbeat] });
  const eips = await a.vpc!<{ AddressSet: Array<Record<string, unknown>> }>('DescribeAddresses', { AddressIds: [ids.eip] });
  const subnets = await a.vpc!<{ SubnetSet: Array<Record<string, unknown>> }>('DescribeSubnets', { SubnetIds: [ids.subnet] });
  const outband = await a.bms!<{ InstanceSet: unknown[] }>('DescribeOutbandIP', { InstanceId: ids.instance });
  const policies = await a.cam!<{ List: unknown[] }>('ListAttachedUserPolicies', { TargetUin: ids.userUin });
  const keys = await a.cam!<{ AccessKeys: unknown[] }>('ListAccessKeys', { TargetUin: ids.userUin });
  const tags = await a.tag!<{ Rows: unknown[] }>('DescribeResourceTags', { Limit: 100 });
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'RequestId' || k === 'UpdateTime' || k === 'AvailableIpAddressCount' ? undefined : v)));
  return strip({ inst, groups, hbs, eips, subnets, outband, policies, keys, tags });
}

describe('tenant isolation matrix', () => {
  let before: unknown;
  it('A\'s resources are set up', async () => {
    before = await snapshotOfA();
    assert.ok(ids.instance && ids.eip && ids.vip && ids.backupIp && ids.policy);
  });

  for (const [svc, spec] of Object.entries(SPECS) as Array<[Svc, ServiceSpec]>) {
    for (const [action, def] of Object.entries(spec.actions)) {
      const key = `${svc}.${action}`;
      it(`${key}: another tenant's ids are not found`, async (t) => {
        if (NO_FOREIGN_ID.has(key)) {
          assert.ok(!namesForeign(def.input.filter((m) => m.required), spec, svc) || key === 'cam.AddUser', `${key} is listed as naming no resource but requires one`);
          t.skip('names no existing resource (creates one, or lists the caller\'s own)');
          return;
        }
        assert.ok(namesForeign(def.input, spec, svc), `${key} names no resource: list it in NO_FOREIGN_ID with the reason, or teach foreign() its id`);
        const params = build(def.input, spec, svc);
        let answer: Record<string, unknown> | undefined;
        let error: { code: string; message: string } | undefined;
        try {
          answer = await b[svc]!(action, params);
        } catch (e) {
          error = e as { code: string; message: string };
        }
        if (error) {
          // ResourceNotFound, or the second-level code Tencent documents for it (cam: ResourceNotFound.UserNotExist).
          assert.match(error.code, /^ResourceNotFound(\.[A-Za-z]+)?$/, `${key}: ${error.code} ${error.message}`);
          return;
        }
        // A lookup by ids answers the caller's own resources only: an empty list.
        const lists = Object.entries(answer!).filter(([k, v]) => Array.isArray(v) && k !== 'RequestId');
        assert.ok(/^(Describe|List|Query)/.test(action), `${key} succeeded for tenant B: ${JSON.stringify(answer)}`);
        for (const [k, v] of lists) assert.deepEqual(v, [], `${key}.${k} shows A's resources to B`);
        if ('TotalCount' in answer!) assert.equal(answer!.TotalCount, 0);
      });
    }
  }

  it('A\'s resources are unchanged afterwards', async () => {
    assert.deepEqual(await snapshotOfA(), before);
  });
});
