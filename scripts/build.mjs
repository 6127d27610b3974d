/**
 * Builds what `npm start` runs: the TypeScript sources bundled into one ES module,
 * `dist/bms.mjs` (+ source map), with npm packages left as imports.
 *
 * Why a build for production, when tsx runs the sources directly in development: tsx keeps
 * its loader (a second thread with its own heap) and esbuild's transform cache for the life of
 * the process — about 60 MB of resident memory on a server that otherwise needs ~85 MB at
 * start — and wraps every closure it compiles with a naming helper. Bundling takes about a
 * second, so `npm start` simply builds first.
 *
 *   node scripts/build.mjs                       src/server/main.ts → dist/bms.mjs
 *   node scripts/build.mjs bench/<name>.ts …     each bench → dist/bench/<name>.mjs
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `entry` (relative to the project root) into `outfile` (idem). Output must stay inside the project: npm packages are resolved from it. */
export async function build(entry, outfile) {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return `${ROOT}${outfile}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const benches = process.argv.slice(2);
  if (benches.length === 0) await build('src/server/main.ts', 'dist/bms.mjs');
  for (const bench of benches) await build(bench, `dist/bench/${basename(bench, '.ts')}.mjs`);
}
