/**
 * Benchmark: DescribeInstances over a large tenant, unfiltered and with selective filters.
 *
 * What is measured: requests per second and p50/p99 latency of a signed TC3 POST
 * `DescribeInstances` (headers as the official Node SDK sends them, re-signed every second),
 * at 32 keep-alive connections, for three requests:
 *
 *   list       `{Limit: 100}` — the newest 100 instances and the exact TotalCount;
 *   by-ip      `{Limit: 100, Filters: [{Name: 'private-ip-address', Values: [one address]}]}` (1 match);
 *   by-subnet  `{Limit: 100, Filters: [{Name: 'subnet-id', Values: [one subnet]}]}` (1% match);
 *
 * at 10,000 and at 100,000 instances of one tenant (BENCH_INSTANCES, default "10000,100000":
 * rows are inserted up to the first size, measured, topped up to the next, measured again),
 * against the baseline:
 *
 *   bare       a bare node:http server answering, as a fixed body, the very bytes BMS answered
 *              to `list` at that size (100 instances): Node answering HTTP with the same
 *              amount of data, with no work behind it.
 *
 * Target (SPEC §12): a selective filter at 100k instances on SQLite answers with p99 ≤ 20 ms.
 * Also printed: the resident set size of the BMS process at each size (SPEC §12 aims at under
 * 150 MB at 100k instances) — idle while holding the instances (the verdict), and idle again
 * after the runs, when V8 still keeps the heap it grew for 32 concurrent 68 KB answers; each
 * read after a full garbage collection, so it shows what is held rather than when the
 * collector last ran.
 *
 * How: BMS (SQLite in a temporary folder, demo cloud, zero simulated delay so the demo's two
 * handed-over instances finish provisioning before anything is measured) and the bare server
 * each run in a child process; autocannon drives them from this one. The instances are written
 * straight into the store (bench/support/seed-instances.ts: 100 subnets, distinct private IPs,
 * a primary address row and one tag each, 1% STOPPED). The operator raises the demo tenant's
 * DescribeInstances limit to 100,000/s (default 40/s per account, which would otherwise be all
 * we measure); the production rate limiter stays in the path. Each run keeps its 32 connections; the measured window of
 * BENCH_SECONDS seconds (default 5) opens 2 s after BMS has accepted all of them (a server whose
 * event loop is blocked by slow queries accepts about one connection per turn, and that wait
 * would land on the p99 of a short run) — or after 5 s, noted in the output, when it is too
 * busy to accept them all — and only answers completed inside it count; targets
 * alternate order for BENCH_ROUNDS rounds (default 3) and the MEDIAN across rounds is
 * reported. A request is waited for up to 60 s (the official Node SDK's timeout); requests
 * still unanswered when a run ends are not in its latencies, and a run in which none was
 * answered has no latency ("—") and fails the target. After every run BMS is left to accept
 * and serve whatever the load generator abandoned, so a slow query never spills into the next
 * measurement. Also printed: the server process's CPU time per request (user + system, over
 * every request of the run), which other processes on a shared machine hardly disturb. On a
 * 2-core machine autocannon competes with the server for CPU; the ratios to the bare server,
 * measured in the same run, are the meaningful figures.
 *
 * Run: `npm run bench:list`. BENCH_ONLY=by-ip,by-subnet limits the requests measured;
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of the BMS process and prints its hottest functions.
 * This is a measurement, not a test: it exits 0 whether the targets are met or not.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, cpuProfileFlags, serveParent, startChild, stopChild, type Child, runBench } from './support/child.ts';
import { probeServer, startBareServer, startBenchBms, type Counters } from './support/bms-servers.ts';
import { printHotFunctions, profileOf } from './support/cpu-profile.ts';
import { loadSteady, summarize, type LoadSpec, type Run } from './support/load.ts';
import { seedInstances, type SeedResult } from './support/seed-instances.ts';
import { BASELINE_CREDENTIALS, BMS_API, callApi, closeApiConnections, resignedEverySecond, type Credentials } from './support/signed-api.ts';
import { fmt, mb, median, positiveInt, positiveInts, sleep, verdict } from './support/stats.ts';

const SECONDS = positiveInt('BENCH_SECONDS', 5);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const SIZES = positiveInts('BENCH_INSTANCES', [10_000, 100_000]);
const WARMUP_SECONDS = 2;
/** How long a run waits for BMS to accept all its connections before it measures anyway. */
const READY_TIMEOUT_SECONDS = 5;
const CONNECTIONS = 32;
const TARGET = { p99Ms: 20, rssBytes: 150 * 2 ** 20 };
const PROFILE = process.env.BENCH_CPU_PROF === '1';
const PROFILE_DIR = join(tmpdir(), 'bms-bench-profiles');
/** A slow answer is waited for as long as the official Node SDK waits (reqTimeout), not autocannon's 10 s. */
const SDK_TIMEOUT_SECONDS = 60;
const BARE_REQUEST_ID = '6f1c1f0e-3c55-4b8e-9a43-1d7f2f9a0b21';

