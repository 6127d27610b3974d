/**
 * The console's 费用 page in a real browser (Debian's Chromium), against a server on a lab
 * billing cadence (a push every 10 minutes, deducted a minute later) whose biller is run with a
 * later clock, so the demo tenant's instances have real usage records and deductions: the page
 * shows the balance DescribeUserAccount answers, the month's cost per product and per instance
 * as the bill summaries answer, the six-month trend chart, a CSV download byte-identical to
 * DescribeBillDownloadList's, and a balance warning that is created, fires and is listed; axe
 * finds nothing in either language; a sub-user without bill permission sees CAM's refusal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { listRecords } from '../src/store/repos/billing.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';
import { APP_DIR, axeViolations, launch, screenshot, withChromium, signIn as signInAs } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const HOUR = 3600_000;

withChromium('console 费用 page in Chromium', () => {
  describe('console 费用 page in Chromium', () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let bill: Call;
    let creds: { ConsoleAccount: string; ConsolePassword: string; ConsoleUrl: string };
    let month: string;
    let range: { BeginTime: string; EndTime: string };
    /** How far the biller's clock has been moved ahead of the real one. */
    let ahead = 0;

    const runBiller = async (hours: number) => {
      ahead += hours * HOUR;
      return server.biller.runOnce(Date.now() + ahead);
    };

    before(async () => {
      browser = await launch();
      server = await startTestServer(
        { BMS_SIM_TIME_SCALE: '0', BMS_BILLING_PUSH_PERIOD_S: '600', BMS_BILLING_DEDUCT_DELAY_S: '60' },
        { rateLimiter: { take: () => true }, consoleDir: APP_DIR },
      );
      creds = JSON.parse(readFileSync(join(server.dataDir, 'demo-credentials.json'), 'utf8'));
      bill = sdk(server.credentials.demo, 'bill');
      const bms = sdk(server.credentials.demo);
      await waitFor('the demo instances running', () => bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', {}),
        (r) => r.InstanceSet.length > 0 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
      const run = await runBiller(2);
      assert.ok(run.pushed > 0 && run.deducted > 0, `records pushed and deducted: ${JSON.stringify(run)}`);
      page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    const signIn = (p: Page, user: string, password: string) => signInAs(p, creds, user, password);
    const openBilling = async (p: Page) => {
      await p.locator('.t-menu__item', { hasText: /^(费用|Billing)$/ }).click();
      await p.getByTestId('billing').waitFor();
    };
    async function axeAndShot(name: string) {
      const violations = await axeViolations(page);
      await screenshot(page, name);
      assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`);
    }

    it('shows the balance DescribeUserAccount answers', async () => {
      await signIn(page, 'root', creds.ConsolePassword);
      await openBilling(page);
      const account = await bill<{ Balance: string }>('DescribeUserAccount');
      assert.notEqual(account.Balance, '100000.00', 'deductions were made');
      await page.getByTestId('balance').filter({ hasText: account.Balance }).waitFor();
      assert.equal(await page.getByTestId('balance').textContent(), account.Balance);
      month = await page.getByTestId('bill-month').inputValue();
      const [y, m] = month.split('-').map(Number) as [number, number];
      range = { BeginTime: `${month}-01 00:00:00`, EndTime: `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')} 23:59:59` };
    });

    it('shows the month\'s cost so far per product and per instance, as the API sums them', async () => {
      const byProduct = await bill<{ SummaryTotal: { RealTotalCost: string }; SummaryOverview: Array<{ ProductCode: string; RealTotalCost: string }> }>('DescribeBillSummaryByProduct', range);
      assert.ok(byProduct.SummaryOverview.length > 0 && Number(byProduct.SummaryTotal.RealTotalCost) > 0, 'the month has a cost');
      await page.getByTestId('month-total').filter({ hasText: byProduct.SummaryTotal.RealTotalCost }).waitFor();
      const shownProducts = await page.getByTestId('bill-product-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-code'), r.querySelector('[data-testid="cost"]')!.textContent]));
      assert.deepEqual(shownProducts, byProduct.SummaryOverview.map((o) => [o.ProductCode, o.RealTotalCost]));
      const byResource = await bill<{ Data: Array<{ ResourceId: string; RealTotalCost: string }> }>('DescribeBillSummaryByResource', { ...range, Limit: 100, Offset: 0 });
      const shownResources: Array<[string | null, string | null]> = await page.getByTestId('bill-resource-row')
        .evaluateAll((rows) => rows.map((r): [string | null, string | null] => [r.getAttribute('data-id'), r.querySelector('[data-testid="cost"]')!.textContent]));
      assert.deepEqual(shownResources, byResource.Data.map((d) => [d.ResourceId, d.RealTotalCost]));
      // …and those figures are the stored records' (not just the page repeating the API).
      const instances = await sdk(server.credentials.demo)<{ InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', {});
      const records = await listRecords(server.store.db, { accountUin: server.credentials.demo.accountUin, from: 0, to: Number.MAX_SAFE_INTEGER });
      for (const { InstanceId } of instances.InstanceSet) {
        const cents = records.filter((r) => r.resource_id === InstanceId && r.period_start >= Date.parse(`${month}-01T00:00:00+08:00`)).reduce((n, r) => n + r.amount_cents, 0);
        const shown: [string | null, string | null] | undefined = shownResources.find(([id]) => id === InstanceId);
        assert.ok(shown, `${InstanceId} is listed`);
        assert.equal(Math.round(Number(shown[1]) * 100), cents, InstanceId);
      }
    });

    it('lists the month\'s account water, the latest first, as DescribeAccountWater pages it', async () => {
      const compact = (t: string) => t.slice(0, 10).replace(/-/g, '');
      const span = { StartTime: compact(range.BeginTime), EndTime: compact(range.EndTime) };
      const all = await bill<{ AllNum: string }>('DescribeAccountWater', { ...span, Limit: 1 });
      const total = Number(all.AllNum);
      assert.ok(total > 20, `more entries than one page (${total}): the page must ask for the last one`);
      const last = await bill<{ WaterSet: Array<{ BillNo: string; TranAmt: string; Balance: string; WaterType: string }> }>('DescribeAccountWater', { ...span, Offset: total - 20, Limit: 20 });
      await page.getByTestId('water-total').filter({ hasText: String(total) }).waitFor();
      const shown = await page.getByTestId('water-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-id'), r.querySelector('[data-testid="water-balance"]')!.textContent]));
      assert.deepEqual(shown, [...last.WaterSet].reverse().map((w) => [w.BillNo, w.Balance]));
      const account = await bill<{ Balance: string }>('DescribeUserAccount');
      assert.equal(shown[0]![1], account.Balance, 'the newest entry leaves the current balance');
    });

    it('draws the six-month trend from DescribeBillFeeTrend', async () => {
      const trend = await bill<{ Detail: Array<{ Month: string; RealTotalCost: string }> }>('DescribeBillFeeTrend', range);
      const chart = page.getByTestId('trend-chart');
      await chart.locator('canvas').waitFor();
      const label = (await chart.getAttribute('aria-label')) ?? '';
      assert.equal(trend.Detail.length, 6);
      for (const d of trend.Detail) assert.ok(label.includes(`${d.Month} ${d.RealTotalCost}`), `${d.Month} ${d.RealTotalCost} in "${label}"`);
      // Drawn, not just mounted: the canvas has non-blank pixels where the current month's bar stands.
      // (polled: the bars grow in ECharts' entry animation).
      const inked: number = await page.waitForFunction(() => {
        const c = document.querySelector<HTMLCanvasElement>('[data-testid="trend-chart"] canvas')!;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let blue = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] === 0 && data[i + 1] === 0x52 && data[i + 2] === 0xd9) blue++;
        return blue > 500 ? blue : 0;
      }, undefined, { timeout: 5000 }).then((h) => h.jsonValue() as Promise<number>).catch(() => 0);
      assert.ok(inked > 500, `the bar is drawn (${inked} bar-coloured pixels)`);
    });

    it('downloads the month\'s CSV, the very bytes of DescribeBillDownloadList', async () => {
      const list = await bill<{ DownloadList: Array<{ MonthName: string; DownloadUrl: string }> }>('DescribeBillDownloadList', { BeginMonth: month, EndMonth: month });
      const expected = Buffer.from(list.DownloadList[0]!.DownloadUrl.split(',')[1]!, 'base64');
      assert.match(expected.toString('utf8'), /^PayerUin,ProductCode,/);
      assert.ok(expected.toString('utf8').split('\r\n').length > 3, 'the CSV has records');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`[data-testid="bill-download-row"][data-month="${month}"]`).getByTestId('bill-csv').click(),
      ]);
      assert.equal(download.suggestedFilename(), `bms-bill-${month}.csv`);
      const path = await download.path();
      assert.deepEqual(readFileSync(path), expected);
    });

    it('creates a balance warning, lists it, and lists the warning sent when a deduction goes below it', async () => {
      const before = await bill<{ Balance: string }>('DescribeUserAccount');
      await page.getByTestId('warning-on').check();
      await page.getByTestId('warning-threshold').fill('abc');
      await page.getByTestId('warning-save').click();
      assert.match(await page.getByTestId('warning-threshold-error').textContent() ?? '', /BalanceThreshold/, 'the API\'s message at the field');
      await page.getByTestId('warning-threshold').fill(before.Balance);
      await page.getByTestId('warning-save').click();
      await page.getByTestId('warning-state').filter({ hasText: `已开启，阈值 ${before.Balance} 元` }).waitFor();
      const w = await bill<{ Status: number; BalanceThreshold: string }>('DescribeWarning');
      assert.deepEqual([w.Status, w.BalanceThreshold], [1, before.Balance]);
      assert.equal(await page.getByTestId('bill-notice-row').count(), 0, 'nothing sent yet');
      const run = await runBiller(1);
      assert.equal(run.notified, 1);
      await page.getByRole('button', { name: '刷新' }).click();
      await page.getByTestId('bill-notice-row').first().waitFor();
      const sent = await bill<{ WarningSet: Array<{ Time: string; Balance: string }> }>('DescribeWarning');
      assert.deepEqual(await page.getByTestId('bill-notice-row').first().locator('td').allTextContents(), [sent.WarningSet[0]!.Time, sent.WarningSet[0]!.Balance, before.Balance]);
      const account = await bill<{ Balance: string }>('DescribeUserAccount');
      assert.equal(await page.getByTestId('balance').textContent(), account.Balance, 'the balance refreshed with it');
    });

    it('has no axe violations in either language, and screenshots the page', async () => {
      for (const lang of ['zh-CN', 'en-US'] as const) {
        await page.getByTestId('lang').selectOption(lang);
        await page.getByTestId('trend-chart').locator('canvas').waitFor();
        await page.waitForLoadState('networkidle');
        await axeAndShot(`billing.${lang}`);
      }
      assert.match(await page.getByTestId('warning-state').textContent() ?? '', /^Now: on, threshold CNY /);
      assert.equal(await page.locator('[data-testid="bill-product-row"][data-code="bms"] td').first().textContent(), 'Bare metal servers', 'the product in the page\'s language');
      await page.getByTestId('lang').selectOption('zh-CN');
    });

    it('shows a sub-user without bill permission CAM\'s refusal, in the page', async () => {
      const cam = sdk(server.credentials.demo, 'cam');
      const user = await cam<{ Uin: number }>('AddUser', { Name: 'bmsonly', ConsoleLogin: 1, Password: 'Bmsonly#2026' });
      const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', {
        PolicyName: 'bms-only', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['bms:*'], resource: '*' }] }),
      });
      await cam('AttachUserPolicy', { PolicyId, AttachUin: user.Uin });
      const context = await browser.newContext();
      const p = await context.newPage();
      await signIn(p, 'bmsonly', 'Bmsonly#2026');
      await openBilling(p);
      await p.getByTestId('billing-error').first().waitFor();
      const errors = await p.getByTestId('billing-error').allTextContents();
      assert.ok(errors.some((e) => /AuthFailure\.UnauthorizedOperation/.test(e) && /bill:DescribeUserAccount/.test(e)), errors.join('\n'));
      assert.equal(await p.getByTestId('balance').count(), 0, 'no balance shown');
      await context.close();
    });
  });
});
