/**
 * Benchmark: the cost of the gateway on the simplest real API call.
 *
 * What is measured: requests per second and p50/p99 latency of a signed TC3 POST `DescribeZones`
 * (body `{}`, the headers the official Node SDK sends, signed afresh for every request the way
 * a real client signs every call), at 32 keep-alive connections, against three targets:
 *
 *   bare         a bare node:http server answering a fixed DescribeZones-shaped JSON body: the
 *                ceiling for "Node answering HTTP on this machine", the baseline;
 *   bms          BMS on SQLite (temporary data folder), access log off (pino level silent);
 *   bms+log      the same BMS with the access log on, written by pino to /dev/null
 *                (synchronously, like the default stdout destination), to show what logging costs.
 *
 * Why: the gateway runs nine steps per call (protocol detection, common parameters, TC3
 * signature check, action lookup, replay guard, rate limit, authorization, parameter
 * validation, dispatch) plus one store read for the zones. The targets say that overhead must
 * keep BMS at ≥ 50% of the bare server's requests/second with p99 ≤ 20 ms at 32 connections.
 *
 * How: each server runs in its own child process (this file, forked with a role argument) so
 * the load generator, autocannon in this process, never shares an event loop with a server. The
 * operator raises the demo tenant's DescribeZones limit to 100,000/s (default 20/s per account,
 * which would otherwise be what we measure); the production rate limiter stays in the path. Each run is preceded by a 2 s
 * warm-up; targets alternate order for BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS seconds
 * (default 10) and the MEDIAN across rounds is reported, because the machine is shared and
 * noisy. Note: on a small machine the load generator competes with the server for CPU; the
 * ratio BMS/bare is the meaningful figure, not the absolute numbers.
 *
 * Run: `npm run bench:gateway` (bundled, as production runs; or `npx tsx bench/gateway-describe-zones.ts`).
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of the BMS process (path printed at the end);
 * BENCH_ACCESS_LOG=<file> writes the bms+log access log to that file instead of /dev/null.
 * This is a measurement, not a test: it exits 0 whether the targets are met or not.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ask, cpuProfileFlags, serveParent, startChild, stopChild, type Child, runBench } from './support/child.ts';
import { startBareServer, startBenchBms } from './support/bms-servers.ts';
import { measure, summarize, type LoadSpec, type Run } from './support/load.ts';
import { BASELINE_CREDENTIALS, BMS_API, callApi, closeApiConnections, resignedEverySecond } from './support/signed-api.ts';
import { fmt, median, positiveInt, verdict } from './support/stats.ts';

const SECONDS = positiveInt('BENCH_SECONDS', 10);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 32;
const TARGET = { rpsRatio: 0.5, p99Ms: 20 };
const ACCESS_LOG = process.env.BENCH_ACCESS_LOG || '/dev/null';
const PROFILE_DIR = join(tmpdir(), 'bms-bench-profiles');

/** What the bare server answers: a DescribeZones success as BMS writes it for the default zones. */
const BARE_REQUEST_ID = '6f1c1f0e-3c55-4b8e-9a43-1d7f2f9a0b21';
const BARE_BODY = JSON.stringify({
  Response: {
    TotalCount: 2,
    ZoneSet: [
      { Zone: 'ap-guangzhou-1', ZoneName: 'Guangzhou Zone 1', ZoneId: '164401', ZoneState: 'AVAILABLE' },
      { Zone: 'ap-guangzhou-2', ZoneName: 'Guangzhou Zone 2', ZoneId: '164402', ZoneState: 'AVAILABLE' },
    ],
    RequestId: BARE_REQUEST_ID,
  },
});

// ---------------------------------------------------------------------------------------------
// Child processes: one server each, driven over IPC (bench/support/child.ts).

/** Child role "bare": the baseline server. */
async function serveBare(): Promise<void> {
  const bare = await startBareServer(BARE_BODY, BARE_REQUEST_ID);
  serveParent({ ...bare.address }, {}, { stop: bare.close, orphaned: () => {} });
}

/** Child role "bms": BMS on SQLite in a temporary folder, unlimited rate, access log switchable. */
async function serveBms(): Promise<void> {
  const logger = pino({ level: 'silent', base: { service: 'bms' } }, pino.destination({ dest: ACCESS_LOG, sync: true }));
  const { bms, stop, orphaned } = await startBenchBms({}, { logger });
  const { SecretId, SecretKey, Region } = bms.credentials.demo;
  serveParent({ ...bms.edge.address, credentials: { SecretId, SecretKey, Region } }, {
    'access-log': (on: boolean) => {
      logger.level = on ? 'info' : 'silent';
    },
  }, { stop, orphaned });
}

function startServer(role: 'bare' | 'bms'): Promise<Child> {
  const profile = role === 'bms' && process.env.BENCH_CPU_PROF === '1' ? cpuProfileFlags(PROFILE_DIR) : [];
  return startChild(fileURLToPath(import.meta.url), role, { execArgv: profile });
}

// ---------------------------------------------------------------------------------------------
// Requests.

/** A successful DescribeZones answer: zones, and no `Error` in the envelope. */
const isSuccess = (body: string) => body.includes('"ZoneSet"') && !body.includes('"Error"');

