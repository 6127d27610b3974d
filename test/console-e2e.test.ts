/**
 * The console in a real browser (Debian's Chromium): sign in, create 3 instances through the
 * wizard and watch them reach 运行中 without a reload, stop/start/reboot them as a batch,
 * reinstall one, bind/adjust/unbind an elastic IP, return one; invalid wizard input shows the
 * server's message at its field in zh-CN and en-US; a Describe-only sub-user is refused with
 * the API's message; an expired session sends the page back to sign-in; axe finds nothing on
 * every page in both languages (with a dialog open); the wizard works by keyboard alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildCli } from '../scripts/build-clients.mjs';
import { projectPath } from '../scripts/codegen.ts';
import { sdk } from './support/cloud.ts';
import { APP_DIR, axeViolations, launch, screenshot, withChromium, signIn as signInAs } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const STATUS_TIMEOUT = 60_000;

withChromium('console end to end in Chromium', () => {
  describe('console end to end in Chromium', () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let creds: { ConsoleAccount: string; ConsolePassword: string; ConsoleUrl: string };
    let created: string[] = [];

    before(async () => {
      browser = await launch();
      server = await startTestServer({ BMS_SIM_TIME_SCALE: '0.0005' }, { rateLimiter: { take: () => true }, consoleDir: APP_DIR });
      creds = JSON.parse(readFileSync(join(server.dataDir, 'demo-credentials.json'), 'utf8'));
      page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    const signIn = (p: Page, user: string, password: string) => signInAs(p, creds, user, password);
    const row = (id: string) => page.locator(`[data-testid="instance-row"][data-id="${id}"]`);
    const statusOf = (id: string) => row(id).getByTestId('status');
    const waitStatus = async (ids: string[], text: string) => {
      for (const id of ids) await statusOf(id).filter({ hasText: text }).waitFor({ timeout: STATUS_TIMEOUT });
    };
    const select = async (ids: string[]) => {
      for (const id of ids) await row(id).getByRole('checkbox').check();
    };
    const dialogButton = (name: string) => page.locator('.t-dialog__footer').getByRole('button', { name });
    /** Confirms the open action dialog; fails with the dialog's error if the API refused. */
    const confirmAction = async (name: string) => {
      await dialogButton(name).click();
      const closed = page.getByTestId('action-dialog').waitFor({ state: 'detached', timeout: STATUS_TIMEOUT }).then(() => undefined);
      const refused = page.getByTestId('action-error').waitFor({ timeout: STATUS_TIMEOUT }).then(() => page.getByTestId('action-error').textContent());
      const error = await Promise.race([closed, refused]);
      assert.equal(error, undefined, `${name} was refused`);
    };

    it('signs in and shows the list', async () => {
      await signIn(page, 'root', creds.ConsolePassword);
      await page.getByTestId('instance-row').first().waitFor();
      assert.equal(await page.getByTestId('instance-row').count(), 2, 'the demo tenant\'s two instances');
      await screenshot(page, 'instances.zh-CN');
    });

    it('shows the server\'s message at the field for invalid wizard input, in zh-CN and en-US', async () => {
      await page.getByTestId('create').click();
      await page.getByTestId('wizard').waitFor();
      await page.getByTestId('hostname').fill('bad host name!');
      await page.getByTestId('next').click();
      const zhError = await page.getByTestId('hostname-error').textContent();
      assert.match(zhError ?? '', /HostName/);
      assert.match(zhError ?? '', /[\u4e00-\u9fff]/, 'in Chinese');
      await page.getByTestId('lang').selectOption('en-US');
      await page.getByTestId('next').click();
      const enError = await page.getByTestId('hostname-error').textContent();
      assert.match(enError ?? '', /HostName/);
      assert.doesNotMatch(enError ?? '', /[\u4e00-\u9fff]/, 'in English');
      await page.getByTestId('hostname').fill('');
      await page.getByTestId('next').click();
      await page.getByTestId('count').waitFor();
      // Step 2: manual addresses that do not match the count; a weak password.
      await page.getByTestId('count').fill('3');
      await page.getByTestId('ip-mode').selectOption('manual');
      await page.getByTestId('ips').fill('10.0.1.200');
      await page.getByTestId('password').fill('Abc#2026pass');
      await page.getByTestId('password2').fill('Abc#2026pass');
      await page.getByTestId('next').click();
      assert.match(await page.getByTestId('ips-error').textContent() ?? '', /InstanceCount|PrivateIpAddresses/);
      await page.getByTestId('ip-mode').selectOption('auto');
      await page.getByTestId('password').fill('short');
      await page.getByTestId('password2').fill('short');
      await page.getByTestId('next').click();
      assert.match(await page.getByTestId('password-error').textContent() ?? '', /Password/);
      await page.getByTestId('lang').selectOption('zh-CN');
      await page.getByTestId('next').click();
      assert.match(await page.getByTestId('password-error').textContent() ?? '', /[\u4e00-\u9fff]/);
    });

    it('creates 3 instances through the wizard and watches them reach 运行中 without a reload', async () => {
      await page.getByTestId('password').fill('Abc#2026pass');
      await page.getByTestId('password2').fill('Abc#2026pass');
      await page.getByTestId('instance-name').fill('e2e');
      await page.getByTestId('next').click();
      await page.getByTestId('summary').waitFor();
      await page.getByTestId('price').filter({ hasNotText: '…' }).waitFor();
      await screenshot(page, 'wizard-confirm.zh-CN');
      await page.getByTestId('confirm').dblclick(); // a double click launches once (ClientToken)
      const done = await page.getByTestId('created').textContent();
      created = [...(done ?? '').matchAll(/bms-[a-z0-9]+/g)].map((m) => m[0]);
      assert.equal(created.length, 3, done ?? '');
      await page.getByTestId('back-to-list').click();
      const navigations: string[] = [];
      page.on('framenavigated', (f) => navigations.push(f.url()));
      await waitStatus(created, '运行中');
      assert.deepEqual(navigations, [], 'no reload');
      const { TotalCount } = await sdk(server.credentials.demo)<{ TotalCount: number }>('DescribeInstances', {});
      assert.equal(TotalCount, 5, 'three launched, not six');
      assert.equal(await page.getByTestId('total').textContent(), '共 5 项');
    });

    it('stops, starts and reboots exactly the selected rows as a batch', async () => {
      await select(created);
      await page.getByTestId('batch-StopInstances').click();
      const listed = await page.getByTestId('confirm-ids').locator('li').allTextContents();
      assert.deepEqual(listed.map((l) => l.split(' ')[0]).sort(), [...created].sort());
      await axeAndShot('dialog-batch-stop.zh-CN');
      await dialogButton('关机').click();
      await waitStatus(created, '已关机');
      await select(created);
      await page.getByTestId('batch-StartInstances').click();
      await dialogButton('开机').click();
      await waitStatus(created, '运行中');
      await select(created);
      await page.getByTestId('batch-RebootInstances').click();
      await dialogButton('重启').click();
      await waitStatus(created, '重启中').catch(() => undefined); // may pass quicker than a poll
      await waitStatus(created, '运行中');
      const others = (await page.getByTestId('instance-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).filter((id) => !created.includes(id!));
      for (const id of others) assert.equal(await statusOf(id!).textContent(), '运行中', 'unselected rows untouched');
    });

    it('reinstalls one instance, with an image of another OS type (Windows) when its flavor offers one', async () => {
      const bms = sdk(server.credentials.demo);
      const [inst] = (await bms<{ InstanceSet: Array<{ FlavorId: string }> }>('DescribeInstances', { InstanceIds: [created[0]!] })).InstanceSet;
      const [flavor] = (await bms<{ FlavorSet: Array<{ OperatingSystem: { Windows?: string[] } }> }>('DescribeFlavors', { FlavorIds: [inst!.FlavorId] })).FlavorSet;
      const windows = flavor!.OperatingSystem.Windows?.[0];
      await row(created[0]!).getByTestId('more').selectOption('reset');
      if (windows) await page.getByTestId('action-dialog').getByLabel('镜像').selectOption(`Windows:${windows}`);
      await page.getByTestId('reset-password').fill('New#Pass2026');
      await confirmAction('重装');
      await waitStatus([created[0]!], '重装中').catch(() => undefined);
      await waitStatus([created[0]!], '运行中');
      if (windows) {
        const [after] = (await bms<{ InstanceSet: Array<{ OperatingSystemType: string; OperatingSystem: string }> }>('DescribeInstances', { InstanceIds: [created[0]!] })).InstanceSet;
        assert.deepEqual([after!.OperatingSystemType, after!.OperatingSystem], ['Windows', windows], 'the dialog sent the image with its own OS type');
      }
    });

    it('binds an elastic IP, adjusts its bandwidth and unbinds it', async () => {
      await sdk(server.credentials.operator, 'bmsops')('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/28' });
      const vpc = sdk(server.credentials.demo, 'vpc');
      const { AddressSet } = await vpc<{ AddressSet: string[] }>('AllocateAddresses', { AddressCount: 1 });
      const [address] = await vpc<{ AddressSet: Array<{ AddressIp: string }> }>('DescribeAddresses', { AddressIds: AddressSet }).then((r) => r.AddressSet);
      const id = created[1]!;
      await row(id).getByTestId('more').selectOption('bindEip');
      await page.getByTestId('eip-select').waitFor();
      await confirmAction('绑定弹性公网 IP');
      await row(id).getByTestId('public-ip').filter({ hasText: address!.AddressIp }).waitFor({ timeout: STATUS_TIMEOUT });
      await row(id).getByTestId('more').selectOption('bandwidth');
      await page.getByTestId('bw-input').fill('50');
      await confirmAction('调整带宽');
      const after = await vpc<{ AddressSet: Array<{ Bandwidth: number }> }>('DescribeAddresses', { AddressIds: AddressSet });
      assert.equal(after.AddressSet[0]!.Bandwidth, 50);
      await row(id).getByTestId('more').selectOption('unbindEip');
      await confirmAction('解绑弹性公网 IP');
      await row(id).getByTestId('public-ip').filter({ hasText: '-' }).waitFor({ timeout: STATUS_TIMEOUT });
    });

    it('edits an instance\'s tags through the tag service: adds, keeps a value with a colon, removes', async () => {
      const id = created[1]!;
      const tagsOf = async () => {
        const r = await sdk(server.credentials.demo, 'tag')<{ Tags: Array<{ TagKey: string; TagValue: string }> }>('DescribeResourceTagsByResourceIds', {
          ServiceType: 'bms', ResourcePrefix: 'instance', ResourceIds: [id], ResourceRegion: server.credentials.demo.Region,
        });
        return Object.fromEntries(r.Tags.map((x) => [x.TagKey, x.TagValue]));
      };
      await row(id).getByTestId('more').selectOption('tags');
      await page.getByTestId('tags-text').fill('env:prod\nowner:team:a');
      await confirmAction('编辑标签');
      await row(id).locator('.t-tag', { hasText: 'owner:team:a' }).waitFor({ timeout: STATUS_TIMEOUT });
      assert.deepEqual(await tagsOf(), { env: 'prod', owner: 'team:a' });
      await row(id).getByTestId('more').selectOption('tags');
      await page.getByTestId('tags-text').fill('owner:team:a');
      await confirmAction('编辑标签');
      await row(id).locator('.t-tag', { hasText: 'env:prod' }).waitFor({ state: 'detached', timeout: STATUS_TIMEOUT });
      assert.deepEqual(await tagsOf(), { owner: 'team:a' });
    });

    it('returns one instance, with the manual\'s warnings', async () => {
      const id = created[2]!;
      await row(id).getByTestId('more').selectOption('terminate');
      const text = await page.getByTestId('action-dialog').textContent();
      assert.match(text ?? '', /退还不产生退款/);
      assert.match(text ?? '', /磁盘将被格式化且不可恢复/);
      await confirmAction('退还');
      await row(id).waitFor({ state: 'detached', timeout: STATUS_TIMEOUT });
      assert.equal(await page.getByTestId('total').textContent(), '共 4 项');
    });

    it('links the API reference in the page\'s language, and its Inspector\'s CLI command runs as printed', async () => {
      const href = await page.getByTestId('docs-link').getAttribute('href');
      assert.equal(href, '/docs/?lang=zh-CN');
      const docs = await page.request.get(new URL(href!, page.url()).href);
      assert.equal(docs.status(), 200);
      assert.match(await docs.text(), /DescribeInstances/);
      await buildCli();
      await page.getByRole('button', { name: 'API 调试器' }).click();
      const call = page.getByTestId('inspector-call').filter({ hasText: 'bms:DescribeInstances' }).first();
      await call.locator('summary').click();
      const command = (await call.getByTestId('inspector-cli').textContent()) ?? '';
      assert.match(command, /^npx bms bms DescribeInstances .*--region \S+$/);
      // Run as a shell reads it (its quoting is part of what is shown), with our CLI in place of npx;
      // asynchronously, since the server answering it runs in this process.
      const demo = server.credentials.demo;
      const { stdout: out } = await promisify(execFile)('sh', ['-c', `${command.replace(/^npx bms/, `"${process.execPath}" "${projectPath('packages/cli/bin/bms.mjs')}"`)} --output json`], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', HOME: server.dataDir, TENCENTCLOUD_SECRET_ID: demo.SecretId, TENCENTCLOUD_SECRET_KEY: demo.SecretKey, BMS_ENDPOINT: `http://${demo.Endpoint}` },
      });
      const viaSdk = await sdk(demo)<{ TotalCount: number }>('DescribeInstances', {});
      assert.equal((JSON.parse(out) as { TotalCount: number }).TotalCount, viaSdk.TotalCount);
      await axeAndShot('inspector.zh-CN');
      await page.keyboard.press('Escape');
      await page.locator('.inspector.t-drawer--open').waitFor({ state: 'detached' }); // closed by Escape, as a keyboard user closes it
    });

    it('shows the 健康 tab: every metric charted from GetMonitorData, its latest point the API\'s, no axe violation', async () => {
      const id = created[0]!;
      await page.evaluate((to) => { history.pushState(null, '', `/console${to}`); dispatchEvent(new PopStateEvent('popstate')); }, `/instances/${id}`);
      await page.locator('.t-tabs__nav-item', { hasText: '健康' }).click();
      await page.getByTestId('health').waitFor();
      // The simulated datacenter samples every running instance every 10 s; the page refetches as often.
      const cpu = page.getByTestId('health-CpuUsage');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="health-CpuUsage"]')?.getAttribute('data-points') ?? 0) > 0, undefined, { timeout: STATUS_TIMEOUT });
      for (const metric of ['CpuUsage', 'MemUsage', 'LanIntraffic', 'LanOuttraffic', 'WanIntraffic', 'WanOuttraffic', 'LanInpkg', 'LanOutpkg', 'TcpCurrEstab', 'PowerWatts', 'InletTemp']) {
        await page.getByTestId(`health-${metric}`).waitFor();
      }
      const shown = { points: Number(await cpu.getAttribute('data-points')), latest: await cpu.getAttribute('data-latest') };
      const end = Math.floor(Date.now() / 1000);
      const api = await sdk(server.credentials.demo, 'monitor')<{ DataPoints: Array<{ Timestamps: number[]; Values: number[] }> }>('GetMonitorData', {
        Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period: 10, StartTime: new Date((end - 3600 + 10) * 1000).toISOString(), EndTime: new Date(end * 1000).toISOString(),
        Instances: [{ Dimensions: [{ Name: 'InstanceId', Value: id }] }],
      });
      const values = api.DataPoints[0]!.Values;
      assert.ok(values.length >= shown.points, `the API has ${values.length} points, the page ${shown.points}`);
      assert.ok(values.map(String).includes(shown.latest!), `the page's latest CPU value ${shown.latest} is one of the API's ${values.join(', ')}`);
      await axeAndShot('instance_health.zh-CN');
      await page.getByTestId('health-range').selectOption({ index: 2 });
      await page.getByTestId('health-CpuUsage').waitFor();
      assert.equal(await page.locator('[data-testid="health"] [role="alert"], [data-testid="health"] .t-alert--error').count(), 0, 'the 24-hour range is refused');
    });

    async function axeAndShot(name: string) {
      const violations = await axeViolations(page);
      await screenshot(page, name);
      assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`);
    }

    it('has no axe violations (wcag2a, wcag2aa) on any page, in either language, and screenshots them', async () => {
      const pages = ['/instances', '/instances/create', `/instances/${created[0]}`, '/placement-groups', '/heartbeats', '/outband', '/backup-ips', '/vpcs', '/eips', '/users', '/audit'];
      for (const lang of ['zh-CN', 'en-US'] as const) {
        await page.getByTestId('lang').selectOption(lang);
        for (const p of pages) {
          await page.evaluate((to) => { history.pushState(null, '', `/console${to}`); dispatchEvent(new PopStateEvent('popstate')); }, p);
          await page.locator('main').waitFor();
          await page.waitForLoadState('networkidle');
          await axeAndShot(`${p.replace(/\//g, '_').replace(/^_/, '') || 'home'}.${lang}`);
        }
      }
      await page.getByTestId('lang').selectOption('zh-CN');
    });

    it('completes the wizard by keyboard alone', async () => {
      await page.evaluate(() => { history.pushState(null, '', '/console/instances/create'); dispatchEvent(new PopStateEvent('popstate')); });
      await page.getByTestId('wizard').waitFor();
      await page.getByTestId('zone').focus();
      // Step 1 as it is (defaults), submitted with Enter from the host name field.
      await page.keyboard.press('Tab');
      for (let i = 0; i < 12 && !(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset?.testid === 'hostname')); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByTestId('password').waitFor();
      await page.getByTestId('password').focus();
      await page.keyboard.type('Key#board2026');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Key#board2026');
      await page.keyboard.press('Enter');
      await page.getByTestId('summary').waitFor();
      await page.getByTestId('confirm').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('created').waitFor();
    });

    it('refuses a Describe-only sub-user with the API\'s message, in the page', async () => {
      const cam = sdk(server.credentials.demo, 'cam');
      const user = await cam<{ Uin: number }>('AddUser', { Name: 'viewer', ConsoleLogin: 1, Password: 'Viewer#2026' });
      const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', {
        PolicyName: 'viewer-describe', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['bms:Describe*'], resource: '*' }] }),
      });
      await cam('AttachUserPolicy', { PolicyId, AttachUin: user.Uin });
      const context = await browser.newContext();
      const p = await context.newPage();
      await signIn(p, 'viewer', 'Viewer#2026');
      const id = created[0]!;
      await p.locator(`[data-testid="instance-row"][data-id="${id}"]`).getByRole('button', { name: '关机' }).click();
      await p.locator('.t-dialog__footer').getByRole('button', { name: '关机' }).click();
      const message = await p.getByTestId('action-error').textContent();
      assert.match(message ?? '', /bms:StopInstances/);
      await context.close();
    });

    it('sends an expired session back to sign-in with the reason', async () => {
      server.skew.ms += 31 * 60_000;
      // The next call (or the live feed's keep-alive, whichever comes first) finds the session over.
      await page.getByRole('button', { name: '刷新' }).click().catch(() => undefined);
      await page.getByTestId('login-account').waitFor({ timeout: 20_000 });
      assert.match(await page.locator('.login-box').textContent() ?? '', /会话已过期/);
      server.skew.ms -= 31 * 60_000;
    });
  });
});
