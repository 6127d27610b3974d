/**
 * The operator API (bmsops 2026-01-01) through the front door: signed requests with the
 * operator's keys (raw TC3, and the official SDK's CommonClient), every rule with its exact
 * error code, the simulated datacenter seen from the API and from the lab, BMC passwords never
 * leaving in clear — and the demo fleet: its size, its layout, its speed and its idempotency.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { SimLabError, type SimLab } from '../src/drivers/sim/index.ts';
import { BMSOPS_SPEC, bmsOpsService } from '../src/services/bmsops-service.ts';
import { seedDemoFleet } from '../src/services/fleet/seed-demo-fleet.ts';
import { ConflictError } from '../src/store/errors.ts';
import type { Store } from '../src/store/store.ts';
import { tc3Request, type Creds, type Target } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

delete process.env.http_proxy; // the SDK routes everything through it, loopback included
delete process.env.HTTP_PROXY;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PASSWORDS = ['Bmc-Secret-7f3a9c-0', 'Bmc-Secret-7f3a9c-1', 'Bmc-Secret-7f3a9c-2', 'Bmc-Secret-7f3a9c-3', 'Bmc-Secret-7f3a9c-4'];
const ZONE = 'ap-guangzhou-1';

let server: TestServer;
let target: Target;
const replies: string[] = []; // every response body, searched for BMC passwords at the end
let sent = 0;

/** One signed call; trailing spaces make each body unique, so repeating a call is not refused as a replay. */
async function call(action: string, params: Json = {}, creds?: Creds, language?: string): Promise<Json> {
  const r = await tc3Request(target, creds ?? server.credentials.operator, {
    action, params, body: JSON.stringify(params) + ' '.repeat(sent++), version: '2026-01-01', service: 'bmsops', ...(language ? { language } : {}),
  });
  replies.push(r.text);
  return r.json.Response;
}

async function ok(action: string, params: Json = {}): Promise<Json> {
  const res = await call(action, params);
  assert.equal(res.Error, undefined, `${action}: ${JSON.stringify(res.Error)}`);
  return res;
}

async function fails(action: string, params: Json, code: string, message?: RegExp): Promise<string> {
  const res = await call(action, params);
  assert.equal(res.Error?.Code, code, `${action}: ${JSON.stringify(res.Error ?? res)}`);
  if (message) assert.match(res.Error.Message, message);
  return res.Error.Message;
}

function registration(n: number, rackId: string, extra: Json = {}): Json {
  return {
    Sn: `TST-${n}`, RackId: rackId, RackUnit: n + 1, HardwareType: 'sim', BmcAddress: `10.254.0.${n + 1}`, BmcUsername: 'admin',
    BmcPassword: PASSWORDS[n % PASSWORDS.length], CpuModel: 'Intel Xeon Gold 6248', CpuCores: 40, CpuArch: 'X86', MemoryGb: 384,
    Disks: [{ Type: 'SSD', SizeGb: 960 }, { Type: 'SSD', SizeGb: 960 }], NicPorts: 4, ...extra,
  };
}

const lab = (): SimLab => server.sim.lab;