/**
 * The same generator for both targets, so the client's cost is identical and the ratio
 * measures the servers: a DescribeZones call as the official Node SDK sends it, re-signed when
 * the second changes (the server verifies every request in full either way, and a generator
 * that spent a core on HMACs would cap the baseline instead of measuring it). The bare server
 * ignores the signature.
 */
function describeZones(child: Child): LoadSpec {
  const signer = child.ready.credentials ?? BASELINE_CREDENTIALS;
  return {
    target: child.ready, connections: CONNECTIONS, body: '{}', isSuccess,
    headers: resignedEverySecond(child.ready, signer, BMS_API('DescribeZones'), '{}'),
  };
}

/** One request; fails loudly unless it is answered with a successful DescribeZones. */
async function precheck(name: string, child: Child): Promise<void> {
  const { raw } = await callApi(child.ready, child.ready.credentials ?? BASELINE_CREDENTIALS, BMS_API('DescribeZones'), {}).catch((e: Error) => {
    throw new Error(`pre-check: ${name} did not answer a DescribeZones success: ${e.message}`);
  });
  if (!isSuccess(raw)) throw new Error(`pre-check: ${name} did not answer a DescribeZones success: ${raw}`);
}

// ---------------------------------------------------------------------------------------------
// Measuring.

type Variant = 'bare' | 'bms' | 'bms+log';
const VARIANTS: Variant[] = ['bare', 'bms', 'bms+log'];

async function runRounds(bare: Child, bms: Child): Promise<Record<Variant, Run[]>> {
  const runs: Record<Variant, Run[]> = { bare: [], bms: [], 'bms+log': [] };
  const specs = { bare: describeZones(bare), bms: describeZones(bms) };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      if (variant !== 'bare') await ask(bms, 'access-log', variant === 'bms+log');
      const run = await measure(variant === 'bare' ? specs.bare : specs.bms, SECONDS, WARMUP_SECONDS);
      runs[variant].push(run);
      console.log(`  round ${round}  ${variant.padEnd(8)} ${fmt(run.rps, 0).padStart(8)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  failures ${run.failures}`);
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

function report(runs: Record<Variant, Run[]>): void {
  const s = { bare: summarize(runs.bare), bms: summarize(runs.bms), 'bms+log': summarize(runs['bms+log']) };
  console.log(`\nMedian of ${ROUNDS} round(s), ${SECONDS} s each, ${CONNECTIONS} connections:\n`);
  console.log(`  ${'target'.padEnd(10)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s ÷ bare'.padStart(14)}${'p99 ÷ bare'.padStart(12)}${'failures'.padStart(10)}`);
  for (const v of VARIANTS) {
    const x = s[v];
    const ratio = v === 'bare' ? '' : fmt(x.rps / s.bare.rps, 2);
    const p99Ratio = v === 'bare' ? '' : fmt(x.p99 / Math.max(s.bare.p99, 1), 1);
    console.log(`  ${v.padEnd(10)}${fmt(x.rps, 0).padStart(10)}${String(x.p50).padStart(9)}${String(x.p99).padStart(9)}${ratio.padStart(14)}${p99Ratio.padStart(12)}${String(x.failures).padStart(10)}`);
  }
  console.log('');
  // Each round measures bare and BMS back to back: the ratio within a round is the least
  // disturbed by whatever else the shared machine does, so the verdict is their median.
  const paired = (v: 'bms' | 'bms+log') => median(runs[v].map((r, i) => r.rps / runs.bare[i]!.rps));
  console.log(`  per-round ratios to bare: bms ${runs.bms.map((r, i) => fmt(r.rps / runs.bare[i]!.rps, 2)).join(', ')}`
    + `; bms+log ${runs['bms+log'].map((r, i) => fmt(r.rps / runs.bare[i]!.rps, 2)).join(', ')}\n`);
  for (const v of ['bms', 'bms+log'] as const) {
    const x = s[v];
    const ratio = paired(v);
    const rpsOk = ratio >= TARGET.rpsRatio;
    const p99Ok = x.p99 <= TARGET.p99Ms;
    console.log(`  ${v.padEnd(8)} throughput ≥ ${TARGET.rpsRatio * 100}% of bare (median of per-round ratios): ${verdict(rpsOk)} (${fmt(100 * ratio, 0)}%)`
      + `   p99 ≤ ${TARGET.p99Ms} ms: ${verdict(p99Ok)} (${x.p99} ms)`
      + `   no failures: ${verdict(x.failures === 0)}`);
  }
  for (const v of VARIANTS) if (s[v].sample) console.log(`\n  sample failed answer from ${v}: ${s[v].sample}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`gateway benchmark: DescribeZones, ${CONNECTIONS} connections, ${ROUNDS} round(s) × ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)`);
  const children = await Promise.allSettled([startServer('bare'), startServer('bms')]);
  const [bare, bms] = children.map((c) => (c.status === 'fulfilled' ? c.value : undefined));
  try {
    for (const c of children) if (c.status === 'rejected') throw c.reason;
    await precheck('the bare server', bare!);
    await precheck('BMS', bms!);
    report(await runRounds(bare!, bms!));
  } finally {
    closeApiConnections();
    await Promise.all([stopChild(bare), stopChild(bms)]);
  }
  if (process.env.BENCH_CPU_PROF === '1') console.log(`\n  CPU profile of the BMS process written to ${PROFILE_DIR}`);
}

await runBench({ bare: serveBare, bms: serveBms }, main);
