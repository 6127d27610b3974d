/**
 * The SDK in a real browser (Debian's Chromium through playwright-core): the one-service bundle
 * a web page would ship (esbuild, platform browser) signs with Web Crypto and calls BMS with the
 * browser's fetch — against BMS running as a process, from a page of the same origin (the page
 * is served by intercepting its URL, so no CORS is involved) — and gets typed errors and pages.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { projectPath } from '../scripts/codegen.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';

const CHROMIUM = '/usr/bin/chromium';
// Skipped with the reason where Chromium is missing — except in CI, which installs it (.ci/run) and must run this.
const skip = existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('SDK in a browser', { skip }, () => {
  let server: ChildServer;
  let dataDir: string;
  let browser: Browser;
  let bundle: string;

  before(async () => {
    const built = await esbuild.build({
      stdin: {
        contents: `import { BmsClient } from './packages/sdk/src/services/bms.ts';
import { BmsError } from './packages/sdk/src/errors.ts';
window.runSdk = async ({ secretId, secretKey }) => {
  const bms = new BmsClient({ endpoint: '', region: 'ap-guangzhou', credentials: { secretId, secretKey } });
  const zones = await bms.DescribeZones();
  const flavors = [];
  for await (const f of bms.paginate('DescribeFlavors', {}, { pageSize: 1 })) flavors.push(f.FlavorId);
  const error = await bms.StopInstances({ InstanceIds: ['bms-nothere1'] }).catch((e) => ({ isBmsError: e instanceof BmsError, code: e.code, requestId: e.requestId, message: e.message }));
  return { zones: zones.ZoneSet.map((z) => z.Zone), flavors, error, userAgent: navigator.userAgent };
};`,
        resolveDir: projectPath(''), loader: 'ts',
      },
      bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, minify: true, logLevel: 'silent',
    });
    bundle = built.outputFiles[0]!.text;
    dataDir = mkdtempSync(join(tmpdir(), 'bms-sdk-browser-'));
    server = await startChildServer({ BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs with Web Crypto, calls with fetch, pages and gets typed errors', async () => {
    const page = await browser.newPage();
    const origin = `http://${server.endpoint}`;
    await page.route(`${origin}/sdk-page.html`, (route) => route.fulfill({
      contentType: 'text/html', body: `<!doctype html><html><body><script type="module">${bundle}</script></body></html>`,
    }));
    await page.goto(`${origin}/sdk-page.html`);
    await page.waitForFunction(() => typeof (window as unknown as { runSdk?: unknown }).runSdk === 'function');
    const demo = readCredentialFile(dataDir, 'demo');
    const out = await page.evaluate((creds) => (window as unknown as { runSdk: (c: object) => Promise<unknown> }).runSdk(creds), { secretId: demo.SecretId, secretKey: demo.SecretKey }) as {
      zones: string[]; flavors: string[]; error: { isBmsError: boolean; code: string; requestId: string; message: string }; userAgent: string;
    };
    assert.match(out.userAgent, /Chrome/);
    assert.deepEqual(out.zones, ['ap-guangzhou-1', 'ap-guangzhou-2']);
    assert.ok(out.flavors.length >= 2, 'pages of one');
    assert.equal(out.error.isBmsError, true);
    assert.equal(out.error.code, 'ResourceNotFound');
    assert.match(out.error.requestId, /^[0-9a-f-]{36}$/);
    assert.match(out.error.message, /bms-nothere1/);
    await page.close();
  });
});
