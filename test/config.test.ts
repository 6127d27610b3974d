/**
 * The README's configuration table is the configuration: every variable the schema reads has a
 * row, every row names a variable something reads (the schema, or the CLI's own), and each
 * row's default is the schema's. `loadConfig` names every bad variable at once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { envSchema, loadConfig } from '../src/config/config.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
/** Rows: variable names of the first cell, and the defaults of the second (backticked, in order). */
const rows = [...table.matchAll(/^\| ((?:`BMS_[A-Z0-9_]+`(?:, )?)+) \| ([^|]*) \|/gm)].map(([, vars, dflt]) => ({
  vars: [...vars!.matchAll(/`(BMS_[A-Z0-9_]+)`/g)].map((m) => m[1]!),
  defaults: [...dflt!.matchAll(/`([^`]*)`/g)].map((m) => m[1]!),
  cell: dflt!.trim(),
}));
const CLI_ONLY = ['BMS_CONFIG_DIR', 'BMS_PROFILE', 'BMS_ENDPOINT', 'BMS_LANGUAGE'];

describe('configuration', () => {
  it('the README lists every variable the schema reads, and no other but the CLI\'s', () => {
    const listed = rows.flatMap((r) => r.vars);
    const schemaVars = Object.keys(envSchema.shape);
    assert.deepEqual(schemaVars.filter((v) => !listed.includes(v)), [], 'variables without a README row');
    assert.deepEqual(listed.filter((v) => !schemaVars.includes(v) && !CLI_ONLY.includes(v)), [], 'README rows nothing reads');
    const cli = ['config.ts', 'main.ts'].map((f) => readFileSync(join(root, 'packages/cli/src', f), 'utf8')).join('\n');
    for (const v of CLI_ONLY) assert.ok(cli.includes(v), `the CLI reads ${v}`);
  });

  it('each README default is the schema\'s', () => {
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    for (const r of rows) {
      r.vars.forEach((v, i) => {
        if (CLI_ONLY.includes(v)) return;
        const d = defaults[v];
        if (d === undefined) {
          assert.match(r.cell, /^\(/, `${v} has no default: the README should say what happens without it, in parentheses, not ${r.cell}`);
          return;
        }
        const shown = r.defaults[i];
        assert.ok(shown !== undefined, `${v}: no default shown`);
        if (typeof d === 'number') assert.ok(Math.abs(Number(shown) - d) < 0.00051, `${v}: README ${shown}, schema ${d}`);
        else assert.equal(shown, String(d), v);
      });
    }
  });

  it('loadConfig names every bad variable at once', () => {
    assert.throws(() => loadConfig({ BMS_PORT: '70000', BMS_RATE_LIMITER: 'disk', BMS_DEMO: 'yes' }), (e: Error) =>
      /BMS_PORT/.test(e.message) && /BMS_RATE_LIMITER/.test(e.message) && /BMS_DEMO/.test(e.message));
    const c = loadConfig({ BMS_ZONES: 'z-1,z-2', BMS_BILLING_PUSH_PERIOD_S: '60' });
    assert.deepEqual(c.zones, ['z-1', 'z-2']);
    assert.equal(c.billing.periodMs, 60_000);
  });
});
