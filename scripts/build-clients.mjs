/**
 * Builds the clients (run by `npm install` through the `prepare` script, and by `npm run
 * build:clients`):
 *
 * - packages/sdk/dist — the SDK as plain ES modules, one per source file so a bundler keeps only
 *   the services it imports (whitespace-minified, names kept), and their type declarations (tsc);
 * - packages/cli/dist — the `bms` CLI as two bundles: main.mjs (everything) and complete.mjs
 *   (shell completion only, so a Tab press loads a few kilobytes).
 *
 * Plain JavaScript on purpose: it runs right after `npm install`, before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK = join(ROOT, 'packages/sdk');
const CLI = join(ROOT, 'packages/cli');

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
/** `./x.ts` → `./x.js` in relative import and export specifiers. */
const jsSpecifiers = (code) => code.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2');

export async function buildSdk() {
  rmSync(join(SDK, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(SDK, 'tsconfig.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('tsc failed on packages/sdk');
  for (const file of walk(join(SDK, 'dist'))) {
    // tsc indents by four; two is as readable and the declarations are most of the installed size.
    // For the same reason an action's entry in a service's Actions map stays on one line, as written.
    const twoSpaced = jsSpecifiers(readFileSync(file, 'utf8')).replace(/^((?: {4})+)/gm, (m) => ' '.repeat(m.length / 2));
    writeFileSync(file, twoSpaced.replace(/^( +)(\w+): \{\n +request: (\w+);\n +response: (\w+);\n +\};$/gm, '$1$2: { request: $3; response: $4 };'));
  }
  for (const file of walk(join(SDK, 'src')).filter((f) => f.endsWith('.ts'))) {
    const { code } = await esbuild.transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: file, minifyWhitespace: true, minifySyntax: true });
    const out = join(SDK, 'dist', relative(join(SDK, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    // The docs live in the declarations; the code ships without them.
    writeFileSync(out, jsSpecifiers(code).replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, ''));
  }
}

export async function buildCli() {
  if (!existsSync(join(CLI, 'src/main.ts'))) return;
  rmSync(join(CLI, 'dist'), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'packages/cli/src/main.ts', complete: 'packages/cli/src/complete.ts' },
    outdir: 'packages/cli/dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const which = process.argv[2];
  if (which !== 'cli') await buildSdk();
  if (which !== 'sdk') await buildCli();
}