const ALL_QUERIES = ['list', 'by-ip', 'by-subnet'] as const;
type Query = (typeof ALL_QUERIES)[number];
type Variant = 'bare' | Query;
const ONLY = process.env.BENCH_ONLY?.split(',').map((x) => x.trim()).filter(Boolean);
const QUERIES: Query[] = ONLY ? ALL_QUERIES.filter((q) => ONLY.includes(q)) : [...ALL_QUERIES];
const SELECTIVE: Query[] = ['by-ip', 'by-subnet'];

function params(query: Query, probe: SeedResult['probe']): object {
  switch (query) {
    case 'list': return { Limit: 100 };
    case 'by-ip': return { Limit: 100, Filters: [{ Name: 'private-ip-address', Values: [probe.privateIp] }] };
    case 'by-subnet': return { Limit: 100, Filters: [{ Name: 'subnet-id', Values: [probe.subnetId] }] };
  }
}

/** A successful DescribeInstances answer: an InstanceSet, and no `Error` in the envelope. */
const isSuccess = (body: string) => body.includes('"InstanceSet"') && !body.includes('"Error"');

// ---------------------------------------------------------------------------------------------
// Child processes.

async function serveBare(): Promise<void> {
  const bare = await startBareServer('{"Response":{"TotalCount":0,"InstanceSet":[]}}', BARE_REQUEST_ID);
  const probe = probeServer(bare.server);
  serveParent({ ...bare.address }, {
    'set-body': (body: string) => bare.setBody(body), counters: probe.counters, drain: probe.drain,
  }, { stop: bare.close, orphaned: () => {} });
}

async function serveBms(): Promise<void> {
  const { bms, stop, orphaned } = await startBenchBms({ BMS_DEMO: '1', BMS_SIM_TIME_SCALE: '0' });
  const { SecretId, SecretKey, Region } = bms.credentials.demo;
  const probe = probeServer(bms.edge.server, bms.store.db);
  serveParent({ ...bms.edge.address, credentials: { SecretId, SecretKey, Region } }, {
    /** Waits until no task is running (the demo hand-over provisions at start). */
    settle: async () => {
      for (let i = 0; i < 600; i++) {
        const running = await bms.store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').limit(1).execute();
        if (running.length === 0) return;
        await sleep(50);
      }
      throw new Error('tasks still running after 30 s');
    },
    seed: (upTo: number) => seedInstances(bms, upTo),
    counters: probe.counters,
    drain: probe.drain,
    /** After a full collection (the child runs with --expose-gc): what is held, not garbage yet to collect. */
    memory: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    },
  }, { stop, orphaned });
}

// ---------------------------------------------------------------------------------------------
// Measuring one size.

interface Size {
  instances: number;
  bareBodyBytes: number;
  runs: Record<Variant, Measured[]>;
  /** BMS's memory holding the instances, idle, before any listing; and after the runs (idle again). */
  memory: { seeded: NodeJS.MemoryUsage; loaded: NodeJS.MemoryUsage };
}

