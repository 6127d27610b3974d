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
 *   node scripts/build.mjs                       src/server/main.ts → dist/bms.mjs, console/ → dist/console/
 *   node scripts/build.mjs --console             only the console (Vite), even when it is up to date
 *   node scripts/build.mjs bench/<name>.ts …     each bench → dist/bench/<name>.mjs
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
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

/**
 * The web console: React + TDesign built by Vite into dist/console (served at /console/).
 * Skipped when nothing it is built from changed (a hash of console/ and package-lock.json is
 * kept beside the output), so `npm start` stays quick after the first build. Prints the
 * initial JavaScript's size, gzipped (the budget is 350 KB).
 */
export async function buildConsole({ force = false } = {}) {
  const outDir = join(ROOT, 'dist/console');
  const stamp = join(outDir, '.source-hash');
  const hash = sourceHash([join(ROOT, 'console'), join(ROOT, 'package-lock.json')]);
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return { skipped: true };
  const started = Date.now();
  const { build: viteBuild } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await viteBuild({
    root: join(ROOT, 'console'), base: '/console/', configFile: false, logLevel: 'warn', plugins: [react()],
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 2000, sourcemap: false },
  });
  const initial = initialScripts(outDir);
  writeFileSync(stamp, hash);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  process.stdout.write(`console built in ${((Date.now() - started) / 1000).toFixed(1)} s — initial JS ${kb(initial.raw)} (${kb(initial.gzip)} gzip)\n`);
  return { skipped: false, initial };
}

/** The scripts index.html loads at once (entry and modulepreloads), raw and gzipped. */
export function initialScripts(outDir) {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(join(outDir, f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

function sourceHash(paths) {
  const h = createHash('sha256');
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
    else h.update(p).update(readFileSync(p));
  };
  for (const p of paths) if (existsSync(p)) walk(p);
  return h.digest('hex');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--console') {
    await buildConsole({ force: true });
    process.exit(0);
  }
  const benches = args;
  if (benches.length === 0) {
    await build('src/server/main.ts', 'dist/bms.mjs');
    await buildConsole();
  }
  for (const bench of benches) await build(bench, `dist/bench/${basename(bench, '.ts')}.mjs`);
}
