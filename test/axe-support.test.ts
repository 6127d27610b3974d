/**
 * The axe helper the console tests lean on: a violation that stays is found by every pass and
 * reported, so the settle-and-repeat that drops a node caught mid-render cannot hide a real one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM, axeViolations, withChromium } from './support/browser.ts';

withChromium('axe helper', () => {
  describe('axe helper', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
      page = await (await browser.newContext()).newPage();
    });
    after(async () => browser?.close());

    it('reports a contrast violation that stays', async () => {
      await page.setContent('<html lang="en"><head><title>t</title></head><body><main><p id="faint" style="color:#bbb;background:#fff">faint text</p></main></body></html>');
      const violations = await axeViolations(page);
      assert.equal(violations.length, 1, violations.join('\n'));
      assert.match(violations[0]!, /^color-contrast .*#faint/);
    });

    it('passes a page with nothing wrong', async () => {
      await page.setContent('<html lang="en"><head><title>t</title></head><body><main><p style="color:#000;background:#fff">plain</p></main></body></html>');
      assert.deepEqual(await axeViolations(page), []);
    });
  });
});
