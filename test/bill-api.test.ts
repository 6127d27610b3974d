/**
 * The `bill` service through the official SDK: a tenant's instance is billed for three simulated
 * days (the biller run with a later clock: records and deductions are dated by their schedule),
 * then every bill action answers with the vendor's field names and figures that add up to the
 * stored records; a budget warning notifies once; a second tenant sees none of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monthOf } from '../src/billing/bill-time.ts';
import { formatBillTime } from '../src/billing/bill-time.ts';
import { formatCents } from '../src/billing/money.ts';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { listRecords } from '../src/store/repos/billing.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const DAY = 86_400_000;
let server: TestServer;
let bill: Call;
let billB: Call;
let bms: Call;
let instanceId: string;
let uin: string;
let month: string;
let monthBegin: string;
let monthEnd: string;

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true } });
  bill = sdk(server.credentials.demo, 'bill');
  bms = sdk(server.credentials.demo);
  const vpc = sdk(server.credentials.demo, 'vpc');
  uin = server.credentials.demo.accountUin;
  const zone = 'ap-guangzhou-1';
  const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }> }>('DescribeFlavors', {});
  const flavor = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === zone)!;
  const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
  const run = await bms<{ BmsId: string[] }>('RunInstances', {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
    VirtualPrivateCloud: { VpcId: SubnetSet[0]!.VpcId, SubnetId: SubnetSet[0]!.SubnetId }, LoginSettings: { Password: 'Bill#2026pwd' }, RaidType: flavor.RaidType[0],
    InstanceName: 'billed', InstanceCount: 1,
  });
  instanceId = run.BmsId[0]!;
  await waitFor('running', () => bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: [instanceId] }), (r) => r.InstanceSet[0]?.Status === 'RUNNING');
  // The by-tag summary reads the tag service's resource tags.
  await sdk(server.credentials.demo, 'tag')('AddResourceTag', { TagKey: 'team', TagValue: 'core', Resource: `qcs::bms:ap-guangzhou::instance/${instanceId}` });
  await server.biller.runOnce(Date.now() + 3 * DAY + 2 * 3600_000);
  const records = await listRecords(server.store.db, { accountUin: uin, from: 0, to: Number.MAX_SAFE_INTEGER });
  month = monthOf(records.find((r) => r.resource_id === instanceId)!.period_start);
  monthBegin = `${month}-01 00:00:00`;
  monthEnd = `${month}-28 23:59:59`; // within any month; records of the month's end are outside, which the sums below respect

  const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', Date.now());
  const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
  billB = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey }, 'bill');
});
after(async () => server.stop());

async function expectedCents(filter: (r: { resource_id: string; period_start: number; product: string }) => boolean) {
  const records = await listRecords(server.store.db, { accountUin: uin, from: 0, to: Number.MAX_SAFE_INTEGER });
  return records.filter((r) => formatBillTime(r.period_start) >= monthBegin && formatBillTime(r.period_start) <= monthEnd && filter(r))
    .reduce((n, r) => n + r.amount_cents, 0);
}

describe('bill 2018-10-25 through the official SDK', () => {
  it('DescribeUserAccount: the balance after the deductions', async () => {
    const a = await bill<Record<string, unknown>>('DescribeUserAccount', {});
    const ledger = await server.store.db.selectFrom('billing_ledger').selectAll().where('account_uin', '=', uin).execute();
    const balance = ledger.reduce((n, l) => n + Number(l.amount_cents), 0);
    assert.equal(a.Balance, formatCents(balance));
    assert.equal(a.Status, '1');
    assert.equal(a.AllIn, '100000.00', 'the demo tenant\'s opening balance');
    assert.equal(a.AllOut, formatCents(100_000_00 - balance));
    for (const k of ['Dplimit', 'Dpbalance', 'Debt', 'Cash', 'BillingDate', 'DayOut', 'UsableLimit', 'CashBalance', 'UsedLimit']) assert.ok(k in a, k);
    assert.equal(a.CashBalance, balance);
  });

  it('DescribeAccountWater: each deduction with the balance after it, paged by 20', async () => {
    const start = `${month.replace('-', '')}01`;
    const w = await bill<{ AllNum: string; RetNum: string; WaterSet: Array<Record<string, string>> }>('DescribeAccountWater', { StartTime: '20000101', EndTime: '20991231', Limit: 20 });
    const count = await server.store.db.selectFrom('billing_ledger').select((eb) => eb.fn.countAll().as('n')).where('account_uin', '=', uin).executeTakeFirstOrThrow();
    assert.equal(w.AllNum, String(count.n));
    assert.equal(w.WaterSet[0]!.WaterType, 'Recharge');
    assert.equal(w.WaterSet[0]!.Balance, '100000.00');
    const d = w.WaterSet.find((x) => x.WaterType === 'Deduct' && x.RelationId!.includes(instanceId))!;
    assert.equal(d.IoFlag, '1');
    assert.match(d.TranAmt!, /^\d+\.\d{2}$/);
    const only = await bill<{ WaterSet: Array<{ WaterType: string }> }>('DescribeAccountWater', { StartTime: start, EndTime: '20991231', WaterFilter: 'Deduct' });
    assert.ok(only.WaterSet.every((x) => x.WaterType === 'Deduct'));
    const bad = await failure(bill('DescribeAccountWater', { StartTime: '2026-01-01', EndTime: '20991231' }));
    assert.equal(bad.code, 'InvalidParameterValue');
    assert.match(bad.message, /StartTime/);
  });

  it('summaries by product, resource, region and tag add up to the records', async () => {
    const range = { BeginTime: monthBegin, EndTime: monthEnd };
    const total = formatCents(await expectedCents(() => true));
    const byProduct = await bill<{ SummaryTotal: { RealTotalCost: string }; SummaryOverview: Array<{ ProductCode: string; RealTotalCost: string; RealTotalCostRatio: string }> }>('DescribeBillSummaryByProduct', range);
    assert.equal(byProduct.SummaryTotal.RealTotalCost, total);
    assert.deepEqual(byProduct.SummaryOverview.map((o) => o.ProductCode), ['bms']);
    assert.equal(byProduct.SummaryOverview[0]!.RealTotalCostRatio, '100.00');
    const byResource = await bill<{ Data: Array<{ ResourceId: string; RealTotalCost: string; PayMode: string }>; RecordNum: number; Total: { RealTotalCost: string } }>('DescribeBillSummaryByResource', { ...range, Limit: 100, Offset: 0, NeedRecordNum: 1 });
    assert.equal(byResource.Total.RealTotalCost, total);
    const mine = byResource.Data.find((d) => d.ResourceId === instanceId)!;
    assert.equal(mine.RealTotalCost, formatCents(await expectedCents((r) => r.resource_id === instanceId)));
    assert.equal(mine.PayMode, 'postPay');
    assert.equal(byResource.RecordNum, byResource.Data.length);
    const byRegion = await bill<{ SummaryOverview: Array<{ RegionId: string; RealTotalCost: string }> }>('DescribeBillSummaryByRegion', range);
    assert.deepEqual(byRegion.SummaryOverview.map((o) => [o.RegionId, o.RealTotalCost]), [['1', total]]);
    const byTag = await bill<{ SummaryOverview: Array<{ TagValue: string; RealTotalCost: string }>; SummaryTotal: { RealTotalCost: string } }>('DescribeBillSummaryByTag', { ...range, TagKey: 'team' });
    assert.equal(byTag.SummaryTotal.RealTotalCost, total);
    assert.equal(byTag.SummaryOverview.find((o) => o.TagValue === 'core')?.RealTotalCost, mine.RealTotalCost, 'the tagged instance under its value');
    assert.ok(byTag.SummaryOverview.every((o) => o.TagValue === 'core' || o.TagValue === ''));
    const detail = await bill<{ Total: { RealTotalCost: string }; BillingItemDetail: Array<{ BillingItemCode: string; UsedAmount: string }>; RealTotalCostTrend: { Detail: unknown[] } }>('DescribeBillDetailByResource', { ...range, ResourceId: instanceId });
    assert.equal(detail.Total.RealTotalCost, mine.RealTotalCost);
    assert.equal(detail.BillingItemDetail[0]!.BillingItemCode, 'sv_bms_time');
    assert.equal(detail.RealTotalCostTrend.Detail.length, 6);
    const trend = await bill<{ Detail: Array<{ Month: string; RealTotalCost: string }> }>('DescribeBillFeeTrend', range);
    assert.equal(trend.Detail.length, 6);
    assert.equal(trend.Detail.at(-1)!.Month, month);
  });

  it('DescribeBillDownloadList: the month\'s detail CSV, one line per record', async () => {
    const { DownloadList } = await bill<{ DownloadList: Array<{ MonthName: string; DownloadUrl: string; RealTotalCost: string }> }>('DescribeBillDownloadList', { BeginMonth: month, EndMonth: month });
    assert.equal(DownloadList.length, 1);
    const csv = Buffer.from(DownloadList[0]!.DownloadUrl.split(',')[1]!, 'base64').toString('utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.match(lines[0]!, /^PayerUin,ProductCode,/);
    const records = await listRecords(server.store.db, { accountUin: uin, from: 0, to: Number.MAX_SAFE_INTEGER });
    assert.equal(lines.length - 1, records.filter((r) => monthOf(r.period_start) === month).length);
    assert.ok(lines.some((l) => l.includes(instanceId)));
    const again = await bill<{ DownloadList: Array<{ DownloadUrl: string }> }>('DescribeBillDownloadList', { BeginMonth: month, EndMonth: month });
    assert.equal(again.DownloadList[0]!.DownloadUrl, DownloadList[0]!.DownloadUrl, 'byte-identical');
  });

  it('CreateWarning / DescribeWarning: a threshold above the balance notifies once at the next deduction', async () => {
    await bill('CreateWarning', { Status: 1, BalanceThreshold: 999999.5 });
    const w = await bill<{ Status: number; BalanceThreshold: string; WarningSet: unknown[] }>('DescribeWarning', {});
    assert.equal(w.Status, 1);
    assert.equal(w.BalanceThreshold, '999999.50');
    assert.deepEqual(w.WarningSet, []);
    await server.biller.runOnce(Date.now() + 5 * DAY);
    await server.biller.runOnce(Date.now() + 6 * DAY);
    const after = await bill<{ WarningSet: Array<{ Balance: string; BalanceThreshold: string }> }>('DescribeWarning', {});
    assert.equal(after.WarningSet.length, 1, 'once, not at every deduction');
    assert.equal(after.WarningSet[0]!.BalanceThreshold, '999999.50');
    const bad = await failure(bill('CreateWarning', { Status: 1, BalanceThreshold: 1.234 }));
    assert.equal(bad.code, 'InvalidParameterValue');
    assert.match(bad.message, /BalanceThreshold/);
  });

  it('a second tenant sees none of the first\'s bills', async () => {
    const range = { BeginTime: monthBegin, EndTime: monthEnd };
    const a = await billB<{ Balance: string; Status: string }>('DescribeUserAccount', {});
    assert.equal(a.Balance, '0.00');
    const w = await billB<{ AllNum: string; WaterSet: unknown[] }>('DescribeAccountWater', { StartTime: '20000101', EndTime: '20991231' });
    assert.deepEqual([w.AllNum, w.WaterSet], ['0', []]);
    assert.deepEqual((await billB<{ SummaryOverview: unknown[] }>('DescribeBillSummaryByProduct', range)).SummaryOverview, []);
    assert.deepEqual((await billB<{ Data: unknown[] }>('DescribeBillSummaryByResource', range)).Data, []);
    assert.deepEqual((await billB<{ BillingItemDetail: unknown[] }>('DescribeBillDetailByResource', { ...range, ResourceId: instanceId })).BillingItemDetail, []);
    const csv = (await billB<{ DownloadList: Array<{ DownloadUrl: string }> }>('DescribeBillDownloadList', { BeginMonth: month, EndMonth: month })).DownloadList[0]!.DownloadUrl;
    assert.equal(Buffer.from(csv.split(',')[1]!, 'base64').toString('utf8').trimEnd().split('\r\n').length, 1, 'header only');
    const other = await failure(billB('DescribeBillSummaryByProduct', { ...range, PayerUin: uin }));
    assert.equal(other.code, 'ResourceNotFound');
  });
});