async function measureSize(bare: Child, bms: Child, upTo: number): Promise<Size> {
  const seed = await ask<SeedResult>(bms, 'seed', upTo);
  await sleep(1_000);
  const seeded = await ask<NodeJS.MemoryUsage>(bms, 'memory');
  console.log(`\n${fmt(seed.count, 0)} instances (inserted in ${fmt(seed.ms / 1000, 1)} s); by-ip = ${seed.probe.privateIp}, by-subnet = ${seed.probe.subnetId}`);
  const creds = bms.ready.credentials!;
  const specs = {} as Record<Variant, LoadSpec>;
  for (const q of QUERIES) {
    const body = JSON.stringify(params(q, seed.probe));
    specs[q] = {
      target: bms.ready, connections: CONNECTIONS, body, headers: resignedEverySecond(bms.ready, creds, BMS_API('DescribeInstances'), body), isSuccess,
      timeoutSeconds: SDK_TIMEOUT_SECONDS,
    };
  }
  const listing = await precheck(bms.ready, creds, seed);
  await ask(bare, 'set-body', listing);
  const bareBody = JSON.stringify(params('list', seed.probe));
  specs.bare = {
    target: bare.ready, connections: CONNECTIONS, body: bareBody, isSuccess,
    headers: resignedEverySecond(bare.ready, BASELINE_CREDENTIALS, BMS_API('DescribeInstances'), bareBody),
  };
  const variants: Variant[] = ['bare', ...QUERIES];
  const runs = Object.fromEntries(variants.map((v) => [v, [] as Measured[]])) as Record<Variant, Measured[]>;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of round % 2 === 1 ? variants : [...variants].reverse()) {
      const run = await measureOne(v === 'bare' ? bare : bms, specs[v]);
      runs[v].push(run);
      console.log(`  round ${round}  ${v.padEnd(10)} ${fmt(run.rps, 0).padStart(8)} req/s  p50 ${ms(run, 'p50')}  p99 ${ms(run, 'p99')}`
        + `  CPU ${fmt(run.cpuMsPerRequest, 2)} ms/req  answered ${run.completed}  failures ${run.failures}`
        + (run.accepted < CONNECTIONS ? `  (only ${run.accepted} of ${CONNECTIONS} connections accepted after ${READY_TIMEOUT_SECONDS} s)` : ''));
    }
  }
  const loaded = await ask<NodeJS.MemoryUsage>(bms, 'memory'); // after the last drain: BMS idle
  return { instances: seed.count, bareBodyBytes: Buffer.byteLength(listing), runs, memory: { seeded, loaded } };
}

type Measured = Run & { cpuMsPerRequest: number; accepted: number };

/**
 * One steady-state run (loadSteady: measured once the server has accepted all connections and
 * a warm-up has passed); then the server is left to accept and serve whatever the load
 * generator abandoned when it stopped (see probeServer), so the CPU counted is that of every
 * request of the run and nothing spills into the next run.
 */
async function measureOne(server: Child, spec: LoadSpec): Promise<Measured> {
  const before = await ask<Counters>(server, 'counters');
  const all = before.connections + spec.connections;
  let accepted = 0;
  const ready = async () => {
    const deadline = performance.now() + READY_TIMEOUT_SECONDS * 1000;
    while ((accepted = (await ask<Counters>(server, 'counters')).connections - before.connections) < spec.connections) {
      if (performance.now() > deadline) return;
      await sleep(50);
    }
  };
  const run = await loadSteady(spec, { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, ready });
  await ask(server, 'drain', all);
  const after = await ask<Counters>(server, 'counters');
  return { ...run, accepted, cpuMsPerRequest: (after.cpuMs - before.cpuMs) / Math.max(1, after.requests - before.requests) };
}

