/**
 * The operator's side of billing through the official SDK (bmsops): recharges (once per
 * ClientToken), every account's balance and arrears, a tenant in arrears refused a launch with
 * its balance named while its running instance keeps running, ISP traffic prices and the EIP
 * traffic line, usage records of any account; and the daily reconciliation of billed seconds
 * against the power-on time the power sync observed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBiller } from '../src/billing/biller.ts';
import { balanceOf, recharge, setBudgetWarning } from '../src/billing/ledger.ts';
import { checkFinishedDays, reconcileDay } from '../src/billing/reconcile.ts';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { listNotifications } from '../src/store/repos/billing.ts';
import { putEipTrafficHour } from '../src/store/repos/eip-traffic.ts';
import { observePower } from '../src/store/repos/power-observations.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { addAccount, addInstances, apply, flavorPrice, sqliteStore } from './support/billing-world.ts';

let server: TestServer;
let ops: Call;
let bms: Call;
let vpc: Call;
let uin: string;

before(async () => {
  // the biller's timer runs (every 200 ms, at the real time): the daily check must follow its runs
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_BILLING_RUN_MS: '200' }, { rateLimiter: { take: () => true } });
  ops = sdk(server.credentials.operator, 'bmsops');
  const { account, root } = await createAccountWithRoot(server.store.db, 'Operator Billed', 'tenant', Date.now());
  uin = account.uin;
  const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
  bms = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
  vpc = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey }, 'vpc');
});
after(async () => server.stop());

const balances = () => ops<{ TotalCount: number; AccountSet: Array<{ OwnerUin: string; Balance: string; InArrears: boolean; Arrears: string }> }>('DescribeAccountBalances', { OwnerUins: [uin] });

describe('operator billing', () => {
  it('RechargeAccount credits once per ClientToken; the operator sees every account', async () => {
    const first = await ops<{ Balance: string; BillNo: string }>('RechargeAccount', { OwnerUin: uin, Amount: '120.50', ClientToken: 'r-1' });
    assert.equal(first.Balance, '120.50');
    const again = await ops<{ Balance: string }>('RechargeAccount', { OwnerUin: uin, Amount: '120.50', ClientToken: 'r-1' });
    assert.equal(again.Balance, '120.50', 'the same ClientToken credits once');
    const all = await ops<{ TotalCount: number; AccountSet: Array<{ OwnerUin: string }> }>('DescribeAccountBalances', { Limit: 100 });
    assert.ok(all.AccountSet.some((a) => a.OwnerUin === uin) && all.AccountSet.some((a) => a.OwnerUin === server.credentials.demo.accountUin));
    const bad = await failure(ops('RechargeAccount', { OwnerUin: uin, Amount: '1.234' }));
    assert.equal(bad.code, 'InvalidParameterValue');
    assert.match(bad.message, /Amount/);
    assert.equal((await failure(ops('RechargeAccount', { OwnerUin: '999999999', Amount: '1.00' }))).code, 'ResourceNotFound');
  });

  it('in arrears: no launch (the code names the balance), running instances keep running; arrears are visible', async () => {
    const zone = 'ap-guangzhou-1';
    const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }> }>('DescribeFlavors', {});
    const flavor = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === zone)!;
    const { Vpc } = await vpc<{ Vpc: { VpcId: string } }>('CreateVpc', { VpcName: 'arrears', CidrBlock: '10.70.0.0/16' });
    const { Subnet } = await vpc<{ Subnet: { SubnetId: string } }>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'a', CidrBlock: '10.70.1.0/24', Zone: zone, IsBmsSubnet: true });
    const params = {
      Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: Vpc.VpcId, SubnetId: Subnet.SubnetId }, LoginSettings: { Password: 'Arrears#2026pw' }, RaidType: flavor.RaidType[0],
    };
    const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', { ...params, InstanceName: 'kept' });
    await waitFor('running', () => bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: BmsId }), (r) => r.InstanceSet[0]?.Status === 'RUNNING');
    await server.biller.runOnce(Date.now() + 2 * 86_400_000); // two days of a standard flavor (10.00–22.00/h) ≫ 120.50
    const [b] = (await balances()).AccountSet;
    assert.equal(b!.InArrears, true);
    assert.match(b!.Arrears, /^\d+\.\d{2}$/);
    const refused = await failure(bms('RunInstances', { ...params, InstanceName: 'refused' }));
    assert.equal(refused.code, 'InvalidAccount.InsufficientBalance');
    assert.ok(refused.message.includes(`-${b!.Arrears}`), refused.message);
    const still = await bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: BmsId });
    assert.equal(still.InstanceSet[0]!.Status, 'RUNNING', 'what it runs keeps running');
    const inArrears = await ops<{ AccountSet: Array<{ OwnerUin: string }> }>('DescribeAccountBalances', { InArrears: true, Limit: 100 });
    assert.ok(inArrears.AccountSet.some((a) => a.OwnerUin === uin));
    const records = await ops<{ TotalCount: number; RecordSet: Array<{ ResourceId: string; Amount: string; UnitPrice: string; Quantity: number; DeductTime: string | null }> }>('DescribeUsageRecords', { OwnerUin: uin, StartTime: 0, EndTime: 4_000_000_000 });
    assert.equal(records.TotalCount, 2);
    // a full day: 86400 s × the hourly price = 24 × the price, to the cent
    assert.ok(records.RecordSet.every((r) => r.ResourceId === BmsId[0] && r.Quantity === 86_400 && Number(r.Amount) * 100 === 24 * Math.round(Number(r.UnitPrice) * 100)), JSON.stringify(records.RecordSet));
    // a recharge brings it back
    await ops('RechargeAccount', { OwnerUin: uin, Amount: '1000.00', ClientToken: 'r-2' });
    assert.equal((await balances()).AccountSet[0]!.InArrears, false);
  });

  it('EIP traffic: per GB at the ISP\'s price, its own product line', async () => {
    await ops('SetTrafficPrice', { Isp: 'BGP', PricePerGb: '0.80' });
    const prices = await ops<{ PriceSet: Array<{ Isp: string; PricePerGb: string }> }>('DescribeTrafficPrices', {});
    assert.deepEqual(prices.PriceSet.map((p) => [p.Isp, p.PricePerGb]), [['BGP', '0.80']]);
    const day = Math.ceil((Date.now() + 86_400_000) / 86_400_000) * 86_400_000; // a period (UTC day) after the price change
    for (let h = 0; h < 24; h++) {
      await putEipTrafficHour(server.store.db, { eipId: 'eip-traffic1', hourStart: day + h * 3_600_000, accountUin: uin, region: 'ap-guangzhou', isp: 'BGP', address: '203.0.113.9', bytesOut: 5 * 1024 ** 3 / 8 }, Date.now());
    }
    await server.biller.runOnce(day + 86_400_000 + 2 * 3_600_000 + 1);
    const records = await ops<{ RecordSet: Array<{ ProductCode: string; Quantity: number; Amount: string; UnitPrice: string }> }>('DescribeUsageRecords', { ResourceId: 'eip-traffic1', StartTime: 0, EndTime: 4_000_000_000 });
    // 24 × 5/8 GB = 15 GB × 0.80 = 12.00
    assert.deepEqual(records.RecordSet.map((r) => [r.ProductCode, r.Quantity, r.UnitPrice, r.Amount]), [['eip', 15 * 1024 ** 3, '0.80', '12.00']]);
  });
});

describe('daily reconciliation', () => {
  it('runs after the server\'s biller runs: the past week is checked once', async () => {
    const rows = await waitFor('the daily check', () => server.store.db.selectFrom('billing_reconciliations').select('day').execute(), (r) => r.length >= 7, 10_000, 100);
    assert.equal(rows.length, 7);
  });

  it('lists a billed instance whose server was seen off for hours, not one seen on', async () => {
    const w = await sqliteStore();
    try {
      const day = Date.UTC(2026, 4, 10) - 8 * 3_600_000; // 2026-05-10 00:00 UTC+8
      await addAccount(w.store, '200001', day);
      await addInstances(w.store, [{ id: 'bms-on', accountUin: '200001', flavorId: 'f' }, { id: 'bms-off', accountUin: '200001', flavorId: 'f' }], day);
      await apply(w.store, ['bms-on', 'bms-off'], 'provisioned', day - 3_600_000);
      for (let t = day; t <= day + 86_400_000; t += 600_000) {
        await observePower(w.store.db, 'bms-on', true, t);
        await observePower(w.store.db, 'bms-off', t < day + 6 * 3_600_000, t); // found off after 06:00
      }
      const findings = await reconcileDay(w.store.db, { from: day, to: day + 86_400_000 }, 3600);
      assert.deepEqual(findings.map((f) => [f.instanceId, f.billedSeconds, f.poweredOnSeconds, f.observedSeconds]), [['bms-off', 86_400, 6 * 3600, 86_400]]);

      // The daily check: the day is checked once it has been over an hour, by one process, once; each finding is logged.
      const warned: Array<Record<string, unknown>> = [];
      const logger = { info: () => {}, warn: (o: object) => { warned.push(o as Record<string, unknown>); } };
      const early = await checkFinishedDays(w.store, day + 86_400_000 + 30 * 60_000, logger);
      assert.ok(!early.some((c) => c.day === '2026-05-10'), 'not before the day has been over an hour');
      assert.equal(early.length, 7, 'the week before it, checked (empty)');
      const checked = await checkFinishedDays(w.store, day + 86_400_000 + 3_600_000, logger);
      assert.deepEqual(checked.map((c) => [c.day, c.findings.map((f) => f.instanceId)]), [['2026-05-10', ['bms-off']]]);
      assert.deepEqual(warned.map((o) => [o['day'], o['instanceId'], o['differenceSeconds']]), [['2026-05-10', 'bms-off', 18 * 3600]]);
      assert.deepEqual(await checkFinishedDays(w.store, day + 86_400_000 + 7_200_000, logger), [], 'another run (or process) checks nothing again');
      assert.equal(warned.length, 1);
      const row = await w.store.db.selectFrom('billing_reconciliations').selectAll().where('day', '=', '2026-05-10').executeTakeFirstOrThrow();
      assert.equal(Number(row.finding_count), 1);
      assert.deepEqual(JSON.parse(row.findings), findings);
    } finally {
      await w.dispose();
    }
  });
});

describe('budget warning', () => {
  it('is dated by the deduction that took the balance below it, with that balance, however the deductions were batched', async () => {
    for (const batch of [1, 2, 1000]) {
      const w = await sqliteStore();
      try {
        const t = Date.UTC(2026, 6, 1);
        await addAccount(w.store, '200002', t);
        await addInstances(w.store, [{ id: 'bms-warn', accountUin: '200002', flavorId: 'f-warn' }], t);
        await flavorPrice(w.store, 'f-warn', 2000); // 20.00 an hour
        await apply(w.store, ['bms-warn'], 'provisioned', t);
        await recharge(w.store, { accountUin: '200002', key: 'open', cents: 10_000, remark: '' }, t);
        await setBudgetWarning(w.store, '200002', 1, 5_000, t);
        // hourly periods, deducted at once: 100.00 → 80 → 60 → 40 (below 50: the third) → 20 → 0
        await createBiller({ store: w.store, periodMs: 3_600_000, deductDelayMs: 0, batch }).runOnce(t + 5 * 3_600_000);
        assert.equal(await balanceOf(w.store, '200002'), 0);
        assert.deepEqual(await listNotifications(w.store.db, '200002'), [{ at: t + 3 * 3_600_000, balanceCents: 4_000, thresholdCents: 5_000 }], `batch ${batch}`);
      } finally {
        await w.dispose();
      }
    }
  });
});
