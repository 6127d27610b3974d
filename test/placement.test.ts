/**
 * Spread placement groups through the front door, driven by the official SDK against the
 * simulated demo fleet (per zone 4 switches × 6 racks, every flavor on every rack): every rule
 * with its exact error code; the Terraform-style flow (create → find by Name → launch 3 into
 * it → check racks and switches on the operator API → return → delete) for both types;
 * launches that cannot be placed say why; ModifyInstancesGroupId accepts and refuses; tenants
 * never see each other's groups; concurrent launches into one group never share a switch —
 * on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const ZONE = 'ap-guangzhou-1';
const ZONE2 = 'ap-guangzhou-2';

interface Group { GroupId: string; DisasterRecoverGroupId: string; Name: string; Type: string; CurrentNum: number; CreateTime: string; CreatedTime: string; UpdateTime: string }
interface Groups { GroupId: Group[]; TotalCount: number }
interface Flavor { FlavorId: string; FlavorName: string; UserDefined: number; CpuArch: string; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }
interface Place { InstanceId: string; RackId: string; SwitchId: string; Zone: string }

/** A running test server and the clients the tests need. */
interface Cloud { server: TestServer; bms: Call; vpc: Call; ops: Call; base: (zone?: string) => Record<string, unknown>; flavor: (zone?: string) => Flavor }

async function openCloud(env: Record<string, string> = {}): Promise<Cloud> {
  const server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', ...env }, { rateLimiter: { take: () => true } });
  const bms = sdk(server.credentials.demo);
  const vpc = sdk(server.credentials.demo, 'vpc');
  const ops = sdk(server.credentials.operator, 'bmsops');
  const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', {});
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', {});
  const flavor = (zone = ZONE) => FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86' && f.Placement.Zone === zone)!;
  const base = (zone = ZONE) => {
    const f = flavor(zone);
    const subnet = SubnetSet.find((s) => s.Zone === zone && s.IsBmsSubnet)!;
    return {
      Placement: { Zone: zone }, FlavorId: f.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Spread#2026pw' }, RaidType: f.RaidType[0],
    };
  };
  return { server, bms, vpc, ops, base, flavor };
}

/** Another tenant's SDK clients on the same server. */
async function tenant(server: TestServer, name: string): Promise<Call> {
  const now = Date.now();
  const { root } = await createAccountWithRoot(server.store.db, name, 'tenant', now);
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  return sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
}

let c: Cloud;
let other: Call;
let serial = 0;
/** Names differ per call: two identical signed bodies within one second would be one request replayed. */
const unique = (prefix: string) => `${prefix}-${++serial}`;

before(async () => {
  c = await openCloud();
  other = await tenant(c.server, 'Other tenant');
});
after(async () => c.server.stop());

const newGroup = async (Type: string, Name = unique('pg'), bms = c.bms) => (await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name, Type })).GroupId;
const groupById = async (id: string) => (await c.bms<Groups>('DescribeDisasterRecoverGroups', { GroupIds: [id] })).GroupId[0];
const launch = (extra: Record<string, unknown>, zone = ZONE) => c.bms<{ BmsId: string[] }>('RunInstances', { ...c.base(zone), InstanceName: unique('spread'), ...extra });
const listed = (ids: string[]) => c.bms<{ TotalCount: number; InstanceSet: Array<{ InstanceId: string; Status: string }> }>('DescribeInstances', { InstanceIds: ids });

