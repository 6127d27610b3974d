/**
 * Billing over 30 simulated days, through the front door: a tenant launches an instance with the
 * official SDK, stops, starts, reinstalls it, the operator changes the flavor's price mid-period,
 * the tenant returns it. Time is one frozen clock (Date.now, shared by the SDK's signatures and
 * the server; `new Date()` too) that the test moves; the biller runs every simulated hour. Expected records,
 * deductions and the balance are worked out by hand below, to the cent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { recharge } from '../src/billing/ledger.ts';
import { listLedger, listRecords, recordsOfResource } from '../src/store/repos/billing.ts';
import { stateHistoryOf } from '../src/store/repos/state-history.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const RealDate = Date;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z
let now = T0 - DAY;

let server: TestServer;
let tenant: Call;
let tenantVpc: Call;
let ops: Call;
let uin: string;
let instanceId: string;
let failedId: string;
let flavorId: string;

async function tickTo(t: number) {
  for (let h = Math.floor(now / HOUR) + 1; h * HOUR <= t; h++) {
    now = h * HOUR;
    await server.biller.runOnce(now);
  }
  now = t;
  await server.biller.runOnce(now);
}

async function status(id: string): Promise<string | undefined> {
  const r = await tenant<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: [id] });
  return r.InstanceSet[0]?.Status;
}

before(async () => {
  // `new Date()` (the SDK's signing time) and Date.now() (the server's clock) both read the test's clock.
  globalThis.Date = class extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now); else super(...(args as [number]));
    }
    static override now() { return now; }
  } as DateConstructor;
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_BILLING_RUN_MS: '3600000' }, { rateLimiter: { take: () => true } });
  const { account, root } = await createAccountWithRoot(server.store.db, 'Billed Tenant', 'tenant', now);
  uin = account.uin;
  const key = await createApiKey(server.store.db, server.box, root.id, now);
  const creds = { ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey };
  tenant = sdk(creds);
  tenantVpc = sdk(creds, 'vpc');
  ops = sdk(server.credentials.operator, 'bmsops');
  const { FlavorSet } = await tenant<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; Placement: { Zone: string } }> }>('DescribeFlavors', {});
  flavorId = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === 'ap-guangzhou-1')!.FlavorId;
  await recharge(server.store, { accountUin: uin, key: 'opening', cents: 1_000_000, remark: 'opening' }, now);
});
after(async () => {
  globalThis.Date = RealDate;
  await server.stop();
});

async function launch(name: string): Promise<string> {
  const zone = 'ap-guangzhou-1';
  const { FlavorSet } = await tenant<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }> }>('DescribeFlavors', {});
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === zone)!;
  assert.equal(flavor.FlavorId, flavorId);
  const { SubnetSet } = await tenantVpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', {});
  let subnet = SubnetSet[0];
  if (!subnet) {
    const { Vpc } = await tenantVpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'billed', CidrBlock: '10.60.0.0/16' });
    const { Subnet } = await tenantVpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'b', CidrBlock: '10.60.1.0/24', Zone: zone, IsBmsSubnet: true });
    subnet = { SubnetId: Subnet.SubnetId, VpcId: Vpc.VpcId };
  }
  const run = await tenant<{ BmsId: string[] }>('RunInstances', {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Billing#2026pw' }, RaidType: flavor.RaidType[0],
    InstanceName: name,
  });
  return run.BmsId[0]!;
}

/** Waits for a status while the clock moves a second per look (the task engine's retries and polls need time to pass). */
const settled = (id: string, want: string) => waitFor(`${id} ${want}`, async () => { now += 1000; return status(id); }, (s) => s === want);
let start = 0;

