/**
 * Test support: Debian's Chromium driven by playwright-core (headless, --no-sandbox), the
 * console built once by Vite, axe-core checks (wcag2a, wcag2aa) and screenshots written to
 * artifacts/console/ (kept by CI as artifacts, never compared pixel by pixel).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../artifacts/console/', import.meta.url).pathname;
export const APP_DIR = new URL('../../dist/console/', import.meta.url).pathname;

/** Runs `define` when Chromium is installed; otherwise one test that fails under CI and is skipped, with the reason, elsewhere. */
export function withChromium(name: string, define: () => void): void {
  if (existsSync(CHROMIUM)) define();
  else if (process.env['CI']) test(name, () => assert.fail(`${CHROMIUM} is missing (apt-get install chromium); CI must run the browser tests`));
  else test(name, (t) => t.skip(`${CHROMIUM} is missing: apt-get install -y chromium`));
}

export async function launch(): Promise<Browser> {
  await buildConsole();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * axe-core over the page (wcag2a + wcag2aa): the violations, as readable lines. The page is let
 * settle first (its finite animations ended, two frames drawn), and a violation counts only if
 * every pass finds it: a node React replaces while axe reads it comes back named `:root`, and a
 * transition's mid-frame colours are not the page's. A real violation is found by every pass.
 */
export async function axeViolations(page: Page, passes = 3): Promise<string[]> {
  let found: string[] | undefined;
  for (let pass = 0; pass < passes && (found === undefined || found.length > 0); pass++) {
    await settle(page);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    found = found === undefined ? lines : found.filter((line) => lines.includes(line));
  }
  return found ?? [];
}

/** Resolves once the page's finite animations have ended and two frames have been drawn after them. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => Number.isFinite(a.effect?.getComputedTiming().iterations ?? 1));
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  });
}

/** Signs `p` in to the console at `creds.ConsoleUrl` and waits for the instance list. */
export async function signIn(p: Page, creds: { ConsoleUrl: string; ConsoleAccount: string }, user: string, password: string): Promise<void> {
  await p.goto(creds.ConsoleUrl);
  await p.getByTestId('login-account').fill(creds.ConsoleAccount);
  await p.getByTestId('login-user').fill(user);
  await p.getByTestId('login-password').fill(password);
  await p.getByTestId('login-password').press('Enter');
  await p.getByTestId('instances-table').waitFor();
}
