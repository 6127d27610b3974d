/**
 * Billing's refusals, through the official SDK, on SQLite and on PostgreSQL: every bad input to
 * the bill and the operator's billing actions is answered with a documented code and a message
 * naming the parameter — never InternalError — and RunInstances' arrears code is in the API
 * reference with its meaning. (And the daily reconciliation's once-per-day record works on both.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkFinishedDays } from '../src/billing/reconcile.ts';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { failure, sdk, type Call } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** [service, action, params, the parameter the message must name]. */
const BAD: Array<[ 'bill' | 'bmsops', string, Record<string, unknown>, string]> = [
  ['bmsops', 'SetTrafficPrice', { Isp: 'bgp-typo', PricePerGb: '0.80' }, 'Isp'],
  ['bmsops', 'SetTrafficPrice', { Isp: 'BGP', PricePerGb: '0.8.0' }, 'PricePerGb'],
  ['bmsops', 'SetTrafficPrice', { Isp: 'BGP', PricePerGb: '-1.00' }, 'PricePerGb'],
  ['bmsops', 'RechargeAccount', { OwnerUin: 'TENANT', Amount: '1.234' }, 'Amount'],
  ['bmsops', 'RechargeAccount', { OwnerUin: 'TENANT', Amount: '0.00' }, 'Amount'],
  ['bmsops', 'RechargeAccount', { OwnerUin: 'TENANT', Amount: '1e3' }, 'Amount'],
  ['bmsops', 'DescribeUsageRecords', { StartTime: 200, EndTime: 100 }, 'EndTime'],
  ['bmsops', 'DescribeBillingReconciliation', { Date: '2026-02-30' }, 'Date'],
  ['bmsops', 'DescribeBillingReconciliation', { Date: '20260201' }, 'Date'],
  ['bill', 'DescribeBillSummaryByProduct', { BeginTime: 'yesterday', EndTime: '2026-01-31 23:59:59' }, 'BeginTime'],
  ['bill', 'DescribeBillSummaryByProduct', { BeginTime: '2026-02-01 00:00:00', EndTime: '2026-01-31 23:59:59' }, 'EndTime'],
  ['bill', 'DescribeBillSummaryByResource', { BeginTime: '2026-01-01 00:00:00', EndTime: '2026-01-01 24:00:00' }, 'EndTime'],
  ['bill', 'DescribeBillFeeTrend', { BeginTime: '2026-13-01 00:00:00', EndTime: '2026-12-31 23:59:59' }, 'BeginTime'],
  ['bill', 'DescribeBillDetailByResource', { BeginTime: '2026-01-01', EndTime: '2026-01-32', ResourceId: 'bms-x' }, 'EndTime'],
  ['bill', 'DescribeBillDownloadList', { BeginMonth: '2026-13', EndMonth: '2026-12' }, 'BeginMonth'],
  ['bill', 'DescribeBillDownloadList', { BeginMonth: '2025-01', EndMonth: '2026-06' }, 'EndMonth'],
  ['bill', 'DescribeAccountWater', { StartTime: '2026-01-01', EndTime: '20260131' }, 'StartTime'],
  ['bill', 'CreateWarning', { Status: 1, BalanceThreshold: 0.001 }, 'BalanceThreshold'],
];

function suite(name: string, env: () => Record<string, string>) {
  describe(name, () => {
    let server: TestServer;
    let call: Record<'bill' | 'bmsops', Call>;
    let tenantUin: string;
    before(async () => {
      // (the biller's own timer, and the daily check after it, would not tick during the suite)
      server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_DEMO: '0', BMS_BILLING_RUN_MS: '3600000', ...env() }, { rateLimiter: { take: () => true } });
      const { account, root } = await createAccountWithRoot(server.store.db, 'Refused Tenant', 'tenant', Date.now());
      tenantUin = account.uin;
      const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
      call = { bill: sdk({ ...server.credentials.operator, SecretId: key.secretId, SecretKey: key.secretKey }, 'bill'), bmsops: sdk(server.credentials.operator, 'bmsops') };
    });
    after(async () => server?.stop());

    it('answers bad input with InvalidParameterValue naming the parameter', async () => {
      for (const [service, action, params, culprit] of BAD) {
        const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === 'TENANT' ? tenantUin : v]));
        const e = await failure(call[service](action, p));
        assert.equal(e.code, 'InvalidParameterValue', `${service} ${action} ${JSON.stringify(params)}: ${e.code} ${e.message}`);
        assert.ok(e.message.includes(culprit), `${action}: the message names ${culprit}: ${e.message}`);
      }
    });

    it('another account\'s bills: ResourceNotFound, not a hint', async () => {
      const e = await failure(call.bill('DescribeBillSummaryByProduct', { PayerUin: '100000000001', BeginTime: '2026-01-01 00:00:00', EndTime: '2026-01-31 23:59:59' }));
      assert.equal(e.code, 'ResourceNotFound');
    });

    it('the daily reconciliation checks each finished day once on this store too', async () => {
      const now = Date.now();
      const first = await checkFinishedDays(server.store, now);
      assert.equal(first.length, 7, 'the past week');
      assert.deepEqual(await checkFinishedDays(server.store, now + 60_000), [], 'nothing twice');
      const next = await checkFinishedDays(server.store, now + 86_400_000);
      assert.equal(next.length, 1, 'the next day, once it is over');
    });

    it('documents the arrears code of RunInstances, with its meaning', async () => {
      for (const lang of ['en-US', 'zh-CN']) {
        const page = await (await fetch(`http://${server.endpoint}/docs/bms/RunInstances?lang=${lang}`)).text();
        const row = /<code>InvalidAccount\.InsufficientBalance<\/code><\/a><\/td><td>([^<]*)<\/td>/.exec(page);
        assert.ok(row && row[1]!.length > 10, `${lang}: ${row?.[0] ?? 'no row for InvalidAccount.InsufficientBalance'}`);
      }
    });
  });
}

suite('billing refusals on SQLite', () => ({}));
const freshSchemaUrl = schemaFactory();
await withPostgres('billing refusals on PostgreSQL', () => {
  const url = freshSchemaUrl();
  suite('billing refusals on PostgreSQL', () => ({ BMS_DATABASE_URL: url }));
});
