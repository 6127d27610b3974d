/**
 * Test support: the command `npm start` runs — the bundle scripts/build.mjs makes of
 * src/server/main.ts — built once per test process into a scratch folder of the project
 * (npm packages are resolved from the bundle's location) and removed when the process exits.
 */
import { rmSync } from 'node:fs';
import { build } from '../../scripts/build.mjs';

let built: Promise<string> | undefined;

/** `[node, args…]` that start BMS exactly as `npm start` does after its build. */
export async function mainCommand(): Promise<[string, string[]]> {
  built ??= (async () => {
    const dir = `.tmp-build-${process.pid}`;
    process.once('exit', () => rmSync(new URL(`../../${dir}`, import.meta.url), { recursive: true, force: true }));
    return build('src/server/main.ts', `${dir}/bms.mjs`);
  })();
  return [process.execPath, ['--enable-source-maps', await built]];
}
