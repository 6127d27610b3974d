/**
 * The `tag` service (2018-08-13) through the official Node SDK: every action, the documented
 * limits and their second-level codes, another tenant's attempts (ResourceNotFound, empty
 * lists, nothing changed), and the interplay with bms — RunInstances `Tags`, DescribeInstances
 * tag filters and CAM resource-tag conditions all read the tags the tag service writes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import type { BootstrapCredential } from '../src/iam/bootstrap.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const CACHE_SECOND = 1_100; // credentials and policies are cached this long
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TagRow { TagKey: string; TagValue: string; ResourceId: string; TagKeyMd5: string; TagValueMd5: string; ServiceType: string }
interface Flavor { FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }

let server: TestServer;
let root: BootstrapCredential & { accountUin: string };
let tag: Call;
let bms: Call;
let vpc: Call;
let cam: Call;
const zone = 'ap-guangzhou-1';
const ids: Record<string, string> = {};
let region: string;
const name = (service: string, kind: string, id: string, uin = root.accountUin) => `qcs::${service}:${region}:uin/${uin}:${kind}/${id}`;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function launch(extra: Record<string, unknown>): Promise<string> {
  const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
  const f = FlavorSet.find((x) => !x.UserDefined)!;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
  const s = SubnetSet[0]!;
  const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', {
    Placement: { Zone: zone }, FlavorId: f.FlavorId, RaidType: f.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: s.VpcId, SubnetId: s.SubnetId }, LoginSettings: { Password: 'Tagged#2026pw' }, InstanceCount: 1, ...extra,
  });
  await waitFor('running', () => bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: BmsId }), (r) => r.InstanceSet[0]?.Status === 'RUNNING');
  return BmsId[0]!;
}

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  root = server.credentials.demo;
  region = root.Region;
  tag = sdk(root, 'tag');
  bms = sdk(root);
  vpc = sdk(root, 'vpc');
  cam = sdk(root, 'cam');
  await sdk(server.credentials.operator, 'bmsops')('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/28' });
  ids.instance = await launch({ InstanceName: 'tagged', Tags: [{ TagKey: 'env', TagValue: 'dev' }, { TagKey: '团队', TagValue: '网站' }] });
  ids.group = (await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'g', Type: 'RACK' })).GroupId;
  ids.heartbeat = (await bms<{ HeartbeatId: string }>('CreateHeartbeat', { Name: 'hb' })).HeartbeatId;
  const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'tags', CidrBlock: '10.60.0.0/16' });
  ids.vpc = Vpc.VpcId;
  ids.subnet = (await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 's', CidrBlock: '10.60.1.0/24', Zone: zone, IsBmsSubnet: true })).Subnet.SubnetId;
  ids.eip = (await vpc<{ AddressSet: string[] }>('AllocateAddresses', {})).AddressSet[0]!;
});
after(async () => server.stop());

async function tagsOf(service: string, prefix: string, resourceIds: string[]): Promise<TagRow[]> {
  const r = await tag<{ Tags: TagRow[]; TotalCount: number }>('DescribeResourceTagsByResourceIds', {
    ServiceType: service, ResourcePrefix: prefix, ResourceIds: resourceIds, ResourceRegion: region, Limit: 100,
  });
  assert.equal(r.TotalCount, r.Tags.length);
  return r.Tags;
}
const pairs = (rows: TagRow[]) => rows.map((r) => `${r.ResourceId}:${r.TagKey}=${r.TagValue}`).sort();

describe('tag service', () => {
  it('RunInstances Tags are the tag service\'s tags (with MD5s and the service type)', async () => {
    const rows = await tagsOf('bms', 'instance', [ids.instance!]);
    assert.deepEqual(pairs(rows), [`${ids.instance}:env=dev`, `${ids.instance}:团队=网站`]);
    const env = rows.find((r) => r.TagKey === 'env')!;
    assert.equal(env.TagKeyMd5, md5('env'));
    assert.equal(env.TagValueMd5, md5('dev'));
    assert.equal(env.ServiceType, 'bms');
  });

  it('AddResourceTag tags every taggable kind; the short forms are accepted', async () => {
    await tag('AddResourceTag', { TagKey: 'owner', TagValue: 'ops', Resource: name('bms', 'ps', ids.group!) });
    await tag('AddResourceTag', { TagKey: 'owner', TagValue: 'ops', Resource: `qcs::bms:${region}::heartbeat/${ids.heartbeat}` });
    await tag('AddResourceTag', { TagKey: 'owner', TagValue: 'net', Resource: name('vpc', 'vpc', ids.vpc!) });
    await tag('AddResourceTag', { TagKey: 'owner', TagValue: 'net', Resource: `qcs::vpc::uin/${root.accountUin}:subnet/${ids.subnet}` });
    await tag('AddResourceTag', { TagKey: 'owner', TagValue: 'net', Resource: name('vpc', 'eip', ids.eip!.toUpperCase().replace('EIP-', 'eip-')) });
    assert.deepEqual(pairs(await tagsOf('bms', 'ps', [ids.group!])), [`${ids.group}:owner=ops`]);
    assert.deepEqual(pairs(await tagsOf('bms', 'heartbeat', [ids.heartbeat!])), [`${ids.heartbeat}:owner=ops`]);
    assert.deepEqual(pairs(await tagsOf('vpc', 'vpc', [ids.vpc!])), [`${ids.vpc}:owner=net`]);
    assert.deepEqual(pairs(await tagsOf('vpc', 'subnet', [ids.subnet!])), [`${ids.subnet}:owner=net`]);
    assert.deepEqual(pairs(await tagsOf('vpc', 'eip', [ids.eip!])), [`${ids.eip}:owner=net`]);
    // The vpc service's own listings show the same tags (TagSet, as Tencent's VPC API writes it).
    const tagSetOf = async (action: string, idsParam: string, id: string, list: string) =>
      (await vpc<Record<string, Array<{ TagSet: unknown[] }>>>(action, { [idsParam]: [id] }))[list]![0]!.TagSet;
    assert.deepEqual(await tagSetOf('DescribeVpcs', 'VpcIds', ids.vpc!, 'VpcSet'), [{ Key: 'owner', Value: 'net' }]);
    assert.deepEqual(await tagSetOf('DescribeSubnets', 'SubnetIds', ids.subnet!, 'SubnetSet'), [{ Key: 'owner', Value: 'net' }]);
    assert.deepEqual(await tagSetOf('DescribeAddresses', 'AddressIds', ids.eip!, 'AddressSet'), [{ Key: 'owner', Value: 'net' }]);

    const all = await tag<{ Rows: TagRow[]; TotalCount: number }>('DescribeResourceTags', { ServiceType: 'vpc', Limit: 100 });
    assert.equal(all.TotalCount, 3);
    assert.ok(all.Rows.every((r) => r.ServiceType === 'vpc'));
    const one = await tag<{ Rows: TagRow[] }>('DescribeResourceTags', { ResourceId: ids.instance });
    assert.equal(one.Rows.length, 2);

    const byTags = await tag<{ Rows: Array<{ ResourceId: string; TagKeyValues: string }>; TotalCount: number }>('DescribeResourcesByTags', {
      TagFilters: [{ TagKey: 'owner', TagValue: ['net'] }], Limit: 10,
    });
    assert.deepEqual(byTags.Rows.map((r) => r.ResourceId).sort(), [ids.eip, ids.subnet, ids.vpc].sort());
    assert.deepEqual(JSON.parse(byTags.Rows[0]!.TagKeyValues), [{ TagKey: 'owner', TagValue: 'net' }]);
    const keyOnly = await tag<{ TotalCount: number }>('DescribeResourcesByTags', { TagFilters: [{ TagKey: 'owner' }], ServiceType: 'bms' });
    assert.equal(keyOnly.TotalCount, 2);
  });

  it('AddResourceTag / DeleteResourceTag / ModifyResourceTags refuse what Tencent refuses, with its codes', async () => {
    const inst = name('bms', 'instance', ids.instance!);
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'env', TagValue: 'x', Resource: inst }))).code, 'ResourceInUse.TagKeyAttached');
    assert.equal((await failure(tag('DeleteResourceTag', { TagKey: 'nope', Resource: inst }))).code, 'ResourceNotFound.AttachedTagKeyNotFound');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'a', TagValue: 'b', Resource: 'bms-xyz' }))).code, 'InvalidParameterValue.ResourceDescriptionError');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'a', TagValue: 'b', Resource: `qcs::cvm:${region}::instance/ins-1` }))).code, 'InvalidParameterValue.ResourceDescriptionError');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'a', TagValue: 'b', Resource: name('bms', 'instance', 'bms-nothere1') }))).code, 'ResourceNotFound');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'a', TagValue: 'b', Resource: `qcs::bms:ap-shanghai::instance/${ids.instance}` }))).code, 'ResourceNotFound');
    const e = await failure(tag('AddResourceTag', { TagKey: 'k'.repeat(256), TagValue: 'v', Resource: inst }));
    assert.equal(e.code, 'InvalidParameterValue.TagKeyLengthExceeded');
    assert.match(e.message, /TagKey/);
    await tag('AddResourceTag', { TagKey: 'k'.repeat(255), TagValue: 'v'.repeat(127), Resource: inst }); // the limits themselves are fine
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'long', TagValue: 'v'.repeat(128), Resource: inst }))).code, 'InvalidParameterValue.TagValueLengthExceeded');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'a#b', TagValue: 'v', Resource: inst }))).code, 'InvalidParameterValue.TagKeyCharacterIllegal');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'ok', TagValue: 'v;1', Resource: inst }))).code, 'InvalidParameterValue.TagValueCharacterIllegal');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'qcloud:x', TagValue: 'v', Resource: inst }))).code, 'InvalidParameterValue.ReservedTagKey');
    assert.equal((await failure(tag('AddResourceTag', { TagKey: '', TagValue: 'v', Resource: inst }))).code, 'InvalidParameterValue.TagKeyEmpty');
    assert.equal((await failure(tag('ModifyResourceTags', { Resource: inst }))).code, 'MissingParameter');
    assert.equal((await failure(tag('ModifyResourceTags', { Resource: inst, ReplaceTags: [{ TagKey: 'env', TagValue: 'a' }], DeleteTags: [{ TagKey: 'env' }] }))).code,
      'InvalidParameterValue.DeleteTagsParamError');
    assert.equal((await failure(tag('ModifyResourceTags', { Resource: inst, ReplaceTags: [{ TagKey: 'x', TagValue: 'a' }, { TagKey: 'x', TagValue: 'b' }] }))).code,
      'InvalidParameterValue.TagKeyDuplicate');
    await tag('DeleteResourceTag', { TagKey: 'k'.repeat(255), Resource: inst });
    assert.deepEqual(pairs(await tagsOf('bms', 'instance', [ids.instance!])), [`${ids.instance}:env=dev`, `${ids.instance}:团队=网站`], 'the refused calls changed nothing');
  });

  it('a resource carries at most 50 tags (LimitExceeded.ResourceAttachedTags), checked before anything changes', async () => {
    const res = name('bms', 'ps', ids.group!);
    const fifty = Array.from({ length: 49 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await tag('ModifyResourceTags', { Resource: res, ReplaceTags: fifty }); // 49 + owner = 50
    assert.equal((await tagsOf('bms', 'ps', [ids.group!])).length, 50);
    assert.equal((await failure(tag('AddResourceTag', { TagKey: 'one-more', TagValue: 'v', Resource: res }))).code, 'LimitExceeded.ResourceAttachedTags');
    assert.equal((await failure(tag('ModifyResourceTags', { Resource: res, ReplaceTags: [{ TagKey: 'x1', TagValue: 'v' }, { TagKey: 'x2', TagValue: 'v' }], DeleteTags: [{ TagKey: 'k0' }] }))).code,
      'LimitExceeded.ResourceAttachedTags');
    // Replacing and deleting in one call keeps it at 50.
    await tag('ModifyResourceTags', { Resource: res, ReplaceTags: [{ TagKey: 'x1', TagValue: 'v' }, { TagKey: 'k1', TagValue: 'changed' }], DeleteTags: [{ TagKey: 'k0' }] });
    const rows = await tagsOf('bms', 'ps', [ids.group!]);
    assert.equal(rows.length, 50);
    assert.equal(rows.find((r) => r.TagKey === 'k1')!.TagValue, 'changed');
    assert.ok(!rows.some((r) => r.TagKey === 'k0'));
    await tag('ModifyResourceTags', { Resource: res, DeleteTags: rows.filter((r) => r.TagKey !== 'owner').map((r) => ({ TagKey: r.TagKey })) });
    assert.equal((await tagsOf('bms', 'ps', [ids.group!])).length, 1);
  });

  it('CreateTag / DescribeTags / DescribeTagKeys / DescribeTagValues / DeleteTag', async () => {
    await tag('CreateTag', { TagKey: 'cost-center', TagValue: '42' });
    // (Members in another order: the byte-identical call in the same second would be a repeat, answered like the first.)
    assert.equal((await failure(tag('CreateTag', { TagValue: '42', TagKey: 'cost-center' }))).code, 'ResourceInUse.TagDuplicate');
    assert.equal((await failure(tag('CreateTag', { TagKey: 'tencent-x', TagValue: '1' }))).code, 'InvalidParameterValue.ReservedTagKey');
    const listed = await tag<{ Tags: Array<{ TagKey: string; TagValue: string; CanDelete: number }>; TotalCount: number }>('DescribeTags', { Limit: 1000 });
    const find = (k: string, v: string) => listed.Tags.find((t) => t.TagKey === k && t.TagValue === v);
    assert.equal(find('cost-center', '42')?.CanDelete, 1);
    assert.equal(find('env', 'dev')?.CanDelete, 0, 'a tag attached at launch is in the catalogue, and in use');
    const one = await tag<{ Tags: Array<{ TagKey: string }>; TotalCount: number }>('DescribeTags', { TagKey: 'owner', TagValue: 'net' });
    assert.equal(one.TotalCount, 1);
    const keys = await tag<{ Tags: string[]; TotalCount: number }>('DescribeTagKeys', { Limit: 1000 });
    assert.ok(keys.Tags.includes('cost-center') && keys.Tags.includes('团队'));
    assert.equal(keys.TotalCount, keys.Tags.length);
    const values = await tag<{ Tags: Array<{ TagKey: string; TagValue: string }> }>('DescribeTagValues', { TagKeys: ['owner'] });
    assert.deepEqual(values.Tags.map((t) => t.TagValue), ['net', 'ops']);
    const paged = await tag<{ Tags: string[]; Offset: number; Limit: number }>('DescribeTagKeys', { Limit: 1, Offset: 1 });
    assert.equal(paged.Tags.length, 1);
    assert.deepEqual([paged.Offset, paged.Limit], [1, 1]);

    assert.equal((await failure(tag('DeleteTag', { TagKey: 'env', TagValue: 'dev' }))).code, 'ResourceInUse.TagKeyAttached');
    await tag('DeleteTag', { TagKey: 'cost-center', TagValue: '42' });
    assert.equal((await failure(tag('DeleteTag', { TagValue: '42', TagKey: 'cost-center' }))).code, 'ResourceNotFound.TagNonExist');
  });

  it('tags are audited like every mutating call', async () => {
    const rows = await server.store.db.selectFrom('audit_events').select(['service', 'action', 'result_code']).where('service', '=', 'tag').execute();
    assert.ok(rows.some((r) => r.action === 'AddResourceTag' && r.result_code === 'Success'));
    assert.ok(rows.some((r) => r.action === 'ModifyResourceTags'));
  });

  it('DescribeInstances tag filters and TagSet read the tag service\'s writes', async () => {
    await tag('ModifyResourceTags', { Resource: name('bms', 'instance', ids.instance!), ReplaceTags: [{ TagKey: 'env', TagValue: 'staging' }, { TagKey: 'tier', TagValue: 'web' }] });
    const byTag = await bms<{ InstanceSet: Array<{ InstanceId: string; Tags: Array<{ TagKey: string; TagValue: string }> }> }>('DescribeInstances', {
      Filters: [{ Name: 'tag:tier', Values: ['web'] }],
    });
    assert.deepEqual(byTag.InstanceSet.map((i) => i.InstanceId), [ids.instance]);
    assert.deepEqual(byTag.InstanceSet[0]!.Tags.find((t) => t.TagKey === 'env'), { TagKey: 'env', TagValue: 'staging' });
    assert.equal((await bms<{ TotalCount: number }>('DescribeInstances', { Filters: [{ Name: 'tag:env', Values: ['dev'] }] })).TotalCount, 0);
    assert.equal((await bms<{ TotalCount: number }>('DescribeInstances', { Filters: [{ Name: 'tag-key', Values: ['tier'] }] })).TotalCount, 1);
  });

  it('CAM resource-tag conditions read the same tags: a retag through the tag service changes the decision', async () => {
    const user = await cam<{ Uin: number; SecretId: string; SecretKey: string }>('AddUser', { Name: 'tag-gated', UseApi: 1 });
    const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', {
      PolicyName: 'prod-only', PolicyDocument: JSON.stringify({
        version: '2.0', statement: [
          { effect: 'allow', action: ['bms:ModifyInstancesAttribute', 'tag:AddResourceTag'], resource: '*', condition: { string_equal: { 'qcs:resource_tag/env': 'prod' } } },
          { effect: 'allow', action: 'tag:Describe*', resource: '*' },
        ],
      }),
    });
    await cam('AttachUserPolicy', { PolicyId, AttachUin: user.Uin });
    await sleep(CACHE_SECOND);
    const as = { ...root, SecretId: user.SecretId, SecretKey: user.SecretKey };
    const userBms = sdk(as);
    const userTag = sdk(as, 'tag');
    assert.equal((await failure(userBms('ModifyInstancesAttribute', { InstanceIds: [ids.instance], InstanceName: 'by-user' }))).code, 'AuthFailure.UnauthorizedOperation');
    assert.equal((await failure(userTag('AddResourceTag', { TagKey: 'by', TagValue: 'user', Resource: name('bms', 'instance', ids.instance!) }))).code, 'AuthFailure.UnauthorizedOperation');
    await tag('ModifyResourceTags', { Resource: name('bms', 'instance', ids.instance!), ReplaceTags: [{ TagKey: 'env', TagValue: 'prod' }] });
    await userBms('ModifyInstancesAttribute', { InstanceIds: [ids.instance], InstanceName: 'by-user' });
    await userTag('AddResourceTag', { TagKey: 'by', TagValue: 'user', Resource: name('bms', 'instance', ids.instance!) });
    // The same condition on a VPC's tags: the VPC is tagged owner=net, not env=prod.
    assert.equal((await failure(userTag('AddResourceTag', { TagKey: 'by', TagValue: 'user', Resource: name('vpc', 'vpc', ids.vpc!) }))).code, 'AuthFailure.UnauthorizedOperation');
    await tag('DeleteResourceTag', { TagKey: 'by', Resource: name('bms', 'instance', ids.instance!) });
  });

  describe('another tenant', () => {
    let b: Call;
    let before: unknown;
    const snapshot = async () => ({
      resources: await tag('DescribeResourceTags', { Limit: 1000 }).then((r) => ({ ...r, RequestId: undefined })),
      catalogue: await tag('DescribeTags', { Limit: 1000 }).then((r) => ({ ...r, RequestId: undefined })),
    });

    it('is set up', async () => {
      const now = Date.now();
      const { root: bRoot } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', now);
      const key = await createApiKey(server.store.db, server.box, bRoot.id, now);
      b = sdk({ ...root, SecretId: key.secretId, SecretKey: key.secretKey }, 'tag');
      before = await snapshot();
    });

    it('cannot tag, untag or retag A\'s resources: ResourceNotFound, worded as for a resource that never existed', async () => {
      for (const resource of [name('bms', 'instance', ids.instance!), `qcs::bms:${region}::instance/${ids.instance}`, name('vpc', 'eip', ids.eip!, '')]) {
        const e = await failure(b('AddResourceTag', { TagKey: 'x', TagValue: 'y', Resource: resource }));
        assert.equal(e.code, 'ResourceNotFound', resource);
        const never = await failure(b('AddResourceTag', { TagKey: 'x', TagValue: 'y', Resource: resource.replace(/(bms|eip)-[a-z0-9]+$/, '$1-nothere0') }));
        assert.equal(e.message.replace(/(bms|eip)-[a-z0-9]+/, 'ID'), never.message.replace(/(bms|eip)-[a-z0-9]+/, 'ID'));
      }
      assert.equal((await failure(b('DeleteResourceTag', { TagKey: 'env', Resource: name('bms', 'instance', ids.instance!) }))).code, 'ResourceNotFound');
      assert.equal((await failure(b('ModifyResourceTags', { Resource: `qcs::vpc:${region}::vpc/${ids.vpc}`, DeleteTags: [{ TagKey: 'owner' }] }))).code, 'ResourceNotFound');
      assert.equal((await failure(b('DeleteTag', { TagKey: 'env', TagValue: 'prod' }))).code, 'ResourceNotFound.TagNonExist');
    });

    it('sees none of A\'s tags or tagged resources', async () => {
      const byIds = await b<{ Tags: unknown[]; TotalCount: number }>('DescribeResourceTagsByResourceIds', {
        ServiceType: 'bms', ResourcePrefix: 'instance', ResourceIds: [ids.instance], ResourceRegion: region,
      });
      assert.deepEqual([byIds.TotalCount, byIds.Tags], [0, []]);
      assert.equal((await b<{ TotalCount: number }>('DescribeResourceTags', { ResourceId: ids.instance })).TotalCount, 0);
      assert.equal((await b<{ TotalCount: number }>('DescribeResourcesByTags', { TagFilters: [{ TagKey: 'env' }] })).TotalCount, 0);
      assert.equal((await b<{ TotalCount: number }>('DescribeResourcesByTags', { IgnoreFilter: 1 })).TotalCount, 0);
      assert.equal((await b<{ TotalCount: number }>('DescribeTags', {})).TotalCount, 0);
      assert.equal((await b<{ TotalCount: number }>('DescribeTagKeys', {})).TotalCount, 0);
      assert.equal((await b<{ TotalCount: number }>('DescribeTagValues', { TagKeys: ['env'] })).TotalCount, 0);
      await b('CreateTag', { TagKey: 'env', TagValue: 'prod' }); // B's own catalogue, beside A's
      assert.equal((await b<{ TotalCount: number }>('DescribeTags', {})).TotalCount, 1);
    });

    it('left A\'s tags exactly as they were', async () => {
      assert.deepEqual(await snapshot(), before);
    });
  });

  it('tags go with their resource: a terminated instance and deleted VPC, subnet, EIP, groups leave none behind', async () => {
    const id = await launch({ InstanceName: 'short-lived', Tags: [{ TagKey: 'temp', TagValue: '1' }] });
    assert.equal((await tagsOf('bms', 'instance', [id])).length, 1);
    await bms('TerminateInstances', { InstanceIds: [id] });
    await waitFor('terminated', () => tagsOf('bms', 'instance', [id]), (rows) => rows.length === 0);
    await vpc('ReleaseAddresses', { AddressIds: [ids.eip] });
    await vpc('DeleteSubnet', { SubnetId: ids.subnet });
    await vpc('DeleteVpc', { VpcId: ids.vpc });
    await bms('DeleteDisasterRecoverGroups', { GroupIds: [ids.group] });
    await bms('DeleteHeartbeats', { HeartbeatIds: [ids.heartbeat] });
    const left = await tag<{ Rows: TagRow[] }>('DescribeResourceTags', { Limit: 1000 });
    assert.deepEqual(left.Rows.map((r) => r.ResourceId).filter((r) => r !== ids.instance), []);
  });
});