before(async () => {
  server = await startTestServer({ BMS_DEMO: '0', BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  const [host, port] = server.endpoint.split(':');
  target = { host: host!, port: Number(port) };
});
after(async () => server.stop());

describe('bmsops: the spec', () => {
  it('gives every action a handler, a rate limit of 20/s and docs in both languages', () => {
    const service = bmsOpsService({ store: undefined as never, box: undefined as never, sim: undefined as never });
    assert.equal(service.audience, 'operator');
    assert.deepEqual(Object.keys(service.handlers).sort(), Object.keys(BMSOPS_SPEC.actions).sort());
    for (const [name, a] of Object.entries(BMSOPS_SPEC.actions)) {
      assert.equal(a.rateLimit, 20, name);
      assert.equal(a.mutating, !/^Describe/.test(name), name);
      for (const m of a.input) assert.ok(m.document && m.documentEn, `${name}.${m.name}`);
    }
  });
});

describe('bmsops: who may call it', () => {
  it('refuses a tenant key on every operator action with AuthFailure.UnauthorizedOperation', async () => {
    for (const action of Object.keys(BMSOPS_SPEC.actions)) {
      const res = await call(action, {}, server.credentials.demo);
      assert.equal(res.Error?.Code, 'AuthFailure.UnauthorizedOperation', action);
      assert.match(res.Error.Message, new RegExp(`bmsops:${action}`));
    }
  });

  it('answers the official SDK with operator keys (TC3 POST and HmacSHA256 GET with nested parameters)', async () => {
    const { operator } = server.credentials;
    const sdk = (signMethod: 'TC3-HMAC-SHA256' | 'HmacSHA256', reqMethod: 'POST' | 'GET') => new CommonClient(operator.Endpoint, '2026-01-01', {
      credential: { secretId: operator.SecretId, secretKey: operator.SecretKey }, region: operator.Region,
      profile: { signMethod, httpProfile: { protocol: 'http://', reqMethod, endpoint: operator.Endpoint } },
    });
    const sw = (await sdk('TC3-HMAC-SHA256', 'POST').request('CreateSwitch', { Zone: 'ap-guangzhou-2', SwitchName: 'sdk-tor' })) as Json;
    const rack = (await sdk('HmacSHA256', 'GET').request('CreateRack', { SwitchId: sw.SwitchId, RackName: 'sdk-rack' })) as Json;
    const reg = registration(90, rack.RackId, { Sn: 'SDK-1', RackUnit: 1, BmcAddress: '10.254.9.1', HardwareType: 'redfish' });
    const made = (await sdk('HmacSHA256', 'GET').request('RegisterServers', { ServerSet: [reg] })) as Json;
    const listed = (await sdk('TC3-HMAC-SHA256', 'POST').request('DescribeServers', { ServerIds: made.ServerIds })) as Json;
    assert.deepEqual(listed.ServerSet[0].Disks, reg.Disks);
    assert.equal(listed.ServerSet[0].SwitchName, 'sdk-tor');
  });
});

describe('bmsops: topology', () => {
  it('creates switches and racks, counts what hangs under them, and enforces names and zones', async () => {
    const { SwitchId } = await ok('CreateSwitch', { Zone: ZONE, SwitchName: 'tor-a' });
    assert.match(SwitchId, /^sw-[0-9a-z]{8}$/);
    await fails('CreateSwitch', { Zone: ZONE, SwitchName: 'tor-a' }, 'InvalidParameterValue', /already has a switch named "tor-a" \(sw-/);
    await fails('CreateSwitch', { Zone: 'ap-mars-1', SwitchName: 'x' }, 'InvalidParameterValue', /ap-mars-1.*DescribeZones/);
    await fails('CreateSwitch', { Zone: ZONE, SwitchName: 'bad name' }, 'InvalidParameterValue', /SwitchName/);
    await fails('CreateSwitch', { Zone: ZONE }, 'MissingParameter', /SwitchName/);
    await fails('CreateRack', { SwitchId: 'sw-00000000', RackName: 'r' }, 'ResourceNotFound', /sw-00000000/);
    await fails('CreateRack', { SwitchId: 'switch-1', RackName: 'r' }, 'InvalidParameterValue', /not a switch ID/);
    const { RackId } = await ok('CreateRack', { SwitchId: SwitchId.toUpperCase().replace('SW-', 'sw-'), RackName: 'rack-a1' });
    await fails('CreateRack', { SwitchId, RackName: 'rack-a1' }, 'InvalidParameterValue', /rack named "rack-a1"/);
    const racks = await ok('DescribeRacks', { SwitchId });
    assert.deepEqual(racks.RackSet.map((r: Json) => [r.RackId, r.Zone, r.SwitchName, r.ServerCount]), [[RackId, ZONE, 'tor-a', 0]]);
    const sws = await ok('DescribeSwitches', { SwitchIds: [SwitchId] });
    assert.deepEqual(sws.SwitchSet.map((s: Json) => [s.SwitchName, s.RackCount, s.ServerCount]), [['tor-a', 1, 0]]);
    await fails('DescribeSwitches', { Zone: 'nowhere' }, 'InvalidParameterValue', /nowhere/);
  });
});

describe('bmsops: OS images and flavors', () => {
  let x86: string; let arm: string;
  before(async () => {
    x86 = (await ok('CreateOsImage', { OsType: 'Linux', OsName: 'Rocky 9', CpuArch: 'X86' })).ImageId;
    arm = (await ok('CreateOsImage', { OsType: 'Linux', OsName: 'Rocky 9', CpuArch: 'ARM' })).ImageId;
  });
  const flavor = (extra: Json = {}): Json => ({
    Zone: ZONE, FlavorName: 'ops.test', Cpu: '2*Xeon', Memory: '384GB', SystemDisk: '2*960GB SSD', NetSpeed: '2*25GE', CpuArch: 'X86',
    FlavorType: 'standard', NetworkPorts: 4, RaidTypes: ['RAID1'], HourlyPrice: '12', UserDefined: false, OsImageIds: [], ...extra,
  });

  it('keeps images unique per type, name and architecture', async () => {
    await fails('CreateOsImage', { OsType: 'Linux', OsName: 'Rocky 9', CpuArch: 'X86' }, 'InvalidParameterValue', new RegExp(x86));
    await fails('CreateOsImage', { OsType: 'BeOS', OsName: 'x', CpuArch: 'X86' }, 'InvalidParameterValue', /OsType/);
    const listed = await ok('DescribeOsImages', { Filters: [{ Name: 'os-name', Values: ['rocky'] }] });
    assert.deepEqual(listed.OsImageSet.map((i: Json) => i.CpuArch), ['ARM', 'X86']);
  });

  it('checks every rule of CreateFlavor, and shows what ModifyFlavor changed', async () => {
    await fails('CreateFlavor', flavor({ OsImageIds: [x86, arm] }), 'InvalidParameterValue', /OsImageIds\.1.*ARM/);
    await fails('CreateFlavor', flavor({ OsImageIds: ['img-00000000'] }), 'ResourceNotFound', /img-00000000/);
    await fails('CreateFlavor', flavor({ UserDefined: true }), 'MissingParameter', /OwnerUin/);
    await fails('CreateFlavor', flavor({ UserDefined: true, OwnerUin: server.credentials.operator.accountUin }), 'InvalidParameterValue', /not a tenant/);
    await fails('CreateFlavor', flavor({ UserDefined: true, OwnerUin: '999' }), 'InvalidParameterValue', /not a tenant/);
    await fails('CreateFlavor', flavor({ OwnerUin: server.credentials.demo.accountUin }), 'InvalidParameterValue', /OwnerUin/);
    await fails('CreateFlavor', flavor({ HourlyPrice: '12.345' }), 'InvalidParameterValue', /HourlyPrice/);
    await fails('CreateFlavor', flavor({ RaidTypes: ['RAID6'] }), 'InvalidParameterValue', /RaidTypes\.0/);
    const { FlavorId } = await ok('CreateFlavor', flavor({ OsImageIds: [x86] }));
    await fails('CreateFlavor', flavor(), 'InvalidParameterValue', new RegExp(`flavor named "ops.test" \\(${FlavorId}\\)`));
    const custom = await ok('CreateFlavor', flavor({ FlavorName: 'ops.custom', UserDefined: true, OwnerUin: server.credentials.demo.accountUin }));
    await fails('ModifyFlavor', { FlavorId }, 'MissingParameter', /at least one/);
    await fails('ModifyFlavor', { FlavorId: 'flavor-00000000', SoldOut: true }, 'ResourceNotFound');
    await fails('ModifyFlavor', { FlavorId, OsImageIds: [arm] }, 'InvalidParameterValue', /OsImageIds\.0/);
    await ok('ModifyFlavor', { FlavorId, SoldOut: true, HourlyPrice: '9.5', RaidTypes: ['RAID0', 'RAID10', 'RAID0'], OsImageIds: [] });
    const [f] = (await ok('DescribeFlavors', { FlavorIds: [FlavorId] })).FlavorSet;
    assert.deepEqual([f.SoldOut, f.HourlyPrice, f.RaidTypes, f.OsImageSet, f.OwnerUin], [true, '9.50', ['RAID0', 'RAID10'], [], null]);
    const mine = await ok('DescribeFlavors', { Filters: [{ Name: 'user-defined', Values: ['true'] }, { Name: 'zone', Values: [ZONE] }] });
    assert.deepEqual(mine.FlavorSet.map((x: Json) => [x.FlavorId, x.OwnerUin]), [[custom.FlavorId, server.credentials.demo.accountUin]]);
  });
});

describe('bmsops: servers', () => {
  let rackId: string; let otherRack: string; let flavorId: string; let armFlavor: string; let zone2Flavor: string;
  let ids: string[] = [];
  before(async () => {
    const sw = await ok('CreateSwitch', { Zone: ZONE, SwitchName: 'tor-s' });
    rackId = (await ok('CreateRack', { SwitchId: sw.SwitchId, RackName: 'rack-s1' })).RackId;
    otherRack = (await ok('CreateRack', { SwitchId: sw.SwitchId, RackName: 'rack-s2' })).RackId;
    const base = { Cpu: 'c', Memory: 'm', SystemDisk: 'd', NetSpeed: 'n', FlavorType: 'standard', NetworkPorts: 4, RaidTypes: ['RAID1'], HourlyPrice: '1', UserDefined: false };
    flavorId = (await ok('CreateFlavor', { ...base, Zone: ZONE, FlavorName: 'srv.x86', CpuArch: 'X86' })).FlavorId;
    armFlavor = (await ok('CreateFlavor', { ...base, Zone: ZONE, FlavorName: 'srv.arm', CpuArch: 'ARM' })).FlavorId;
    zone2Flavor = (await ok('CreateFlavor', { ...base, Zone: 'ap-guangzhou-2', FlavorName: 'srv.x86', CpuArch: 'X86' })).FlavorId;
  });

  it('registers a batch, racks the sim machines in the lab and lists them with their topology', async () => {
    const set = [0, 1, 2].map((n) => registration(n, rackId, { FlavorId: flavorId }));
    set.push(registration(3, rackId, { HardwareType: 'redfish' }));
    ids = (await ok('RegisterServers', { ServerSet: set })).ServerIds;
    assert.equal(ids.length, 4);
    const listed = await ok('DescribeServers', { Filters: [{ Name: 'rack-id', Values: [rackId] }] });
    assert.equal(listed.TotalCount, 4);
    const first = listed.ServerSet[0];
    assert.deepEqual(
      [first.ServerId, first.Sn, first.Zone, first.SwitchName, first.RackId, first.RackName, first.RackUnit, first.FlavorName, first.State, first.PowerState],
      [ids[0], 'TST-0', ZONE, 'tor-s', rackId, 'rack-s1', 1, 'srv.x86', 'available', 'off'],
    );
    assert.deepEqual([first.InstanceId, first.InstanceStatus, first.AccountUin, first.Maintenance, first.MaintenanceReason], [null, null, null, false, null]);
    assert.equal(listed.ServerSet[3].PowerState, 'unknown');
    assert.ok(!('BmcPassword' in first));
    const snapshot = await lab().snapshot(ids[0]!);
    assert.deepEqual([snapshot.inventory.sn, snapshot.bmc.address, snapshot.bmc.adminUsername, snapshot.power], ['TST-0', '10.254.0.1', 'admin', 'off']);
    await assert.rejects(lab().snapshot(ids[3]!), (e: unknown) => e instanceof SimLabError && e.code === 'unknown-server');
  });

  it('refuses clashes and misfits with the exact path, and registers nothing of a refused batch', async () => {
    const labBefore = (await lab().listServers()).length;
    const batch = (bad: Json) => ({ ServerSet: [registration(10, rackId), { ...registration(11, rackId), ...bad }] });
    await fails('RegisterServers', batch({ Sn: 'TST-10' }), 'InvalidParameterValue', /ServerSet\.1\.Sn.*ServerSet\.0\.Sn/);
    await fails('RegisterServers', batch({ Sn: 'TST-1' }), 'InvalidParameterValue', new RegExp(`ServerSet\\.1\\.Sn.*${ids[1]}`));
    await fails('RegisterServers', batch({ RackUnit: 1 }), 'InvalidParameterValue', new RegExp(`ServerSet\\.1\\.RackUnit.*${ids[0]}`));
    await fails('RegisterServers', batch({ BmcAddress: '10.254.0.3' }), 'InvalidParameterValue', new RegExp(`ServerSet\\.1\\.BmcAddress.*${ids[2]}`));
    await fails('RegisterServers', batch({ RackId: 'rack-00000000' }), 'ResourceNotFound', /rack-00000000/);
    await fails('RegisterServers', batch({ FlavorId: armFlavor }), 'InvalidParameterValue', /ServerSet\.1\.CpuArch/);
    await fails('RegisterServers', batch({ FlavorId: zone2Flavor }), 'InvalidParameterValue', /ServerSet\.1\.FlavorId.*ap-guangzhou-2/);
    await fails('RegisterServers', batch({ HardwareType: 'ipmi' }), 'InvalidParameterValue', /ServerSet\.1\.HardwareType/);
    await fails('RegisterServers', batch({ Sn: 'has space' }), 'InvalidParameterValue', /ServerSet\.1\.Sn/);
    await fails('RegisterServers', batch({ BmcPassword: undefined }), 'MissingParameter', /ServerSet\.1\.BmcPassword/);
    await fails('RegisterServers', { ServerSet: Array.from({ length: 101 }, (_, i) => registration(i, rackId)) }, 'InvalidParameterValue', /at most 100/);
    const after = await ok('DescribeServers', { Filters: [{ Name: 'sn', Values: ['tst-10', 'TST-11'] }] });
    assert.equal(after.TotalCount, 0);
    assert.equal((await lab().listServers()).length, labBefore);
  });

  it('leaves nothing behind when the lab or the store fails half-way', async () => {
    const ctx = {
      requestId: 'r', principal: { accountKind: 'operator', accountUin: '1', userUin: '1' } as never, region: 'ap-guangzhou',
      language: 'en-US' as const, now: Date.now(), sourceIp: '127.0.0.1',
    };
    const labBefore = await lab().listServers();
    let adds = 0;
    const flakyLab = Object.create(lab(), {
      addServer: { value: (...args: Parameters<SimLab['addServer']>) => (++adds === 2 ? Promise.reject(new SimLabError('invalid', 'disk 3 is on fire')) : lab().addServer(...args)) },
    }) as SimLab;
    const params = { ServerSet: [registration(20, otherRack), registration(21, otherRack)] };
    const viaFlakyLab = bmsOpsService({ store: server.store, box: server.box, sim: flakyLab });
    await assert.rejects(viaFlakyLab.handlers.RegisterServers!(ctx, params), /ServerSet\.1.*disk 3 is on fire/);
    const failingStore: Store = { ...server.store, transaction: () => Promise.reject(new ConflictError('servers', ['sn'], undefined)) };
    const viaFailingStore = bmsOpsService({ store: failingStore, box: server.box, sim: lab() });
    await assert.rejects(viaFailingStore.handlers.RegisterServers!(ctx, params), /another registration took one of the SNs/);
    assert.deepEqual(await lab().listServers(), labBefore);
    assert.equal((await ok('DescribeServers', { Filters: [{ Name: 'rack-id', Values: [otherRack] }] })).TotalCount, 0);
  });

  it('filters servers by every documented filter and pages with an exact total', async () => {
    const count = async (Name: string, Values: string[]) => (await ok('DescribeServers', { Filters: [{ Name, Values }, { Name: 'rack-id', Values: [rackId] }] })).TotalCount;
    assert.equal(await count('zone', [ZONE]), 4);
    assert.equal(await count('flavor-id', [flavorId.toUpperCase()]), 3);
    assert.equal(await count('hardware-type', ['redfish']), 1);
    assert.equal(await count('state', ['available']), 4);
    assert.equal(await count('maintenance', ['false']), 4);
    assert.equal(await count('sn', ['tst-2']), 1);
    assert.equal(await count('instance-id', ['bms-00000000']), 0);
    const page = await ok('DescribeServers', { Filters: [{ Name: 'rack-id', Values: [rackId] }], Offset: 1, Limit: 2 });
    assert.deepEqual([page.TotalCount, page.ServerSet.map((s: Json) => s.ServerId)], [4, ids.slice(1, 3)]);
    await fails('DescribeServers', { ServerIds: [ids[0]], Filters: [{ Name: 'zone', Values: [ZONE] }] }, 'InvalidParameterValue', /ServerIds and Filters/);
    await fails('DescribeServers', { Filters: [{ Name: 'state', Values: ['broken'] }] }, 'InvalidParameterValue', /Filters\.0\.Values\.0/);
    await fails('DescribeServers', { Filters: [{ Name: 'color', Values: ['red'] }] }, 'InvalidParameterValue', /color/);
  });

  it('takes servers into maintenance and back, and never one an instance holds', async () => {
    await ok('ModifyServersMaintenance', { ServerIds: [ids[0], ids[1]], Maintenance: true, Reason: 'replace DIMM B2' });
    const down = (await ok('DescribeServers', { Filters: [{ Name: 'maintenance', Values: ['true'] }] })).ServerSet;
    assert.deepEqual(down.map((s: Json) => [s.ServerId, s.State, s.Maintenance, s.MaintenanceReason]),
      [[ids[0], 'maintenance', true, 'replace DIMM B2'], [ids[1], 'maintenance', true, 'replace DIMM B2']]);
    const [f] = (await ok('DescribeFlavors', { FlavorIds: [flavorId] })).FlavorSet;
    assert.deepEqual([f.AvailableServerCount, f.MaintenanceServerCount], [1, 2]);
    await fails('ModifyServersMaintenance', { ServerIds: [ids[0]], Maintenance: false, Reason: 'x' }, 'InvalidParameterValue', /Reason/);
    await fails('ModifyServersMaintenance', { ServerIds: [ids[0], 'srv-00000000'], Maintenance: false }, 'ResourceNotFound', /srv-00000000/);
    await ok('ModifyServersMaintenance', { ServerIds: [ids[0], ids[1], ids[2]], Maintenance: false });
    const up = (await ok('DescribeServers', { ServerIds: [ids[0]] })).ServerSet[0];
    assert.deepEqual([up.State, up.MaintenanceReason], ['available', null]);

    const now = Date.now(); // a machine handed over to the demo tenant (instances are another team's; the row is enough here)
    await server.store.db.insertInto('instances').values({
      id: 'bms-held0001', account_uin: server.credentials.demo.accountUin, zone: ZONE, flavor_id: flavorId, server_id: ids[2]!, name: 'held',
      host_name: 'held', os_type: 'Linux', os_name: 'Rocky 9', cpu_arch: 'X86', raid_type: 'RAID1', status: 'RUNNING', vpc_id: 'vpc-x',
      subnet_id: 'subnet-x', private_ip: null, password_hash: null, enhanced_service: '{}', user_defined: 0, group_id: null, error: null,
      created_at: now, updated_at: now, deleted_at: null,
    }).execute();
    await server.store.db.updateTable('servers').set({ state: 'allocated', instance_id: 'bms-held0001' }).where('id', '=', ids[2]!).execute();
    await fails('ModifyServersMaintenance', { ServerIds: [ids[0], ids[2]], Maintenance: true }, 'ResourceInUse', /bms-held0001/);
    const held = (await ok('DescribeServers', { Filters: [{ Name: 'instance-id', Values: ['BMS-HELD0001'] }] })).ServerSet;
    assert.deepEqual(held.map((s: Json) => [s.ServerId, s.State, s.InstanceStatus, s.AccountUin]),
      [[ids[2], 'allocated', 'RUNNING', server.credentials.demo.accountUin]]);
    assert.equal((await ok('DescribeServers', { ServerIds: [ids[0]] })).ServerSet[0].State, 'available', 'the refused batch changed nothing');
    const zh = await call('ModifyServersMaintenance', { ServerIds: [ids[2]], Maintenance: true }, undefined, 'zh-CN');
    assert.match(zh.Error.Message, /正被实例 bms-held0001 使用/);
  });

  it('injects faults that DescribeServerFaults and the lab both show, clears them, and presses power buttons', async () => {
    const id = ids[1]!;
    const one = await ok('InjectServerFaults', { ServerId: id, Fault: 'raid-fails', Times: 2 });
    assert.deepEqual(one.FaultSet, [{ ServerId: id, Fault: 'raid-fails', Times: 2, Operations: [] }]);
    await ok('InjectServerFaults', { ServerId: id, Fault: 'hang', Operations: ['installOs'] });
    const listed = await ok('DescribeServerFaults', { ServerIds: [id, ids[0]] });
    assert.deepEqual(listed.FaultSet.map((f: Json) => [f.Fault, f.Times, f.Operations]), [['raid-fails', 2, []], ['hang', null, ['installOs']]]);
    assert.deepEqual((await lab().snapshot(id)).faults, [{ kind: 'raid-fails', remaining: 2 }, { kind: 'hang', operations: ['installOs'] }]);
    await fails('InjectServerFaults', { ServerId: id, Fault: 'raid-fails', Operations: ['reboot'] }, 'InvalidParameterValue', /Operations.*cannot strike reboot/);
    await fails('InjectServerFaults', { ServerId: id, Fault: 'meteor' }, 'InvalidParameterValue', /Fault/);
    await fails('InjectServerFaults', { ServerId: ids[3], Fault: 'hang' }, 'UnsupportedOperation', /redfish/);
    await fails('InjectServerFaults', { ServerId: 'srv-00000000', Fault: 'hang' }, 'ResourceNotFound');
    await fails('DescribeServerFaults', { ServerIds: [ids[3]] }, 'UnsupportedOperation');
    await ok('ClearServerFaults', { ServerId: id });
    assert.deepEqual((await ok('DescribeServerFaults', { ServerIds: [id] })).FaultSet, []);
    assert.deepEqual((await lab().snapshot(id)).faults, []);
    await ok('PressServerPowerButton', { ServerId: id, PowerState: 'on' });
    assert.equal((await lab().snapshot(id)).power, 'on');
    await fails('PressServerPowerButton', { ServerId: ids[3], PowerState: 'on' }, 'UnsupportedOperation');
    await fails('PressServerPowerButton', { ServerId: id, PowerState: 'reboot' }, 'InvalidParameterValue');
  });

  it('never lets a BMC password out: not in a response, the log, or the SQLite files', async () => {
    const used = PASSWORDS.slice(0, 4);
    const sealed = await server.store.db.selectFrom('servers').select(['id', 'bmc_password_enc']).where('id', 'in', ids).orderBy('sn').execute();
    assert.deepEqual(sealed.map((r) => server.box.open(r.bmc_password_enc, r.id)), used);
    const files = ['bms.sqlite', 'bms.sqlite-wal'].map((f) => { try { return readFileSync(join(server.dataDir, f)); } catch { return Buffer.alloc(0); } });
    const log = JSON.stringify(server.logLines);
    for (const password of used) {
      assert.ok(!replies.some((r) => r.includes(password)), 'a response carries a BMC password');
      assert.ok(!log.includes(password), 'the log carries a BMC password');
      assert.ok(!files.some((b) => b.includes(password)), 'the SQLite files carry a BMC password');
    }
  });
});

describe('bmsops: the demo fleet', () => {
  let fresh: TestServer;
  before(async () => {
    fresh = await startTestServer({ BMS_DEMO: '0', BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  });
  after(async () => fresh.stop());

  it('seeds 2 zones × 192 servers with standard X86/ARM flavors and a user-defined one, fast and only once', async () => {
    const deps = { store: fresh.store, box: fresh.box, sim: fresh.sim.lab };
    const opts = { zones: ['ap-guangzhou-1', 'ap-guangzhou-2'], demoAccountUin: fresh.credentials.demo.accountUin, now: Date.now() };
    const t0 = performance.now();
    const fleet = await seedDemoFleet(deps, opts);
    const ms = performance.now() - t0;
    console.log(`# seedDemoFleet: ${fleet.servers} servers in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2000, `seeding took ${ms.toFixed(0)} ms`);
    assert.equal(fleet.servers, 384);
    assert.equal((await fresh.sim.lab.listServers()).length, 384);

    const rows = await fresh.store.db.selectFrom('servers').innerJoin('flavors', 'flavors.id', 'servers.flavor_id')
      .select(['servers.id', 'servers.sn', 'servers.zone', 'servers.switch_id', 'servers.rack_id', 'servers.bmc_address', 'servers.bmc_password_enc',
        'servers.flavor_id', 'flavors.name', 'flavors.cpu_arch', 'flavors.user_defined', 'flavors.owner_uin']).execute();
    assert.equal(rows.length, 384);
    assert.ok(rows.every((r) => /^SIM\d{8}$/.test(r.sn) && /^10\.255\.\d+\.\d+$/.test(r.bmc_address)));
    assert.equal(new Set(rows.map((r) => r.bmc_address)).size, 384);
    assert.equal(new Set(rows.map((r) => r.rack_id)).size, 48);
    for (const zone of opts.zones) {
      const standard = rows.filter((r) => r.zone === zone && !r.user_defined);
      assert.ok(new Set(standard.map((r) => r.name)).size >= 3, zone);
      assert.deepEqual([...new Set(standard.map((r) => r.cpu_arch))].sort(), ['ARM', 'X86'], zone);
    }
    const byRack = new Map<string, Set<string>>();
    for (const r of rows) byRack.set(r.rack_id, (byRack.get(r.rack_id) ?? new Set()).add(r.name));
    assert.ok([...byRack.values()].every((names) => names.size >= 3), 'every rack mixes flavors');
    const gpu = rows.filter((r) => r.user_defined);
    assert.equal(gpu.length, 6);
    assert.ok(gpu.every((r) => r.zone === 'ap-guangzhou-1' && r.owner_uin === opts.demoAccountUin && r.flavor_id === fleet.userDefinedFlavorId));
    assert.equal(new Set(gpu.map((r) => r.switch_id)).size, 4, 'the GPU servers span every switch');
    assert.equal(fleet.flavors['bms.custom.gpu@ap-guangzhou-1'], fleet.userDefinedFlavorId);
    const sample = rows[0]!;
    assert.match(fresh.box.open(sample.bmc_password_enc, sample.id), /^[A-Za-z0-9_-]{16}$/);
    assert.equal((await fresh.sim.lab.snapshot(sample.id)).bmc.adminUsername, 'admin');

    const again = await seedDemoFleet(deps, { ...opts, now: Date.now() });
    assert.deepEqual(again, fleet);
    const counts = await fresh.store.db.selectFrom('servers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(counts.n), 384);
    assert.equal((await fresh.sim.lab.listServers()).length, 384);
    const [host, port] = fresh.endpoint.split(':');
    const viaApi = await tc3Request({ host: host!, port: Number(port) }, fresh.credentials.operator,
      { action: 'DescribeFlavors', params: { Limit: 100 }, version: '2026-01-01', service: 'bmsops' });
    const flavorSet = viaApi.json.Response.FlavorSet as Json[];
    assert.equal(flavorSet.length, 7);
    assert.equal(flavorSet.reduce((n, f) => n + f.AvailableServerCount, 0), 384);
  });
});
