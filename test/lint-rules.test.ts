/**
 * The dependency rules of eslint.config.js, proved to fire: for every folder of src/ and every
 * other folder, an import is refused exactly when the table forbids it; a driver's own folder
 * is refused outside drivers/ and server/; kysely, the schema and a query builder call are
 * refused outside src/store except in the listed debt, and the debt list names only files that
 * still owe. The README's table is the same table, and the table has no cycle.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
// @ts-expect-error — plain JavaScript config modules, no declarations
import { DRIVER_INTERNALS, LAYERS } from '../eslint.config.js';
// @ts-expect-error — plain JavaScript config modules, no declarations
import { STORE_PORT_DEBT } from '../eslint.store-debt.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layers = LAYERS as Record<string, string[]>;
const debt = STORE_PORT_DEBT as string[];
const eslint = new ESLint({ cwd: root });

async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('dependency rules (eslint.config.js LAYERS)', () => {
  it('name every folder of src/, and only those', () => {
    const folders = readdirSync(join(root, 'src')).filter((f) => statSync(join(root, 'src', f)).isDirectory()).sort();
    assert.deepEqual(Object.keys(layers).sort(), folders);
    for (const [folder, allowed] of Object.entries(layers)) for (const a of allowed) assert.ok(a === '*' || a in layers, `${folder} allows unknown ${a}`);
  });

  it('have no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      assert.notEqual(state.get(f), 'open', `cycle: ${[...path, f].join(' → ')}`);
      state.set(f, 'open');
      for (const g of layers[f]!) if (g !== '*') visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of Object.keys(layers)) visit(f, []);
  });

  it('refuse exactly the imports the table forbids, from every folder to every other', async () => {
    const folders = Object.keys(layers).filter((f) => f !== 'generated'); // generated/ is not linted (written by codegen)
    const wrong: string[] = [];
    for (const from of folders) {
      for (const to of Object.keys(layers)) {
        if (to === from) continue;
        const refused = (await refusals(`src/${from}/lint-probe.ts`, `import { x } from '../${to}/probe.ts';\nexport const y = x;\n`)).length > 0;
        const allowed = layers[from]!.includes('*') || layers[from]!.includes(to);
        if (refused === allowed) wrong.push(`${from} → ${to}: ${refused ? 'refused' : 'let through'}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('keep a driver\'s own folder out of everything but drivers/ and server/', async () => {
    for (const inner of DRIVER_INTERNALS as string[]) {
      assert.notDeepEqual(await refusals('src/services/fleet/lint-probe.ts', `import { x } from '../../drivers/${inner}/index.ts';\nexport const y = x;\n`), [], `services → drivers/${inner}`);
      assert.notDeepEqual(await refusals('src/flows/lint-probe.ts', `import { x } from '../drivers/${inner}/index.ts';\nexport const y = x;\n`), [], `flows → drivers/${inner}`);
      assert.deepEqual(await refusals('src/server/lint-probe.ts', `import { x } from '../drivers/${inner}/index.ts';\nexport const y = x;\n`), []);
    }
    for (const open of ['interfaces/hardware.ts', 'registry.ts', 'lab.ts']) {
      assert.deepEqual(await refusals('src/services/fleet/lint-probe.ts', `import { x } from '../../drivers/${open}';\nexport const y = x;\n`), [], `services → drivers/${open}`);
    }
  });

  it('keep kysely, the schema and query building inside src/store, but for the listed debt', async () => {
    const kysely = `import { sql } from 'kysely';\nexport const q = sql\`select 1\`;\n`;
    const schema = `import type { Database } from '../store/schema.ts';\nexport type D = Database;\n`;
    const query = `export const q = (db: { selectFrom(t: string): unknown }) => db.selectFrom('instances');\n`;
    for (const code of [kysely, schema, query]) {
      assert.notDeepEqual(await refusals('src/reconcile/lint-probe.ts', code), [], code);
      assert.deepEqual(await refusals('src/store/repos/lint-probe.ts', code.replace('../store/', '../')), [], code);
    }
    assert.ok(debt.length > 0);
    assert.deepEqual(await refusals(debt[0]!, query), [], `${debt[0]} is listed debt`);
  });

  it('list as debt only files that still owe: the list may only shrink', () => {
    const owes = /from 'kysely'|store\/schema\.ts'|\.(selectFrom|insertInto|updateTable|deleteFrom)\(/;
    for (const f of debt) {
      assert.ok(existsSync(join(root, f)), `${f} is gone: take it off eslint.store-debt.js`);
      assert.match(readFileSync(join(root, f), 'utf8'), owes, `${f} no longer queries outside the store: take it off eslint.store-debt.js`);
    }
  });

  it('are the README\'s table', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Dependency rules'));
    const rows = [...section.matchAll(/^\| `([a-z]+)` \| (.+) \|$/gm)].map(([, folder, cell]) => [folder, cell!.includes('anything') ? ['*'] : [...cell!.matchAll(/`([a-z]+)`/g)].map((m) => m[1])]);
    assert.deepEqual(Object.fromEntries(rows), layers);
  });
});