describe('billing over 30 simulated days', () => {
  it('a launch that fails costs nothing', async () => {
    // Before the 30 days: the next server's install fails; the clock moves while its retries back off.
    const srv = await server.store.db.selectFrom('servers').select('id').where('flavor_id', '=', flavorId).where('state', '=', 'available')
      .orderBy('id').executeTakeFirstOrThrow();
    await server.sim.lab.injectFault(srv.id, { kind: 'install-fails' });
    failedId = await launch('doomed');
    await waitFor('CREATE_FAILED', async () => { now += 10_000; return status(failedId); }, (x) => x === 'CREATE_FAILED');
    await server.sim.lab.clearFaults(srv.id);
    await tenant('TerminateInstances', { InstanceIds: [failedId] });
    await waitFor('gone', async () => { now += 1000; return status(failedId); }, (s) => s === undefined);
    assert.ok(now < T0);
  });

  it('launch, stop, start, reinstall, price change, return', async () => {
    now = T0;
    await ops('ModifyFlavor', { FlavorId: flavorId, HourlyPrice: '12.34' });
    now = T0 + 10_000;
    instanceId = await launch('billed');
    await settled(instanceId, 'RUNNING');
    // Billing starts when the journal says it first reached RUNNING (T0 + 10 s, or a few simulated seconds later).
    start = (await stateHistoryOf(server.store.db, instanceId)).find((c) => c.to === 'RUNNING')!.at;
    assert.ok(start >= T0 + 10_000 && start < T0 + 600_000 && start % 1000 === 0, String(start - T0));

    await tickTo(T0 + 3 * DAY + 2 * HOUR);
    await tenant('StopInstances', { InstanceIds: [instanceId] });
    await settled(instanceId, 'STOPPED');
    await tickTo(T0 + 5 * DAY);
    await tenant('StartInstances', { InstanceIds: [instanceId] });
    await settled(instanceId, 'RUNNING');
    await tickTo(T0 + 10 * DAY + 30 * 60_000);
    const { FlavorSet } = await tenant<{ FlavorSet: Array<{ FlavorId: string; RaidType: string[]; OperatingSystem: { Linux: string[] } }> }>('DescribeFlavors', {});
    const flavor = FlavorSet.find((f) => f.FlavorId === flavorId)!;
    await tenant('ResetInstance', {
      InstanceId: instanceId, RaidType: flavor.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux.at(-1),
      LoginSettings: { Password: 'Billing#2026pw2' },
    });
    await settled(instanceId, 'RUNNING');
    await tickTo(T0 + 20 * DAY + 6 * HOUR);
    await ops('ModifyFlavor', { FlavorId: flavorId, HourlyPrice: '15.67' });
    await tickTo(start + 29 * DAY + 13 * HOUR + 20 * 60_000 + 10_010);
    await tenant('TerminateInstances', { InstanceIds: [instanceId] });
    await waitFor('gone', () => status(instanceId), (s) => s === undefined);
    await tickTo(T0 + 30 * DAY + 2 * HOUR);
  });

  it('the records are exactly the 29 full days and the last partial one', async () => {
    const records = await recordsOfResource(server.store.db, instanceId);
    const expected = [];
    for (let k = 0; k < 29; k++) {
      const price = k <= 20 ? 1234 : 1567; // period 20 began (day 20, minutes after 00:00) before the change (day 20 06:00): old price
      expected.push({ period_start: start + k * DAY, period_end: start + (k + 1) * DAY, quantity: 86400, unit_price_cents: price, amount_cents: 24 * price, final: 0 });
    }
    // return began 29 d 13 h 20 min 10.010 s after the start → cut to the second: 48010 s into period 29
    // 48010 s × 15.67 / 3600 = 208.9769… → 208.98
    expected.push({ period_start: start + 29 * DAY, period_end: start + 29 * DAY + 48_010_000, quantity: 48010, unit_price_cents: 1567, amount_cents: 20898, final: 1 });
    assert.deepEqual(records.map((r) => ({
      period_start: r.period_start, period_end: r.period_end, quantity: r.quantity, unit_price_cents: r.unit_price_cents, amount_cents: r.amount_cents, final: r.final,
    })), expected);
    for (const r of records) {
      assert.equal(r.pushed_at, r.period_end, 'pushed when its period ends (the last one when the return begins)');
      assert.equal(r.deduct_due_at, r.pushed_at + HOUR);
      assert.equal(r.deducted_at, r.pushed_at + HOUR, 'deducted one hour after its push');
    }
  });

  it('the failed launch has no record; the ledger and balance add up to the cent', async () => {
    assert.deepEqual(await recordsOfResource(server.store.db, failedId), []);
    const all = await listRecords(server.store.db, { accountUin: uin, from: 0, to: Number.MAX_SAFE_INTEGER });
    assert.equal(all.length, 30);
    const ledger = await listLedger(server.store.db, { accountUin: uin, from: 0, to: Number.MAX_SAFE_INTEGER });
    const deductions = ledger.filter((l) => l.kind === 'deduct');
    assert.equal(deductions.length, 30);
    for (const d of deductions) {
      const r = all.find((x) => `deduct:${x.record_key}` === d.entry_key)!;
      assert.equal(d.amount_cents, -r.amount_cents);
      assert.equal(d.created_at, r.pushed_at + HOUR);
    }
    // 21 × 296.16 + 8 × 376.08 + 208.98 = 6219.36 + 3008.64 + 208.98 = 9436.98; 10000.00 − 9436.98 = 563.02
    assert.equal(ledger.at(-1)!.balance_after_cents, 56302);
    const acct = await server.store.db.selectFrom('billing_accounts').selectAll().where('account_uin', '=', uin).executeTakeFirstOrThrow();
    assert.equal(Number(acct.balance_cents), 56302);
    assert.ok(!ledger.some((l) => l.kind === 'recharge' && l.entry_key !== 'recharge:opening'), 'returning refunds nothing');
  });

  it('running the biller again changes nothing', async () => {
    const before = await listLedger(server.store.db, { from: 0, to: Number.MAX_SAFE_INTEGER });
    await server.store.db.deleteFrom('billing_cursors').execute(); // even from scratch
    const run = await server.biller.runOnce(now);
    assert.equal(run.deducted, 0);
    assert.deepEqual(await listLedger(server.store.db, { from: 0, to: Number.MAX_SAFE_INTEGER }), before);
  });
});