/** Each query once, checking the answer is what the rows say it must be; returns the `list` answer's bytes. */
async function precheck(target: Child['ready'], creds: Credentials, seed: SeedResult): Promise<string> {
  const expected: Record<Query, (n: number) => boolean> = {
    list: (n) => n >= seed.count, 'by-ip': (n) => n === 1, 'by-subnet': (n) => n === seed.probe.perSubnet,
  };
  let listing = '';
  for (const q of ['list', ...QUERIES.filter((x) => x !== 'list')] as Query[]) {
    const { response, raw } = await callApi<{ TotalCount: number; InstanceSet: unknown[] }>(target, creds, BMS_API('DescribeInstances'), params(q, seed.probe));
    if (!expected[q](response.TotalCount)) throw new Error(`pre-check: ${q} answered TotalCount ${response.TotalCount}`);
    if (q === 'list') listing = raw;
  }
  return listing;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

/** A latency figure; "—" when not a single request was answered during the run(s). */
const ms = (r: { p50: number; p99: number }, which: 'p50' | 'p99') => (Number.isFinite(r[which]) ? `${r[which]} ms` : '— (none answered)');
const cell = (n: number) => (Number.isFinite(n) ? String(n) : '—');

function report(sizes: Size[]): void {
  console.log(`\nMedian of ${ROUNDS} round(s), ${SECONDS} s each (+${WARMUP_SECONDS} s warm-up), ${CONNECTIONS} connections, SQLite, rate limits raised to 100,000/s:`);
  const last = sizes.at(-1)!;
  for (const size of sizes) {
    const bare = summarize(size.runs.bare);
    const bareCpu = median(size.runs.bare.map((r) => r.cpuMsPerRequest));
    const { seeded, loaded } = size.memory;
    console.log(`\n  ${fmt(size.instances, 0)} instances (bare answers the ${fmt(size.bareBodyBytes, 0)}-byte list body)`
      + `   BMS RSS ${mb(seeded.rss)} holding them (V8 heap ${mb(seeded.heapUsed)} used of ${mb(seeded.heapTotal)}),`
      + ` ${mb(loaded.rss)} after the runs (heap ${mb(loaded.heapUsed)} of ${mb(loaded.heapTotal)})`);
    console.log(`  ${'target'.padEnd(11)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s ÷ bare'.padStart(14)}${'p99 ÷ bare'.padStart(12)}`
      + `${'CPU ms/req'.padStart(12)}${'CPU ÷ bare'.padStart(11)}${'answered'.padStart(10)}${'failures'.padStart(10)}`);
    for (const v of ['bare', ...QUERIES] as Variant[]) {
      const s = summarize(size.runs[v]);
      const ratio = v === 'bare' ? '' : fmt(s.rps / bare.rps, 2);
      const p99Ratio = v === 'bare' || !Number.isFinite(s.p99) ? '' : fmt(s.p99 / Math.max(bare.p99, 1), 1);
      const cpu = median(size.runs[v].map((r) => r.cpuMsPerRequest));
      console.log(`  ${v.padEnd(11)}${fmt(s.rps, 0).padStart(9)}${cell(s.p50).padStart(9)}${cell(s.p99).padStart(9)}`
        + `${ratio.padStart(14)}${p99Ratio.padStart(12)}${fmt(cpu, 2).padStart(12)}${(v === 'bare' ? '' : fmt(cpu / bareCpu, 0)).padStart(11)}`
        + `${String(s.completed).padStart(10)}${String(s.failures).padStart(10)}`);
    }
  }
  console.log('');
  for (const q of QUERIES.filter((x) => SELECTIVE.includes(x))) {
    const s = summarize(last.runs[q]);
    console.log(`  ${q.padEnd(10)} at ${fmt(last.instances, 0)}: p99 ≤ ${TARGET.p99Ms} ms: ${verdict(s.p99 <= TARGET.p99Ms)} (${ms(s, 'p99')})   no failures: ${verdict(s.failures === 0)}`);
  }
  const held = last.memory.seeded.rss;
  console.log(`  BMS RSS holding ${fmt(last.instances, 0)} instances: ${mb(held)} (SPEC §12 aims < ${mb(TARGET.rssBytes)}: ${verdict(held < TARGET.rssBytes)});`
    + ` after the runs: ${mb(last.memory.loaded.rss)} (pages V8 kept after serving 32 concurrent 68 KB answers)`);
  for (const size of sizes) {
    for (const v of ['bare', ...QUERIES] as Variant[]) {
      const sample = summarize(size.runs[v]).sample;
      if (sample) console.log(`\n  sample failed answer from ${v} at ${size.instances}: ${sample}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const unknown = ONLY?.filter((x) => !(ALL_QUERIES as readonly string[]).includes(x)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (known: ${ALL_QUERIES.join(', ')})`);
  console.log(`DescribeInstances benchmark: ${QUERIES.join(', ')} at ${SIZES.map((n) => fmt(n, 0)).join(' and ')} instances, `
    + `${CONNECTIONS} connections, ${ROUNDS} round(s) × ${SECONDS} s (+${WARMUP_SECONDS} s warm-up); rate limits raised to 100,000/s by operator override`);
  const self = fileURLToPath(import.meta.url);
  const children = await Promise.allSettled([
    startChild(self, 'bare'), startChild(self, 'bms', { execArgv: ['--expose-gc', ...(PROFILE ? cpuProfileFlags(PROFILE_DIR) : [])] }),
  ]);
  const [bare, bms] = children.map((c) => (c.status === 'fulfilled' ? c.value : undefined));
  try {
    for (const c of children) if (c.status === 'rejected') throw c.reason;
    await ask(bms!, 'settle');
    const sizes: Size[] = [];
    for (const n of [...SIZES].sort((a, b) => a - b)) sizes.push(await measureSize(bare!, bms!, n));
    report(sizes);
  } finally {
    closeApiConnections();
    await Promise.all([stopChild(bare), stopChild(bms)]);
  }
  const profile = PROFILE ? profileOf(PROFILE_DIR, bms?.process.pid) : undefined;
  if (profile) printHotFunctions(profile);
}

await runBench({ bare: serveBare, bms: serveBms }, main);