async function running(ids: string[]): Promise<void> {
  await waitFor(`${ids.join(',')} RUNNING`, () => listed(ids), (r) => r.TotalCount === ids.length && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
}

async function returnAll(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await running(ids);
  await c.bms('TerminateInstances', { InstanceIds: ids });
  await waitFor(`${ids.join(',')} gone`, () => listed(ids), (r) => r.TotalCount === 0);
}

/** Where the instances' servers sit, as the operator API tells it. */
async function placesOf(ids: string[], ops = c.ops): Promise<Place[]> {
  const places: Place[] = [];
  for (let i = 0; i < ids.length; i += 5) {
    const { ServerSet } = await ops<{ ServerSet: Place[] }>('DescribeServers', { Filters: [{ Name: 'instance-id', Values: ids.slice(i, i + 5) }] });
    places.push(...ServerSet);
  }
  assert.deepEqual(places.map((p) => p.InstanceId).sort(), [...ids].sort());
  return places;
}

function assertObeys(type: string, places: Place[]): void {
  assert.equal(new Set(places.map((p) => p.RackId)).size, places.length, `two members on one rack: ${JSON.stringify(places)}`);
  const switches = new Set(places.map((p) => p.SwitchId)).size;
  if (type === 'RACK') assert.equal(switches, places.length, `two members under one switch: ${JSON.stringify(places)}`);
  else assert.equal(switches, 1, `members under several switches: ${JSON.stringify(places)}`);
}

/** Deletes every empty group of the demo tenant (the tests stay under the 20-group quota). */
async function dropEmptyGroups(): Promise<void> {
  const { GroupId } = await c.bms<Groups>('DescribeDisasterRecoverGroups', { Limit: 100 });
  const empty = GroupId.filter((g) => g.CurrentNum === 0).map((g) => g.GroupId);
  for (let i = 0; i < empty.length; i += 10) await c.bms('DeleteDisasterRecoverGroups', { GroupIds: empty.slice(i, i + 10) });
}

async function code(p: Promise<unknown>, expected: string, message?: RegExp): Promise<string> {
  const e = await failure(p);
  assert.equal(e.code, expected, e.message);
  if (message) assert.match(e.message, message);
  return e.message;
}

describe('CreateDisasterRecoverGroup', () => {
  it('checks Name (1–60, not blank) and Type (RACK | RACK_SAME_SW)', async () => {
    await code(c.bms('CreateDisasterRecoverGroup', { Type: 'RACK' }), 'MissingParameter', /Name/);
    await code(c.bms('CreateDisasterRecoverGroup', { Name: 'no-type' }), 'MissingParameter', /Type/);
    await code(c.bms('CreateDisasterRecoverGroup', { Name: '', Type: 'RACK' }), 'InvalidParameterValue', /Name/);
    await code(c.bms('CreateDisasterRecoverGroup', { Name: 'n'.repeat(61), Type: 'RACK' }), 'InvalidParameterValue', /Name/);
    await code(c.bms('CreateDisasterRecoverGroup', { Name: '   ', Type: 'RACK' }), 'InvalidParameterValue', /Name.*blank/);
    await code(c.bms('CreateDisasterRecoverGroup', { Name: 'host', Type: 'HOST' }), 'InvalidParameterValue', /Type/);
  });

  it('answers the new group id in GroupId; a 60-character Chinese name is fine', async () => {
    const id = await newGroup('RACK_SAME_SW', '数据库主备'.repeat(12));
    assert.match(id, /^ps-[0-9a-z]{8}$/);
    const g = (await groupById(id))!;
    assert.equal(g.Name, '数据库主备'.repeat(12));
    assert.equal(g.Type, 'RACK_SAME_SW');
  });

  it('an account has at most 20 groups (LimitExceeded), and room again after a delete', async () => {
    const busy = await tenant(c.server, 'Quota tenant');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await newGroup('RACK', `quota-${i}`, busy));
    await code(busy('CreateDisasterRecoverGroup', { Name: 'quota-20', Type: 'RACK' }), 'LimitExceeded', /at most 20/);
    await busy('DeleteDisasterRecoverGroups', { GroupIds: [ids[0]] });
    await newGroup('RACK', 'quota-21', busy);
  });
});

