/**
 * The console's other pages in a real browser (Debian's Chromium), each action checked through
 * the official SDK: the instance list's column chooser (kept across a reload); heartbeat groups
 * (instances added, then one moved to another group); a SW spread placement group with an
 * instance moved in, listed as a member; out-of-band access (a mapping created from choices, the
 * BMC account shown only on a click — the API's account, the read in the audit log — and hidden
 * again after a minute of the page's clock); backup IPs (added, made primary, returned); and
 * sub-users with their API keys (the secret shown once, and it works) and policies (created,
 * attached, detached). axe finds nothing with the dialogs open, in both languages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { APP_DIR, axeViolations, launch, screenshot, withChromium } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

interface Instance { InstanceId: string; InstanceName: string; Status: string; PrivateIpAddresses: string[] }

withChromium('console pages in Chromium', () => {
  describe('console pages in Chromium', () => {
    let server: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let bms: Call;
    let creds: { ConsoleAccount: string; ConsolePassword: string; ConsoleUrl: string };
    let ids: string[] = [];

    before(async () => {
      browser = await launch();
      server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true }, consoleDir: APP_DIR });
      creds = JSON.parse(readFileSync(join(server.dataDir, 'demo-credentials.json'), 'utf8'));
      bms = sdk(server.credentials.demo);
      const r = await waitFor('the demo instances running', () => bms<{ InstanceSet: Instance[] }>('DescribeInstances', {}),
        (x) => x.InstanceSet.length >= 2 && x.InstanceSet.every((i) => i.Status === 'RUNNING'));
      ids = r.InstanceSet.map((i) => i.InstanceId).sort();
      context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      // The page's clock is Playwright's: the out-of-band test moves it a minute on instead of waiting.
      await context.clock.install();
      page = await context.newPage();
      await page.goto(creds.ConsoleUrl);
      await page.getByTestId('login-account').fill(creds.ConsoleAccount);
      await page.getByTestId('login-user').fill('root');
      await page.getByTestId('login-password').fill(creds.ConsolePassword);
      await page.getByTestId('login-password').press('Enter');
      await page.getByTestId('instances-table').waitFor();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    const go = async (to: string) => {
      await page.evaluate((p) => { history.pushState(null, '', `/console${p}`); dispatchEvent(new PopStateEvent('popstate')); }, to);
      await page.locator('main').waitFor();
    };
    const dialog = () => page.locator('.t-dialog:visible');
    /** Confirms the open dialog; fails with the dialog's error if the API refused. */
    const confirm = async () => {
      await dialog().locator('.t-dialog__footer').getByRole('button', { name: /^(确定|OK)$/ }).click();
      const closed = page.locator('.t-dialog:visible').waitFor({ state: 'detached', timeout: 20_000 }).then(() => undefined);
      const refused = page.locator('[data-testid="page-dialog-error"]:visible, [data-testid="form-error"]:visible, [data-testid="users-confirm-error"]:visible')
        .first().waitFor({ timeout: 20_000 }).then(() => page.locator('[role="alert"]:visible').first().textContent());
      const error = await Promise.race([closed, refused]);
      assert.equal(error, undefined, `refused: ${error}`);
    };
    const row = (id: string) => page.locator(`[data-testid="page-row"][data-id="${id}"]`);
    async function axeAndShot(name: string) {
      await page.mouse.move(0, 0); // no button left in its hover colours by the click before
      const violations = await axeViolations(page);
      await screenshot(page, name);
      assert.deepEqual(violations, [], `${name}: ${violations.join('\n')}`);
    }

    it('chooses the instance list\'s columns, and keeps the choice across a reload', async () => {
      const headers = () => page.getByTestId('instances-table').locator('thead th').allTextContents();
      assert.ok((await headers()).includes('操作系统'));
      assert.ok(!(await headers()).includes('私有网络'), 'VPC hidden by default');
      await page.locator('summary', { hasText: '列设置' }).click();
      await page.getByLabel('操作系统', { exact: true }).uncheck();
      await page.getByLabel('私有网络', { exact: true }).check();
      assert.ok(!(await headers()).includes('操作系统'));
      assert.ok((await headers()).includes('私有网络'));
      const vpcCell = await page.getByTestId('instance-row').first().locator('td').nth((await headers()).indexOf('私有网络')).textContent();
      assert.match(vpcCell ?? '', /^vpc-/);
      await page.reload();
      await page.getByTestId('instance-row').first().waitFor();
      assert.ok(!(await headers()).includes('操作系统'), 'still hidden after a reload');
      assert.ok((await headers()).includes('私有网络'));
      await page.locator('summary', { hasText: '列设置' }).click();
      await page.getByLabel('操作系统', { exact: true }).check();
      await page.getByLabel('私有网络', { exact: true }).uncheck();
      await page.locator('summary', { hasText: '列设置' }).click();
    });

    it('adds instances to a heartbeat group, then moves one to another group', async () => {
      await go('/heartbeats');
      for (const name of ['hb-a', 'hb-b']) {
        await page.getByTestId('page-create').click();
        await dialog().getByLabel('名称').fill(name);
        await confirm();
      }
      const groups = await bms<{ HeartbeatSet: Array<{ HeartbeatId: string; Name: string; CurrentNum: string; VlanId: string }> }>('DescribeHeartbeats', {});
      const a = groups.HeartbeatSet.find((g) => g.Name === 'hb-a')!;
      const b = groups.HeartbeatSet.find((g) => g.Name === 'hb-b')!;
      await row(a.HeartbeatId).waitFor();
      assert.match(await row(a.HeartbeatId).textContent() ?? '', new RegExp(a.VlanId), 'the VLAN is shown');
      await row(a.HeartbeatId).getByTestId('heartbeat-add').click();
      for (const id of ids) await dialog().getByTestId('hb-instances').getByRole('checkbox', { name: new RegExp(id) }).check();
      await axeAndShot('heartbeat-add-dialog.zh-CN');
      await confirm();
      await row(a.HeartbeatId).getByTestId('member-count').filter({ hasText: '2' }).waitFor();
      await row(b.HeartbeatId).getByTestId('heartbeat-add').click();
      await dialog().getByTestId('hb-instances').getByRole('checkbox', { name: new RegExp(ids[0]!) }).check();
      await confirm();
      await row(b.HeartbeatId).getByTestId('member-count').filter({ hasText: '1' }).waitFor();
      await row(a.HeartbeatId).getByTestId('member-count').filter({ hasText: '1' }).waitFor();
      const after = await bms<{ HeartbeatSet: Array<{ HeartbeatId: string; CurrentNum: string }> }>('DescribeHeartbeats', {});
      assert.deepEqual(Object.fromEntries(after.HeartbeatSet.map((g) => [g.HeartbeatId, g.CurrentNum])), { [a.HeartbeatId]: '1', [b.HeartbeatId]: '1' }, 'moved, not added twice');
    });

    it('creates a SW spread placement group and moves an instance in, listed as its member', async () => {
      await go('/placement-groups');
      await page.getByTestId('page-create').click();
      await dialog().getByLabel('名称').fill('spread-sw');
      await dialog().getByLabel('类型').selectOption('SW');
      await confirm();
      const r = await bms<{ GroupSet: Array<{ DisasterRecoverGroupId: string; Name: string; Type: string }> }>('DescribeDisasterRecoverGroups', {});
      const g = r.GroupSet.find((x) => x.Name === 'spread-sw')!;
      assert.equal(g.Type, 'SW');
      await row(g.DisasterRecoverGroupId).getByRole('button', { name: /移入实例/ }).click();
      await dialog().getByLabel('实例').selectOption(ids[1]!);
      await confirm();
      await row(g.DisasterRecoverGroupId).getByTestId('members').filter({ hasText: ids[1]! }).waitFor();
      const members = await bms<{ InstanceSet: Instance[] }>('DescribeInstances', { Filters: [{ Name: 'groupId', Values: [g.DisasterRecoverGroupId] }] });
      assert.deepEqual(members.InstanceSet.map((i) => i.InstanceId), [ids[1]]);
    });

    it('maps an instance\'s BMC, shows its account only on a click (audited), hidden again after a minute', async () => {
      await go('/outband');
      await page.getByTestId('page-create').click();
      await dialog().getByTestId('ob-instance').selectOption(ids[0]!);
      const subnet = await dialog().getByTestId('ob-subnet').inputValue();
      assert.match(subnet, /^vpc-\w+\/subnet-\w+$/);
      await confirm();
      const mapped = await bms<{ InstanceSet: Array<{ InstanceId: string[]; Vip: string[]; Vport: number[] }> }>('DescribeOutbandIP', { InstanceId: ids[0] });
      const m = mapped.InstanceSet[0]!;
      const key = `${ids[0]}/${subnet.split('/')[0]}`;
      assert.equal(await row(key).getByTestId('outband-address').textContent(), m.Vip.map((ip, i) => `${ip}:${m.Vport[i]}`).join(', '));
      assert.equal(await row(key).getByTestId('bmc-account').count(), 0, 'not shown before the click');
      await row(key).getByTestId('reveal').click();
      const info = await bms<{ OutbandInfo: Array<{ User: string; Password: string }> }>('DescribeOutbandInfo', { InstanceId: ids[0] });
      await row(key).getByTestId('bmc-user').filter({ hasText: info.OutbandInfo[0]!.User }).waitFor();
      assert.equal(await row(key).getByTestId('bmc-password').textContent(), info.OutbandInfo[0]!.Password);
      await context.clock.fastForward(30_000);
      assert.equal(await row(key).getByTestId('bmc-account').count(), 1, 'still shown after half a minute');
      await context.clock.fastForward(31_000);
      await row(key).getByTestId('bmc-account').waitFor({ state: 'detached', timeout: 5000 });
      await row(key).getByTestId('reveal').waitFor();
      // The read is in the tenant's audit log, as the console user's.
      await go('/audit');
      await page.getByTestId('audit-action').filter({ hasText: 'DescribeOutbandInfo' }).first().waitFor();
      // Deleted from its row.
      await go('/outband');
      await row(key).getByRole('button', { name: /删除/ }).click();
      await confirm();
      await row(key).waitFor({ state: 'detached' });
      assert.equal((await bms<{ TotalCount: number }>('DescribeOutbandIP', { InstanceId: ids[0] })).TotalCount, 0);
    });

    it('adds a backup IP, makes it the primary, and returns another', async () => {
      await go('/backup-ips');
      const id = ids[1]!;
      const ipsOf = async () => (await bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0]!.PrivateIpAddresses;
      const [primary] = await ipsOf();
      await row(id).getByTestId('backup-add').click();
      await confirm();
      await row(id).getByTestId('backup-ip').first().waitFor();
      const [, backup] = await ipsOf();
      assert.ok(backup, 'a backup IP was added');
      await row(id).locator(`[data-testid="backup-ip"][data-ip="${backup}"]`).getByTestId('make-primary').click();
      assert.match(await dialog().textContent() ?? '', new RegExp(`${backup!.replace(/\./g, '\\.')} 将成为主 IP，原主 IP ${primary!.replace(/\./g, '\\.')} 被退还`));
      await axeAndShot('backup-make-primary-dialog.zh-CN');
      await confirm();
      await row(id).getByTestId('primary-ip').filter({ hasText: backup! }).waitFor();
      assert.deepEqual(await ipsOf(), [backup], 'the backup is the primary; the old primary returned');
      await row(id).getByTestId('backup-add').click();
      await dialog().getByTestId('backup-address').fill('300.1.1.1');
      await dialog().locator('.t-dialog__footer').getByRole('button', { name: '确定' }).click();
      assert.match(await page.getByTestId('page-dialog-error').filter({ hasText: /\S/ }).first().textContent() ?? '', /BackupIP/, 'the API\'s message');
      await dialog().getByTestId('backup-address').fill('');
      await confirm();
      await row(id).getByTestId('backup-ip').first().waitFor();
      const [, second] = await ipsOf();
      await row(id).locator(`[data-testid="backup-ip"][data-ip="${second}"]`).getByTestId('return-backup').click();
      await confirm();
      await row(id).getByTestId('backup-ip').waitFor({ state: 'detached' });
      assert.deepEqual(await ipsOf(), [backup]);
    });

    it('shows an instance\'s placement group, primary and backup IPs, and its elastic IP\'s bandwidth and line in the details', async () => {
      const id = ids[1]!;
      const { BackupIP } = await bms<{ BackupIP: string }>('CreateBackupIP', { InstanceId: id });
      await sdk(server.credentials.operator, 'bmsops')('AddEipPoolAddresses', { Isp: 'CUCC', CidrBlock: '198.51.100.0/29' });
      const vpc = sdk(server.credentials.demo, 'vpc');
      const { AddressSet } = await vpc<{ AddressSet: string[] }>('AllocateAddresses', { AddressCount: 1, InternetServiceProvider: 'CUCC' });
      await vpc('AssociateAddress', { AddressId: AddressSet[0], InstanceId: id });
      await vpc('ModifyAddressesBandwidth', { AddressIds: AddressSet, InternetMaxBandwidthOut: 25 });
      const [primary] = (await bms<{ InstanceSet: Instance[] }>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0]!.PrivateIpAddresses;
      await go(`/instances/${id}`);
      await page.getByTestId('detail-group').filter({ hasText: 'spread-sw' }).waitFor();
      // Its heartbeat group (the heartbeat test above left it in hb-a), through DescribeHeartbeats' InstanceId filter.
      const [hb] = (await bms<{ HeartbeatSet: Array<{ HeartbeatId: string; Name: string }> }>('DescribeHeartbeats', { Filters: [{ Name: 'InstanceId', Values: [id] }] })).HeartbeatSet;
      assert.equal(hb?.Name, 'hb-a');
      await page.getByTestId('detail-heartbeat').filter({ hasText: hb!.HeartbeatId }).waitFor();
      assert.match(await page.getByTestId('detail-heartbeat').textContent() ?? '', /^hb-a \(/);
      assert.equal(await page.getByTestId('detail-primary-ip').textContent(), primary);
      assert.equal(await page.getByTestId('detail-backup-ips').textContent(), BackupIP);
      await page.locator('.t-tabs__nav-item', { hasText: '公网IP' }).click();
      await page.getByTestId('detail-eip-bandwidth').filter({ hasText: '25 Mbps' }).waitFor({ timeout: 20_000 });
      assert.match(await page.getByTestId('detail-eips').textContent() ?? '', /CUCC/);
      await go(`/instances/${ids[0]}`);
      await page.getByTestId('detail-group').filter({ hasNotText: '加载中' }).waitFor();
      assert.equal(await page.getByTestId('detail-group').textContent(), '-', 'in no group');
      await page.getByTestId('detail-heartbeat').filter({ hasText: 'hb-b' }).waitFor(); // moved there by the heartbeat test
    });

    it('creates a VPC and a BMS subnet in it (the API\'s message for a bad CIDR), shows its address usage, deletes both', async () => {
      await go('/vpcs');
      await page.getByTestId('page-create').click();
      await dialog().getByTestId('vpc-name').fill('e2e-vpc');
      await dialog().getByTestId('vpc-cidr').fill('10.70.0.0/16');
      await confirm();
      const vpcs = await sdk(server.credentials.demo, 'vpc')<{ VpcSet: Array<{ VpcId: string; VpcName: string }> }>('DescribeVpcs', {});
      const vpcId = vpcs.VpcSet.find((v) => v.VpcName === 'e2e-vpc')!.VpcId;
      await row(vpcId).getByTestId('subnet-create').click();
      await dialog().getByTestId('subnet-name').fill('e2e-subnet');
      await dialog().getByTestId('subnet-cidr').fill('10.80.1.0/24');
      await dialog().locator('.t-dialog__footer').getByRole('button', { name: '确定' }).click();
      assert.match(await page.getByTestId('page-dialog-error').filter({ hasText: /\S/ }).first().textContent() ?? '', /CidrBlock/, 'outside the VPC: the API\'s message');
      await dialog().getByTestId('subnet-cidr').fill('10.70.1.0/24');
      await confirm();
      const subnets = await sdk(server.credentials.demo, 'vpc')<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; IsBmsSubnet: boolean; TotalIpAddressCount: number; AvailableIpAddressCount: number }> }>('DescribeSubnets', { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] });
      const sn = subnets.SubnetSet[0]!;
      assert.equal(sn.IsBmsSubnet, true);
      const item = row(vpcId).locator(`[data-testid="subnet"][data-id="${sn.SubnetId}"]`);
      assert.equal(await item.getByTestId('subnet-usage').textContent(), `已用 ${sn.TotalIpAddressCount - sn.AvailableIpAddressCount} / 共 ${sn.TotalIpAddressCount} 个地址`);
      await item.getByTestId('subnet-delete').click();
      await confirm();
      await item.waitFor({ state: 'detached' });
      await row(vpcId).getByTestId('vpc-delete').click();
      await confirm();
      await row(vpcId).waitFor({ state: 'detached' });
      const left = await sdk(server.credentials.demo, 'vpc')<{ VpcSet: Array<{ VpcId: string }> }>('DescribeVpcs', {});
      assert.ok(!left.VpcSet.some((v) => v.VpcId === vpcId));
    });

    it('applies for an elastic IP, binds it, adjusts its bandwidth, unbinds and releases it', async () => {
      const vpc = sdk(server.credentials.demo, 'vpc');
      const before = new Set((await vpc<{ AddressSet: Array<{ AddressId: string }> }>('DescribeAddresses', {})).AddressSet.map((a) => a.AddressId));
      await go('/eips');
      await page.getByTestId('page-create').click();
      await dialog().getByLabel('线路').selectOption('CUCC');
      await confirm();
      const all = await vpc<{ AddressSet: Array<{ AddressId: string; Bandwidth: number; InstanceId: string | null; InternetServiceProvider: string }> }>('DescribeAddresses', {});
      const eip = all.AddressSet.find((a) => !before.has(a.AddressId))!;
      assert.equal(eip.InternetServiceProvider, 'CUCC');
      await row(eip.AddressId).getByTestId('eip-bind').click();
      await dialog().getByTestId('eip-instance').selectOption(ids[0]!);
      await confirm();
      await row(eip.AddressId).getByTestId('eip-bound').filter({ hasText: ids[0]! }).waitFor();
      await row(eip.AddressId).getByTestId('eip-bandwidth-edit').click();
      await dialog().getByTestId('eip-bandwidth-input').fill('30');
      await confirm();
      await row(eip.AddressId).getByTestId('eip-bandwidth').filter({ hasText: '30 Mbps' }).waitFor();
      const one = async () => (await vpc<{ AddressSet: Array<{ Bandwidth: number; InstanceId: string | null }> }>('DescribeAddresses', { AddressIds: [eip.AddressId] })).AddressSet[0];
      assert.deepEqual([(await one())!.Bandwidth, (await one())!.InstanceId], [30, ids[0]]);
      await row(eip.AddressId).getByTestId('eip-unbind').click();
      assert.match(await dialog().textContent() ?? '', /将无法通过该地址远程登录/, 'the manual\'s note');
      await confirm();
      await row(eip.AddressId).getByTestId('eip-bound').filter({ hasText: /^-$/ }).waitFor();
      await row(eip.AddressId).getByTestId('eip-release').click();
      await confirm();
      await row(eip.AddressId).waitFor({ state: 'detached' });
      assert.equal(await one(), undefined);
    });

    it('manages a sub-user\'s API keys and policies: the secret shown once works, a policy attached lets it describe', async () => {
      await go('/users');
      await page.getByTestId('user-create').click();
      await page.getByTestId('user-name').fill('ops');
      await page.getByTestId('user-password').fill('Ops#2026pass');
      await confirm();
      // Without a password one is generated, shown once, and signs in.
      await page.getByTestId('user-create').click();
      await page.getByTestId('user-name').fill('ops2');
      await confirm();
      const generated = (await page.getByTestId('generated-password-value').textContent())!;
      // (signed in from outside the browser, whose session stays root's)
      const signIn = await fetch(new URL('/console/api/login', creds.ConsoleUrl), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ AccountUin: creds.ConsoleAccount, UserName: 'ops2', Password: generated }),
      });
      assert.equal(((await signIn.json()) as { Response: { Error?: unknown } }).Response.Error, undefined, 'the generated password signs in');
      const userRow = page.locator('[data-testid="user-row"][data-name="ops"]');
      await userRow.getByTestId('user-manage').click();
      await page.getByTestId('user-detail').waitFor();
      await page.getByTestId('key-create').click();
      const secretId = (await page.getByTestId('new-secret-id').textContent())!;
      const secretKey = (await page.getByTestId('new-secret-key').textContent())!;
      await page.locator(`[data-testid="key-row"][data-id="${secretId}"]`).waitFor();
      const asOps = sdk({ ...server.credentials.demo, SecretId: secretId, SecretKey: secretKey });
      const refused = await failure(asOps('DescribeInstances', {}));
      assert.equal(refused.code, 'AuthFailure.UnauthorizedOperation', 'the key authenticates; no policy yet');
      // A custom policy: first a document the API refuses (its message shown), then a good one.
      await page.getByTestId('policy-create').click();
      await page.getByTestId('policy-name').fill('ops-describe');
      await page.getByTestId('policy-doc').fill('{not json');
      await dialog().locator('.t-dialog__footer').getByRole('button', { name: '确定' }).click();
      assert.match(await page.getByTestId('form-error').filter({ hasText: /\S/ }).first().textContent() ?? '', /PolicyDocument/);
      await page.getByTestId('policy-doc').fill(JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['bms:Describe*'], resource: '*' }] }));
      await confirm();
      await page.locator('[data-testid="policy-row"][data-name="ops-describe"]').waitFor();
      const option = await page.getByTestId('attach-policy').locator('option', { hasText: 'ops-describe' }).getAttribute('value');
      await page.getByTestId('attach-policy').selectOption(option!);
      await page.getByTestId('attach').click();
      await page.locator(`[data-testid="attached-row"][data-id="${option}"]`).waitFor();
      await axeAndShot('users-detail.zh-CN');
      // The server caches a key's policies and status for a second (src/iam/credential-resolver.ts): its clock moves past that.
      const pastTheCache = () => { server.skew.ms += 1_100; };
      pastTheCache();
      const described = await asOps<{ TotalCount: number }>('DescribeInstances', {});
      assert.equal(described.TotalCount, ids.length, 'the attached policy lets the key describe');
      // Disabled, the key stops working; deleted, it is gone.
      await page.locator(`[data-testid="key-row"][data-id="${secretId}"]`).getByTestId('key-toggle').click();
      await page.locator(`[data-testid="key-row"][data-id="${secretId}"]`).getByTestId('key-status').filter({ hasText: '已禁用' }).waitFor();
      pastTheCache();
      const disabled = await failure(asOps('DescribeInstances', {}));
      assert.match(disabled.code, /^AuthFailure/);
      await page.locator(`[data-testid="attached-row"][data-id="${option}"]`).getByTestId('detach').click();
      await page.locator(`[data-testid="attached-row"][data-id="${option}"]`).waitFor({ state: 'detached' });
      await page.locator(`[data-testid="key-row"][data-id="${secretId}"]`).getByTestId('key-delete').click();
      await confirm();
      await page.locator(`[data-testid="key-row"][data-id="${secretId}"]`).waitFor({ state: 'detached' });
      const cam = sdk(server.credentials.demo, 'cam');
      const { Data } = await cam<{ Data: Array<{ Uin: number; Name: string }> }>('ListUsers');
      const uin = Data.find((u) => u.Name === 'ops')!.Uin;
      assert.deepEqual((await cam<{ AccessKeys: unknown[] }>('ListAccessKeys', { TargetUin: uin })).AccessKeys, []);
      assert.deepEqual((await cam<{ List: unknown[] }>('ListAttachedUserPolicies', { TargetUin: uin })).List, []);
    });

    it('offers the account\'s placement groups and existing tags in the create wizard, and launches with them', async () => {
      await sdk(server.credentials.demo, 'tag')('CreateTag', { TagKey: 'team', TagValue: 'storage' });
      const { GroupId } = await bms<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'wizard-rack', Type: 'RACK' });
      await go('/instances/create');
      await page.getByTestId('wizard').waitFor();
      await page.getByTestId('add-tag').click();
      await page.getByTestId('known-tag-keys').locator('option[value="team"]').waitFor({ state: 'attached' });
      await page.getByTestId('tag-key-0').fill('team');
      const values = await page.locator('#wizard-tag-values-0 option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual(values, ['storage'], 'the key\'s existing values offered');
      await page.getByTestId('tag-value-0').fill('storage');
      await page.getByTestId('next').click();
      await page.getByTestId('group').locator(`option[value="${GroupId}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('group').selectOption(GroupId);
      await page.getByTestId('password').fill('Wiz#2026pass');
      await page.getByTestId('password2').fill('Wiz#2026pass');
      await page.getByTestId('next').click();
      await page.getByTestId('summary').filter({ hasText: 'wizard-rack' }).waitFor();
      assert.match(await page.getByTestId('summary').textContent() ?? '', /team:storage/);
      await page.getByTestId('confirm').click();
      const done = await page.getByTestId('created').textContent();
      const [id] = [...(done ?? '').matchAll(/bms-[a-z0-9]+/g)].map((m) => m[0]);
      assert.ok(id, done ?? '');
      const inGroup = await bms<{ InstanceSet: Array<{ InstanceId: string; Tags: Array<{ TagKey: string; TagValue: string }> }> }>('DescribeInstances', { Filters: [{ Name: 'groupId', Values: [GroupId] }] });
      assert.deepEqual(inGroup.InstanceSet.map((i) => i.InstanceId), [id], 'launched into the chosen group');
      assert.deepEqual(inGroup.InstanceSet[0]!.Tags.map((x) => [x.TagKey, x.TagValue]), [['team', 'storage']]);
      await page.getByTestId('back-to-list').click();
    });

    it('shows a sold-out flavor disabled; asks a user-defined flavor for no login password and no security agent, and launches it so', async () => {
      const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; Soldout: number; Placement: { Zone: string } }> }>('DescribeFlavors', {});
      const custom = FlavorSet.find((f) => f.UserDefined && !f.Soldout)!;
      const standard = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === custom.Placement.Zone)!;
      await go('/instances/create');
      await page.getByTestId('wizard').waitFor();
      await page.getByTestId('zone').selectOption(custom.Placement.Zone);
      await page.getByTestId(`flavor-${standard.FlavorId}`).check();
      await page.getByLabel(/安装主机安全 Agent/).waitFor();
      // A sold-out flavor is shown, disabled and said so (the list is read when the wizard opens).
      const ops = sdk(server.credentials.operator, 'bmsops');
      const soldOut = FlavorSet.find((f) => !f.UserDefined && f.Placement.Zone === custom.Placement.Zone && f.FlavorId !== standard.FlavorId)!;
      await ops('ModifyFlavor', { FlavorId: soldOut.FlavorId, SoldOut: true });
      try {
        await page.reload();
        await page.getByTestId('wizard').waitFor();
        const radio = page.getByTestId(`flavor-${soldOut.FlavorId}`);
        await radio.waitFor();
        assert.equal(await radio.isDisabled(), true, 'sold out: disabled');
        assert.match(await page.locator(`label[for="flavor-${soldOut.FlavorId}"]`).textContent() ?? '', /已售罄/);
        assert.equal(await page.getByTestId(`flavor-${standard.FlavorId}`).isDisabled(), false);
      } finally {
        await ops('ModifyFlavor', { FlavorId: soldOut.FlavorId, SoldOut: false });
      }
      await page.getByTestId(`flavor-${custom.FlavorId}`).check();
      await page.getByLabel(/安装主机安全 Agent/).waitFor({ state: 'detached' });
      await page.getByTestId('next').click();
      await page.getByTestId('instance-name').waitFor();
      assert.equal(await page.getByTestId('password').count(), 0, 'no password asked');
      await page.getByText('自定义机型无需设置登录密码。', { exact: true }).waitFor();
      await page.getByTestId('instance-name').fill('custom-e2e');
      await page.getByTestId('next').click();
      const refused = page.locator('form [role="alert"]').first();
      await Promise.race([page.getByTestId('summary').waitFor(), refused.waitFor()]);
      assert.equal(await refused.count(), 0, `refused: ${await refused.textContent().catch(() => '')}`);
      await page.getByTestId('confirm').click();
      const done = await page.getByTestId('created').textContent();
      const [id] = [...(done ?? '').matchAll(/bms-[a-z0-9]+/g)].map((m) => m[0]);
      const launched = await bms<{ InstanceSet: Array<{ FlavorId: string; UserDefined: number; InstanceName: string }> }>('DescribeInstances', { InstanceIds: [id] });
      assert.deepEqual([launched.InstanceSet[0]!.FlavorId, launched.InstanceSet[0]!.InstanceName], [custom.FlavorId, 'custom-e2e']);
      await page.getByTestId('back-to-list').click();
      // The API does not reinstall a user-defined flavor's machine: the list does not offer it.
      const more = page.locator(`[data-testid="instance-row"][data-id="${id}"]`).getByTestId('more');
      await more.waitFor();
      assert.equal(await more.locator('option[value="reset"]').isDisabled(), true, '重装 not offered');
      const all = await bms<{ InstanceSet: Array<{ InstanceId: string; UserDefined: number }> }>('DescribeInstances', {});
      const standardId = all.InstanceSet.find((i) => !i.UserDefined)!.InstanceId; // the one the wizard launched before
      assert.equal(await page.locator(`[data-testid="instance-row"][data-id="${standardId}"]`).getByTestId('more').locator('option[value="reset"]').isDisabled(), false, '重装 offered for a standard flavor');
    });

    it('says so when an instance stays in a transient state longer than expected (a hung BMC; the page clock moved on)', async () => {
      const ops = sdk(server.credentials.operator, 'bmsops');
      const { ServerSet } = await ops<{ ServerSet: Array<{ ServerId: string }> }>('DescribeServers', { Filters: [{ Name: 'instance-id', Values: [ids[0]] }] });
      const serverId = ServerSet[0]!.ServerId;
      await ops('InjectServerFaults', { ServerId: serverId, Fault: 'hang' });
      await go('/instances');
      await bms('StopInstances', { InstanceIds: [ids[0]] });
      const status = page.locator(`[data-testid="instance-row"][data-id="${ids[0]}"]`).getByTestId('status');
      await status.filter({ hasText: '关机中' }).waitFor();
      await context.clock.fastForward(5 * 60_000);
      await page.waitForTimeout(200);
      assert.equal(await status.getByRole('note').count(), 0, 'within the expected 10 minutes: no note');
      await context.clock.fastForward(6 * 60_000);
      await status.getByRole('note').waitFor({ timeout: 5000 });
      assert.match(await status.getByRole('note').textContent() ?? '', /该实例处于关机中已超过预计时长（10 分钟）/);
      await ops('ClearServerFaults', { ServerId: serverId });
      await status.filter({ hasNotText: '关机中' }).waitFor({ timeout: 20_000 });
    });

    it('has no axe violations on these pages in English either', async () => {
      await page.getByTestId('lang').selectOption('en-US');
      for (const p of ['/heartbeats', '/placement-groups', '/outband', '/backup-ips', '/vpcs', '/eips', '/users']) {
        await go(p);
        await page.getByTestId('page-table').or(page.getByTestId('users-page')).first().waitFor();
        await page.waitForLoadState('networkidle');
        await axeAndShot(`pages${p.replace(/\//g, '_')}.en-US`);
      }
      await page.locator('[data-testid="user-row"][data-name="ops"]').getByTestId('user-manage').click();
      await page.getByTestId('user-detail').waitFor();
      await axeAndShot('users-detail.en-US');
      await page.getByTestId('lang').selectOption('zh-CN');
    });
  });
});
