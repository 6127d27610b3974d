/**
 * The console's words: every key exists in zh-CN and in en-US with a non-empty text, both
 * languages use the same {placeholders}, and every t('…') in the app's sources names a key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { messages } from '../console/src/i18n.ts';

const zh = messages['zh-CN'] as Record<string, string>;
const en = messages['en-US'] as Record<string, string>;

it('has every key in both languages, with the same placeholders', () => {
  assert.deepEqual(Object.keys(zh).filter((k) => !(k in en)), [], 'missing in en-US');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'missing in zh-CN');
  const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
  for (const k of Object.keys(zh)) {
    assert.ok(zh[k]!.trim() && en[k]!.trim(), `empty text for ${k}`);
    assert.equal(vars(zh[k]!), vars(en[k]!), `placeholders of ${k}`);
  }
});

it('names only existing keys in the sources (t(\'…\') and MessageKey literals)', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name) && name !== 'i18n.ts') files.push(p);
    }
  };
  walk(new URL('../console/src', import.meta.url).pathname);
  const used = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9.]+)'/g)) used.add(m[1]!);
    for (const m of text.matchAll(/(?:key|title|label): '([a-z]+\.[a-zA-Z0-9.]+)'/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 100, `found ${used.size} keys in use`);
  assert.deepEqual([...used].filter((k) => !(k in zh) || !(k in en)), []);
  // Statuses are looked up by the API's value: each one the list can show has its words.
  for (const s of ['PENDING', 'RUNNING', 'STOPPED', 'STOPPING', 'STARTING', 'REBOOTING', 'RESETTING', 'TERMINATING', 'LAUNCH_FAILED']) {
    assert.ok(`status.${s}` in zh && `status.${s}` in en, s);
  }
});
