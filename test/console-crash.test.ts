/**
 * The console across a crash: kill -9 of the server while the create wizard is half filled,
 * then a restart on the same port and data. The page shows the reconnecting banner while the
 * server is gone and hides it once the live feed is back; nothing typed is lost; the session
 * (kept in the store) still holds; the list's count is exact again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, screenshot, withChromium } from './support/browser.ts';
import { startChildServer, type ChildServer } from './support/child-server.ts';
import { sdk } from './support/cloud.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

withChromium('console across a server crash', () => {
  describe('console across a server crash', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bms-console-crash-'));
    let browser: Browser;
    let server: ChildServer | undefined;
    let env: Record<string, string>;
    before(async () => {
      browser = await launch();
      env = { BMS_DATA_DIR: dataDir, BMS_PORT: String(await freePort()), BMS_SIM_TIME_SCALE: '0.0005' };
      server = await startChildServer(env);
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps the half-filled wizard through kill -9 and a restart; banner shown then hidden; counts exact', async () => {
      const creds = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
      const page = await (await browser.newContext()).newPage();
      await page.goto(creds.ConsoleUrl);
      await page.getByTestId('login-account').fill(creds.ConsoleAccount);
      await page.getByTestId('login-password').fill(creds.ConsolePassword);
      await page.getByTestId('login-password').press('Enter');
      await page.getByTestId('instance-row').first().waitFor();
      await page.getByTestId('create').click();
      await page.getByTestId('hostname').fill('half-filled');
      await page.getByTestId('next').click();
      await page.getByTestId('instance-name').fill('crash-survivor');
      await page.getByTestId('count').fill('2');

      server!.child.kill('SIGKILL');
      await server!.stop();
      await page.locator('.live-banner').waitFor({ timeout: 20_000 });
      await screenshot(page, 'reconnecting.zh-CN');
      server = await startChildServer(env);
      await page.locator('.live-banner').waitFor({ state: 'detached', timeout: 30_000 });

      assert.equal(await page.getByTestId('instance-name').inputValue(), 'crash-survivor');
      assert.equal(await page.getByTestId('count').inputValue(), '2');
      await page.getByTestId('previous').click();
      assert.equal(await page.getByTestId('hostname').inputValue(), 'half-filled');
      await page.getByRole('button', { name: '取消' }).click();
      const demo = { ...creds, Endpoint: server.endpoint };
      const { TotalCount } = await sdk(demo)<{ TotalCount: number }>('DescribeInstances', {});
      await page.getByTestId('total').filter({ hasText: `共 ${TotalCount} 项` }).waitFor();
      assert.equal(await page.getByTestId('instance-row').count(), TotalCount);
    });
  });
});
