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
 * per-account rate limiter is replaced by one that always allows (DescribeZones is limited to
 * 20/s per account, which would otherwise be what we measure). Each run is preceded by a 2 s
 * warm-up; targets alternate order for BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS seconds
 * (default 10) and the MEDIAN across rounds is reported, because the machine is shared and
 * noisy. Note: on a small machine the load generator competes with the server for CPU; the
 * ratio BMS/bare is the meaningful figure, not the absolute numbers.
 *
 * Run: `npm run bench:gateway` (or `npx tsx bench/gateway-describe-zones.ts`).
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of the BMS process (path printed at the end);
 * BENCH_ACCESS_LOG=<file> writes the bms+log access log to that file instead of /dev/null.
 * This is a measurement, not a test: it exits 0 whether the targets are met or not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { signTc3 } from '../src/gateway/signing/tc3.ts';
import { startBms } from '../src/server/app.ts';

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
// autocannon has no type declarations in this project; this is the part of its API we use.

interface Histogram { average: number; p50: number; p99: number }
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests?: AutocannonRequest[];
  verifyBody?: (body: string) => boolean;
}
type AutocannonInstance = PromiseLike<AutocannonResult> & { on(event: 'reqMismatch', fn: (body: string) => void): void };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AutocannonOptions) => AutocannonInstance;

// ---------------------------------------------------------------------------------------------
// Child processes: one server each, driven over IPC.

interface Credentials { SecretId: string; SecretKey: string; Region: string }
type ToParent = { type: 'ready'; host: string; port: number; credentials?: Credentials } | { type: 'ack' };
type ToChild = { type: 'access-log'; on: boolean } | { type: 'stop' };

/** Child role "bare": the baseline server. */
async function serveBare(): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BARE_BODY), 'X-TC-RequestId': BARE_REQUEST_ID,
      });
      res.end(BARE_BODY);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  onParentMessage(async (msg) => {
    if (msg.type === 'stop') await new Promise((done) => server.close(done));
  }, () => server.closeAllConnections());
  tellParent({ type: 'ready', host: '127.0.0.1', port });
}