describe('DescribeDisasterRecoverGroups', () => {
  let alpha: string;
  let alpha2: string;
  let beta: string;
  before(async () => {
    alpha = await newGroup('RACK', 'pg-alpha');
    alpha2 = await newGroup('RACK_SAME_SW', 'pg-alpha-2');
    beta = await newGroup('RACK', 'Beta 组');
  });
  after(dropEmptyGroups);
  const find = (params: Record<string, unknown>) => c.bms<Groups>('DescribeDisasterRecoverGroups', params);
  const byName = async (...Values: string[]) => (await find({ Filters: [{ Name: 'Name', Values }] })).GroupId.map((g) => g.GroupId);

  it('lists groups under GroupId, each with both ids, Name, Type, CurrentNum and times', async () => {
    const r = await find({ GroupIds: [alpha.toUpperCase()] });
    assert.equal(r.TotalCount, 1);
    const g = r.GroupId[0]!;
    assert.equal(g.GroupId, alpha);
    assert.equal(g.DisasterRecoverGroupId, alpha);
    assert.equal(g.Name, 'pg-alpha');
    assert.equal(g.Type, 'RACK');
    assert.equal(g.CurrentNum, 0);
    assert.match(g.CreatedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(g.CreateTime, g.CreatedTime);
    assert.match(g.UpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('Filter Name matches a substring ignoring case; the exact name finds its group first', async () => {
    assert.deepEqual(await byName('pg-alpha'), [alpha, alpha2]);
    assert.deepEqual(await byName('pg-alpha-2'), [alpha2]);
    assert.deepEqual((await byName('ALPHA')).sort(), [alpha, alpha2].sort());
    assert.deepEqual(await byName('beta 组'), [beta]);
    assert.deepEqual((await byName('Beta', 'alpha-2')).sort(), [alpha2, beta].sort());
    assert.deepEqual(await byName('100%_'), []);
  });

  it('Filter Type, filters AND-ed, paging with an exact TotalCount', async () => {
    const sameSw = await find({ Filters: [{ Name: 'Type', Values: ['RACK_SAME_SW'] }] });
    assert.ok(sameSw.GroupId.every((g) => g.Type === 'RACK_SAME_SW'));
    assert.ok(sameSw.GroupId.some((g) => g.GroupId === alpha2));
    const both = await find({ Filters: [{ Name: 'Name', Values: ['pg-alpha'] }, { Name: 'Type', Values: ['RACK'] }] });
    assert.deepEqual(both.GroupId.map((g) => g.GroupId), [alpha]);
    const page = await find({ Filters: [{ Name: 'Name', Values: ['pg-alpha'] }], Limit: 1, Offset: 1 });
    assert.equal(page.TotalCount, 2);
    assert.equal(page.GroupId.length, 1);
  });

  it('refuses GroupIds with Filters, unknown filters, bad types and malformed ids; unknown ids are not listed', async () => {
    await code(find({ GroupIds: [alpha], Filters: [{ Name: 'Name', Values: ['x'] }] }), 'InvalidParameter', /GroupIds/);
    await code(find({ Filters: [{ Name: 'zone', Values: [ZONE] }] }), 'InvalidParameterValue', /Filters\.0\.Name/);
    await code(find({ Filters: [{ Name: 'Type', Values: ['HOST'] }] }), 'InvalidParameterValue', /Filters\.0\.Values\.0/);
    await code(find({ GroupIds: ['bms-12345678'] }), 'InvalidParameterValue', /GroupIds\.0/);
    await code(find({ Limit: 201 }), 'InvalidParameterValue', /Limit/); // up to 200, as the vendor's provider sends
    const none = await find({ GroupIds: ['ps-00000000'] });
    assert.deepEqual([none.TotalCount, none.GroupId], [0, []]);
  });
});

describe('UpdateDisasterRecoverGroup', () => {
  after(dropEmptyGroups);
  it('renames the group and moves UpdateTime', async () => {
    const id = await newGroup('RACK', 'before-rename');
    const first = (await groupById(id))!;
    c.server.skew.ms = 2000;
    try {
      await c.bms('UpdateDisasterRecoverGroup', { GroupId: id, Name: 'after-rename' });
    } finally {
      c.server.skew.ms = 0;
    }
    const renamed = (await groupById(id))!;
    assert.equal(renamed.Name, 'after-rename');
    assert.equal(renamed.CreatedTime, first.CreatedTime);
    assert.ok(renamed.UpdateTime > first.UpdateTime, `${renamed.UpdateTime} after ${first.UpdateTime}`);
  });

  it('refuses unknown groups, malformed ids and bad names', async () => {
    const id = await newGroup('RACK');
    await code(c.bms('UpdateDisasterRecoverGroup', { GroupId: 'ps-00000000', Name: 'x' }), 'ResourceNotFound', /ps-00000000/);
    await code(c.bms('UpdateDisasterRecoverGroup', { GroupId: 'group-1', Name: 'x' }), 'InvalidParameterValue', /GroupId/);
    await code(c.bms('UpdateDisasterRecoverGroup', { GroupId: id, Name: 'n'.repeat(61) }), 'InvalidParameterValue', /Name/);
    await code(c.bms('UpdateDisasterRecoverGroup', { GroupId: id, Name: ' ' }), 'InvalidParameterValue', /Name/);
    await code(c.bms('UpdateDisasterRecoverGroup', { GroupId: id }), 'MissingParameter', /Name/);
  });
});

describe('DeleteDisasterRecoverGroups', () => {
  after(dropEmptyGroups);
  it('at most 10 ids, each once, at least one', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `ps-0000000${i % 10}`);
    await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: ids }), 'InvalidParameterValue', /GroupIds/);
    const id = await newGroup('RACK');
    await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: [id, id.toUpperCase()] }), 'InvalidParameterValue', /twice/);
    await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: [] }), 'InvalidParameterValue', /GroupIds/);
  });

  it('is all or nothing: an unknown id or a group with members deletes nothing', async () => {
    const empty = await newGroup('RACK');
    const occupied = await newGroup('RACK');
    const { BmsId } = await launch({ GroupId: occupied });
    await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: [empty, 'ps-00000000'] }), 'ResourceNotFound', /ps-00000000/);
    const msg = await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: [empty, occupied] }), 'ResourceInUse');
    assert.ok(msg.includes(occupied) && msg.includes(BmsId[0]!), msg);
    assert.ok(await groupById(empty), 'the empty group was deleted by a refused call');
    await returnAll(BmsId);
    assert.equal((await groupById(occupied))!.CurrentNum, 0);
    await c.bms('DeleteDisasterRecoverGroups', { GroupIds: [empty, occupied.toUpperCase()] }); // not the refused request replayed
    assert.equal((await c.bms<Groups>('DescribeDisasterRecoverGroups', { GroupIds: [empty, occupied] })).TotalCount, 0);
  });
});

