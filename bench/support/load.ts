/**
 * Bench support: driving a server with autocannon (HTTP/1.1 keep-alive, closed loop).
 *
 * Both ways of measuring send one signed POST body over a fixed number of connections and
 * report requests/second, p50/p99 latency and failures — non-2xx answers, connection errors
 * and timeouts, and 2xx answers the caller's `isSuccess` rejects (an API error comes back as
 * HTTP 200 with `Error` in the envelope, so status codes alone prove nothing); the first
 * rejected body is kept as a sample for the report.
 *   - `measure`: a warm-up run, then a measured run on new connections (autocannon's own figures);
 *   - `loadSteady`: one run, measured only once every connection is in use (see there).
 */
import { createRequire } from 'node:module';
import { median, sleep } from './stats.ts';

// autocannon has no type declarations in this project; this is the part of its API we use.
interface Histogram { average: number; p50: number; p99: number }
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  /** Socket errors, timeouts included. */
  errors: number;
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
  timeout?: number;
  requests?: AutocannonRequest[];
  verifyBody?: (body: string) => boolean;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'reqMismatch', fn: (body: string) => void): void;
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: 'reqError', fn: (error: Error) => void): void;
  stop(): void;
}
type Autocannon = (opts: AutocannonOptions) => AutocannonInstance;
/** Loaded on first use: a bench's server children import this module too, and must not carry autocannon. */
let autocannonModule: Autocannon | undefined;
const autocannon: Autocannon = (opts) => (autocannonModule ??= createRequire(import.meta.url)('autocannon') as Autocannon)(opts);

export interface Run {
  /** Requests answered during the run (the latency figures cover these only; Infinity when none was). */
  completed: number;
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, connection errors/timeouts, and 2xx answers `isSuccess` rejected. */
  failures: number;
  sample?: string;
}

export interface LoadSpec {
  target: { host: string; port: number };
  connections: number;
  /** The request body (POST /). */
  body: string;
  /** The headers of the next request (called per request: re-sign inside when the second changes). */
  headers: () => Record<string, string>;
  isSuccess: (body: string) => boolean;
  /** Seconds before a request counts as timed out (autocannon's default: 10; the official Node SDK's: 60). */
  timeoutSeconds?: number;
}

/** Starts autocannon on `spec` for `seconds`. */
function start(spec: LoadSpec, seconds: number): AutocannonInstance {
  const requests: AutocannonRequest[] = [
    { method: 'POST', path: '/', body: spec.body, setupRequest: (req) => ({ ...req, headers: spec.headers() }) },
  ];
  return autocannon({
    url: `http://${spec.target.host}:${spec.target.port}`, connections: spec.connections, duration: seconds, requests, verifyBody: spec.isSuccess,
    ...(spec.timeoutSeconds ? { timeout: spec.timeoutSeconds } : {}),
  });
}

export async function load(spec: LoadSpec, seconds: number): Promise<Run> {
  const instance = start(spec, seconds);
  let sample: string | undefined;
  instance.on('reqMismatch', (body) => (sample ??= body.slice(0, 1000)));
  const r = await instance;
  // Latency percentiles cover answered requests only; with none answered, the latency is unbounded.
  const none = r.requests.total === 0;
  return {
    completed: r.requests.total, rps: r.requests.average,
    p50: none ? Number.POSITIVE_INFINITY : r.latency.p50, p99: none ? Number.POSITIVE_INFINITY : r.latency.p99,
    failures: r.non2xx + r.errors + r.mismatches, ...(sample ? { sample } : {}),
  };
}

/** A warm-up run (discarded), then the measured run. */
export async function measure(spec: LoadSpec, seconds: number, warmupSeconds: number): Promise<Run> {
  if (warmupSeconds > 0) await load(spec, warmupSeconds);
  return load(spec, seconds);
}

/**
 * Steady-state figures: one set of connections, measured only once they are all in use. The
 * run starts; when `ready` resolves (the caller's way to wait until the server has accepted
 * every connection: a busy Node server accepts about one new connection per turn of its event
 * loop, and that wait lands on the first request of each — in a short run, enough requests to
 * be the p99) a warm-up of `warmupSeconds` follows, then the `seconds` whose completed answers
 * are counted; then the run is stopped. Percentiles are nearest-rank over every latency of the
 * window.
 */
export async function loadSteady(spec: LoadSpec, opts: { warmupSeconds: number; seconds: number; ready?: () => Promise<unknown> }): Promise<Run> {
  const instance = start(spec, 24 * 3600);
  const finished = Promise.resolve(instance);
  let from = Number.POSITIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  const measuring = () => {
    const now = performance.now();
    return now >= from && now < until;
  };
  const latencies: number[] = [];
  let failures = 0;
  let mismatches = 0;
  let sample: string | undefined;
  instance.on('response', (_client, status, _bytes, ms) => {
    if (!measuring()) return;
    if (status >= 200 && status < 300) latencies.push(ms);
    else failures += 1;
  });
  instance.on('reqMismatch', (body) => {
    if (!measuring()) return;
    failures += 1;
    mismatches += 1;
    sample ??= body.slice(0, 1000);
  });
  instance.on('reqError', () => {
    if (measuring()) failures += 1;
  });
  try {
    await opts.ready?.();
    await sleep(opts.warmupSeconds * 1000);
    from = performance.now();
    await sleep(opts.seconds * 1000);
    until = performance.now();
  } finally {
    instance.stop();
    await finished;
  }
  // A rejected body also arrived as a 2xx response: it counts as a failure, not as an answer.
  const answered = Math.max(0, latencies.length - mismatches);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length === 0 ? Number.POSITIVE_INFINITY : round1(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!));
  return { completed: answered, rps: answered / ((until - from) / 1000), p50: pct(0.5), p99: pct(0.99), failures, ...(sample ? { sample } : {}) };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Medians of runs of one target; failures and answered requests are summed. */
export function summarize(runs: Run[]) {
  return {
    completed: runs.reduce((n, r) => n + r.completed, 0),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    sample: runs.find((r) => r.sample)?.sample,
  };
}