/** Child role "bms": BMS on SQLite in a temporary folder, unlimited rate, access log switchable. */
async function serveBms(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-bench-'));
  const logger = pino({ level: 'silent', base: { service: 'bms' } }, pino.destination({ dest: ACCESS_LOG, sync: true }));
  const config = loadConfig({ BMS_HOST: '127.0.0.1', BMS_PORT: '0', BMS_DATA_DIR: dataDir, BMS_LOG_LEVEL: 'silent' });
  const bms = await startBms(config, { logger, rateLimiter: { take: () => true } }).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  const { SecretId, SecretKey, Region } = bms.credentials.demo;
  onParentMessage(async (msg) => {
    if (msg.type === 'access-log') {
      logger.level = msg.on ? 'info' : 'silent';
      tellParent({ type: 'ack' });
    } else if (msg.type === 'stop') {
      await bms.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, () => rmSync(dataDir, { recursive: true, force: true }));
  tellParent({ type: 'ready', ...bms.edge.address, credentials: { SecretId, SecretKey, Region } });
}

function tellParent(msg: ToParent): void {
  process.send!(msg);
}

/** Handles parent messages; exits after "stop", or (after `orphaned`) when the parent goes away. */
function onParentMessage(handle: (msg: ToChild) => Promise<void>, orphaned: () => void): void {
  process.on('message', (msg: ToChild) => {
    void handle(msg).then(() => {
      if (msg.type === 'stop') process.exit(0);
    });
  });
  process.on('disconnect', () => {
    orphaned();
    process.exit(1);
  });
}

interface Child {
  process: ChildProcess;
  ready: Extract<ToParent, { type: 'ready' }>;
}

function startChild(role: 'bare' | 'bms'): Promise<Child> {
  const profile = role === 'bms' && process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = fork(fileURLToPath(import.meta.url), [role], { execArgv: [...process.execArgv, ...profile] });
  return new Promise((done, fail) => {
    child.once('message', (msg: ToParent) => (msg.type === 'ready' ? done({ process: child, ready: msg }) : fail(new Error(`unexpected ${msg.type}`))));
    child.once('exit', (code) => fail(new Error(`the ${role} server exited (code ${code}) before it was ready`)));
  });
}

function request(child: Child, msg: ToChild): Promise<void> {
  return new Promise((done) => {
    if (child.process.exitCode !== null || !child.process.connected) return done();
    child.process.once(msg.type === 'stop' ? 'exit' : 'message', () => done());
    child.process.send(msg);
  });
}

// ---------------------------------------------------------------------------------------------
// Requests.

/** Keys the baseline requests are signed with (the bare server checks nothing). */
const BASELINE_CREDENTIALS: Credentials = {
  SecretId: 'AKIDbaselineBaselineBaseline00000000', SecretKey: 'baselineSecretKey000000000000000', Region: 'ap-guangzhou',
} as Credentials;

/** The headers of a DescribeZones call as the official Node SDK sends it, signed now. */
function describeZonesHeaders(target: { host: string; port: number }, creds: Credentials): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const authorization = signTc3({
    secretId: creds.SecretId, secretKey: creds.SecretKey, service: 'bms', timestamp, method: 'POST', rawQuery: '',
    contentType: 'application/json', host: target.host, body: '{}',
  });
  return {
    Host: `${target.host}:${target.port}`,
    'Content-Type': 'application/json',
    Authorization: authorization,
    'X-TC-Action': 'DescribeZones',
    'X-TC-Version': '2018-08-13',
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': creds.Region,
    'X-TC-RequestClient': 'SDK_NODEJS_4.1.220',
  };
}

/** A successful DescribeZones answer: zones, and no `Error` in the envelope. */
const isSuccess = (body: string) => body.includes('"ZoneSet"') && !body.includes('"Error"');

/** One request over node:http; fails loudly unless it is a successful DescribeZones. */
function precheck(name: string, target: { host: string; port: number }, headers: Record<string, string>): Promise<void> {
  return new Promise((done, fail) => {
    const req = http.request({ ...target, method: 'POST', path: '/', headers: { ...headers, 'Content-Length': '2' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200 && isSuccess(body)) done();
        else fail(new Error(`pre-check: ${name} did not answer a DescribeZones success (HTTP ${res.statusCode}): ${body}`));
      });
    });
    req.on('error', fail);
    req.end('{}');
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, connection errors/timeouts, and 2xx answers that are not a DescribeZones success. */
  failures: number;
  sample?: string;
}

async function load(child: Child, seconds: number): Promise<Run> {
  const { host, port, credentials } = child.ready;
  // The same generator for both targets, so the client's cost is identical and the ratio
  // measures the servers. Requests are signed with the current timestamp, re-signed when the
  // second changes: the server verifies every request in full either way, and a generator that
  // spent a core on HMACs would cap the baseline instead of measuring it. The bare server
  // ignores the signature.
  const signer = credentials ?? BASELINE_CREDENTIALS;
  let signed: { second: number; headers: Record<string, string> } | undefined;
  const headersNow = () => {
    const second = Math.floor(Date.now() / 1000);
    if (signed?.second !== second) signed = { second, headers: describeZonesHeaders({ host, port }, signer) };
    return signed.headers;
  };
  const requests: AutocannonRequest[] = [
    { method: 'POST', path: '/', body: '{}', setupRequest: (req) => ({ ...req, headers: headersNow() }) },
  ];
  const instance = autocannon({ url: `http://${host}:${port}`, connections: CONNECTIONS, duration: seconds, requests, verifyBody: isSuccess });
  let sample: string | undefined;
  instance.on('reqMismatch', (body) => (sample ??= body));
  const r = await instance;
  return {
    rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
    failures: r.non2xx + r.errors + r.mismatches, ...(sample ? { sample } : {}),
  };
}

async function measure(child: Child): Promise<Run> {
  await load(child, WARMUP_SECONDS);
  return load(child, SECONDS);
}

type Variant = 'bare' | 'bms' | 'bms+log';
const VARIANTS: Variant[] = ['bare', 'bms', 'bms+log'];

async function runRounds(bare: Child, bms: Child): Promise<Record<Variant, Run[]>> {
  const runs: Record<Variant, Run[]> = { bare: [], bms: [], 'bms+log': [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      if (variant !== 'bare') await request(bms, { type: 'access-log', on: variant === 'bms+log' });
      const run = await measure(variant === 'bare' ? bare : bms);
      runs[variant].push(run);
      console.log(`  round ${round}  ${variant.padEnd(8)} ${fmt(run.rps, 0).padStart(8)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  failures ${run.failures}`);
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function summarize(runs: Run[]) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    sample: runs.find((r) => r.sample)?.sample,
  };
}

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
  for (const v of ['bms', 'bms+log'] as const) {
    const x = s[v];
    const rpsOk = x.rps >= TARGET.rpsRatio * s.bare.rps;
    const p99Ok = x.p99 <= TARGET.p99Ms;
    console.log(`  ${v.padEnd(8)} throughput ≥ ${TARGET.rpsRatio * 100}% of bare: ${verdict(rpsOk)} (${fmt((100 * x.rps) / s.bare.rps, 0)}%)`
      + `   p99 ≤ ${TARGET.p99Ms} ms: ${verdict(p99Ok)} (${x.p99} ms)`
      + `   no failures: ${verdict(x.failures === 0)}`);
  }
  for (const v of VARIANTS) if (s[v].sample) console.log(`\n  sample failed answer from ${v}: ${s[v].sample}`);
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`gateway benchmark: DescribeZones, ${CONNECTIONS} connections, ${ROUNDS} round(s) × ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)`);
  const children = await Promise.allSettled([startChild('bare'), startChild('bms')]);
  const [bare, bms] = children.map((c) => (c.status === 'fulfilled' ? c.value : undefined));
  try {
    for (const c of children) if (c.status === 'rejected') throw c.reason;
    await precheck('the bare server', bare!.ready, { 'Content-Type': 'application/json' });
    await precheck('BMS', bms!.ready, describeZonesHeaders(bms!.ready, bms!.ready.credentials!));
    report(await runRounds(bare!, bms!));
  } finally {
    await Promise.all([bare, bms].map((c) => (c ? request(c, { type: 'stop' }) : undefined)));
  }
  if (process.env.BENCH_CPU_PROF === '1') console.log(`\n  CPU profile of the BMS process written to ${PROFILE_DIR}`);
}

const role = process.argv[2];
if (role === 'bare') await serveBare();
else if (role === 'bms') await serveBms();
else {
  try {
    await main();
  } catch (e) {
    console.error('\nBENCHMARK FAILED:', e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