for (const type of ['RACK', 'RACK_SAME_SW'] as const) {
  describe(`the SDK flow for a ${type} group`, () => {
    const name = `tf-${type.toLowerCase()}-group`;
    let id: string;
    let members: string[];

    it('create the group and find it by Filter Name', async () => {
      const created = await newGroup(type, name);
      const found = await c.bms<Groups>('DescribeDisasterRecoverGroups', { Filters: [{ Name: 'Name', Values: [name] }] });
      assert.equal(found.GroupId[0]!.GroupId, created);
      id = found.GroupId[0]!.GroupId;
    });

    it('launch 3 instances into it; the operator API shows their racks and switches obey the type', async () => {
      members = (await launch({ GroupId: id, InstanceCount: 3 })).BmsId;
      assert.equal(members.length, 3);
      await running(members);
      assertObeys(type, await placesOf(members));
      assert.equal((await groupById(id))!.CurrentNum, 3);
      const inGroup = await c.bms<{ TotalCount: number; InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', { Filters: [{ Name: 'groupId', Values: [id.toUpperCase()] }] });
      assert.deepEqual(inGroup.InstanceSet.map((i) => i.InstanceId).sort(), [...members].sort());
    });

    it('a fourth member keeps the rule with the first three', async () => {
      const [fourth] = (await launch({ GroupId: id })).BmsId;
      members.push(fourth!);
      assertObeys(type, await placesOf(members));
    });

    it('a group with members cannot be deleted', async () => {
      const msg = await code(c.bms('DeleteDisasterRecoverGroups', { GroupIds: [id] }), 'ResourceInUse', new RegExp(id));
      for (const m of members) assert.ok(msg.includes(m), msg);
    });

    it('return the instances (gone from the list), then delete the group', async () => {
      await returnAll(members);
      assert.equal((await groupById(id))!.CurrentNum, 0);
      await c.bms('DeleteDisasterRecoverGroups', { GroupIds: [id.toUpperCase()] }); // not the refused request replayed
      assert.equal((await c.bms<Groups>('DescribeDisasterRecoverGroups', { Filters: [{ Name: 'Name', Values: [name] }] })).TotalCount, 0);
    });
  });
}

describe('launches that cannot be placed', () => {
  const launched: string[] = [];
  after(async () => {
    await returnAll(launched);
    await dropEmptyGroups();
  });

  const counts = async () => {
    const db = c.server.store.db;
    const [instances, free] = await Promise.all([
      db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'available').executeTakeFirstOrThrow(),
    ]);
    return [Number(instances.n), Number(free.n)];
  };
  async function unplaceable(params: Record<string, unknown>, message: RegExp, zone = ZONE): Promise<void> {
    const before = await counts();
    await code(launch(params, zone), 'ResourceInsufficient', message);
    assert.deepEqual(await counts(), before, 'a refused launch took something');
  }

  it('RACK needs a switch per member: 5 in a zone of 4 switches', async () => {
    const flavor = c.flavor().FlavorName;
    await unplaceable({ GroupId: await newGroup('RACK'), InstanceCount: 5 },
      new RegExp(`RACK needs 5 switches with a free ${flavor.replace(/\./g, '\\.')} in ${ZONE}; only 4 have one`));
  });

  it('RACK_SAME_SW needs a rack per member under one switch: 7 where a switch has 6 racks', async () => {
    const flavor = c.flavor().FlavorName;
    await unplaceable({ GroupId: await newGroup('RACK_SAME_SW'), InstanceCount: 7 },
      new RegExp(`RACK_SAME_SW needs 7 racks with a free ${flavor.replace(/\./g, '\\.')} under one switch in ${ZONE}; the best switch has 6`));
  });

  it('the members count: what they use is not offered again', async () => {
    const rack = await newGroup('RACK');
    launched.push(...(await launch({ GroupId: rack, InstanceCount: 2 })).BmsId);
    await unplaceable({ GroupId: rack, InstanceCount: 3 }, /the members already use 2 of them, leaving 2/);
    const sameSw = await newGroup('RACK_SAME_SW');
    const two = (await launch({ GroupId: sameSw, InstanceCount: 2 })).BmsId;
    launched.push(...two);
    const [home] = await placesOf(two);
    await unplaceable({ GroupId: sameSw, InstanceCount: 5 }, new RegExp(`5 more racks .* under switch ${home!.SwitchId} in ${ZONE}.*it has 4 that the members do not already use`));
    await unplaceable({ GroupId: sameSw }, new RegExp(`members are under switch ${home!.SwitchId} in ${ZONE}, not in ${ZONE2}`), ZONE2);
    launched.push(...(await launch({ GroupId: sameSw, InstanceCount: 4 })).BmsId);
    const all = await c.bms<{ InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', { Filters: [{ Name: 'groupId', Values: [sameSw] }] });
    assertObeys('RACK_SAME_SW', await placesOf(all.InstanceSet.map((i) => i.InstanceId)));
  });

  it('a RACK group spans zones: switches of another zone are all new', async () => {
    const rack = await newGroup('RACK');
    const here = (await launch({ GroupId: rack, InstanceCount: 4 })).BmsId;
    const there = (await launch({ GroupId: rack, InstanceCount: 4 }, ZONE2)).BmsId;
    launched.push(...here, ...there);
    assertObeys('RACK', await placesOf([...here, ...there]));
  });

  it('GroupId must be a well-formed id of an existing group', async () => {
    await code(launch({ GroupId: 'ps-00000000' }), 'ResourceNotFound', /spread placement group ps-00000000 does not exist/);
    await code(launch({ GroupId: 'rack-1' }), 'InvalidParameterValue', /GroupId/);
  });
});

describe('ModifyInstancesGroupId', () => {
  const db = () => c.server.store.db;
  const join = (InstanceId: string, GroupId: string, bms = c.bms) => bms('ModifyInstancesGroupId', { InstanceId, GroupId });
  const groupOf = async (id: string) =>
    (await c.bms<{ InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', { Filters: [{ Name: 'groupId', Values: [id] }] })).InstanceSet.map((i) => i.InstanceId).sort();
  let a: string;
  let b: string;
  let switchOfAB: string;
  const launched: string[] = [];
  after(async () => {
    await returnAll(launched);
    await dropEmptyGroups();
  });

  before(async () => {
    const pair = (await launch({ GroupId: await newGroup('RACK_SAME_SW'), InstanceCount: 2 })).BmsId;
    launched.push(...pair);
    [a, b] = pair as [string, string];
    switchOfAB = (await placesOf(pair))[0]!.SwitchId;
  });

  /** Launches `n` instances without a group while only `rackId`'s servers are free (the others briefly in maintenance). */
  async function launchOnRack(rackId: string, n: number): Promise<string[]> {
    const hidden = (await db().selectFrom('servers').select('id').where('flavor_id', '=', c.flavor().FlavorId).where('state', '=', 'available')
      .where('rack_id', '!=', rackId).execute()).map((s) => s.id);
    await db().updateTable('servers').set({ state: 'maintenance', maintenance_reason: 'placement test' }).where('id', 'in', hidden).execute();
    try {
      return (await launch({ InstanceCount: n })).BmsId;
    } finally {
      await db().updateTable('servers').set({ state: 'available', maintenance_reason: null }).where('id', 'in', hidden).where('state', '=', 'maintenance').execute();
    }
  }

  it('accepts an instance whose server already keeps the rule; again is a no-op', async () => {
    const rack = await newGroup('RACK');
    await join(a, rack);
    assert.deepEqual(await groupOf(rack), [a]);
    await join(a, rack.toUpperCase());
    assert.equal((await groupById(rack))!.CurrentNum, 1);
    const sameSw = await newGroup('RACK_SAME_SW');
    await join(a, sameSw);
    await join(b, sameSw);
    assert.deepEqual(await groupOf(sameSw), [a, b].sort());
    assert.equal((await groupById(rack))!.CurrentNum, 0, 'moving to another group leaves the first');
  });

  it('refuses (FailedOperation) a server under a RACK member\'s switch', async () => {
    const rack = await newGroup('RACK');
    await join(a, rack);
    await code(join(b, rack), 'FailedOperation', new RegExp(`under switch ${switchOfAB}, like member ${a}.*cannot move`));
    assert.deepEqual(await groupOf(rack), [a]);
  });

  it('refuses a server on a member\'s rack, and one under another switch than RACK_SAME_SW\'s', async () => {
    const free = await db().selectFrom('servers').select(['rack_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('flavor_id', '=', c.flavor().FlavorId).where('state', '=', 'available').where('switch_id', '!=', switchOfAB)
      .groupBy('rack_id').having((eb) => eb.fn.countAll(), '>=', 2).execute();
    const rackId = free[0]!.rack_id;
    const [x, y] = await launchOnRack(rackId, 2) as [string, string];
    launched.push(x, y);
    const sameSw = await newGroup('RACK_SAME_SW');
    await join(x, sameSw);
    await code(join(y, sameSw), 'FailedOperation', new RegExp(`on rack ${rackId}, where member ${x} already is`));
    const ab = await newGroup('RACK_SAME_SW');
    await join(a, ab);
    await code(join(x, ab), 'FailedOperation', new RegExp(`but member ${a} is under switch ${switchOfAB}`));
  });

  it('refuses unknown instances and groups (ResourceNotFound) and malformed group ids', async () => {
    const g = await newGroup('RACK');
    await code(join('bms-00000000', g), 'ResourceNotFound', /bms-00000000/);
    await code(join(a, 'ps-00000000'), 'ResourceNotFound', /ps-00000000/);
    await code(join(a, 'nothing'), 'InvalidParameterValue', /GroupId/);
  });
});

describe('tenant isolation', () => {
  let mine: string;
  before(async () => {
    mine = await newGroup('RACK', 'isolated-group');
  });

  it('another tenant does not see the group', async () => {
    assert.equal((await other<Groups>('DescribeDisasterRecoverGroups', { GroupIds: [mine] })).TotalCount, 0);
    assert.equal((await other<Groups>('DescribeDisasterRecoverGroups', { Filters: [{ Name: 'Name', Values: ['isolated'] }] })).TotalCount, 0);
  });

  it('another tenant\'s group answers exactly like a group that never existed', async () => {
    const unknown = 'ps-zzzzzzzz';
    // (Each failure is awaited as it is created: a rejection nobody awaits yet would fail the test run.)
    const pairs: Array<[() => Promise<unknown>, () => Promise<unknown>]> = [
      [() => other('UpdateDisasterRecoverGroup', { GroupId: mine, Name: 'stolen' }), () => other('UpdateDisasterRecoverGroup', { GroupId: unknown, Name: 'stolen' })],
      [() => other('DeleteDisasterRecoverGroups', { GroupIds: [mine] }), () => other('DeleteDisasterRecoverGroups', { GroupIds: [unknown] })],
    ];
    for (const [theirs, never] of pairs) {
      const [x, y] = [await failure(theirs()), await failure(never())];
      assert.equal(x.code, 'ResourceNotFound');
      assert.equal(x.code, y.code);
      assert.equal(x.message.replace(mine, unknown), y.message);
    }
    assert.equal((await groupById(mine))!.Name, 'isolated-group');
  });

  it('nobody launches into, or moves instances into, another tenant\'s group', async () => {
    const theirs = await newGroup('RACK', 'their-group', other);
    const e = await failure(launch({ GroupId: theirs }));
    assert.equal(e.code, 'ResourceNotFound');
    assert.equal(e.message.replace(theirs, 'ps-00000000'), (await failure(launch({ GroupId: 'ps-00000000' }))).message);
    const [mineInstance] = (await launch({})).BmsId;
    await code(c.bms('ModifyInstancesGroupId', { InstanceId: mineInstance, GroupId: theirs }), 'ResourceNotFound', new RegExp(theirs));
    await code(other('ModifyInstancesGroupId', { InstanceId: mineInstance, GroupId: theirs }), 'ResourceNotFound', new RegExp(mineInstance!));
    await returnAll([mineInstance!]);
  });
});

function raceSuite(backend: string, cloud: () => Cloud) {
  it(`concurrent launches into one RACK group never share a switch (${backend})`, async () => {
    const { bms, base, ops } = cloud();
    const { GroupId } = await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: `race-${backend}`, Type: 'RACK' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      bms<{ BmsId: string[] }>('RunInstances', { ...base(), GroupId, InstanceName: `racer-${i}` })));
    const ids = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.BmsId : []));
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    assert.equal(ids.length, 4, codes.join(','));
    assert.deepEqual([...new Set(codes)], ['ResourceInsufficient']);
    assertObeys('RACK', await placesOf(ids, ops));
  });
}

describe('concurrency', () => {
  raceSuite('SQLite', () => c);
});

describe('afterwards', () => {
  it('every task settles and nothing leaked', async () => {
    await waitFor('tasks settle', () => c.server.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0);
    assert.deepEqual(await checkInvariants(c.server.store.db), []);
  });
});

const freshSchemaUrl = schemaFactory();
await withPostgres('spread placement on PostgreSQL', () => {
  describe('concurrency on PostgreSQL', () => {
    let pgCloud: Cloud;
    before(async () => {
      pgCloud = await openCloud({ BMS_DATABASE_URL: freshSchemaUrl() });
    });
    after(async () => pgCloud?.server.stop());
    raceSuite('PostgreSQL', () => pgCloud);
  });
});
