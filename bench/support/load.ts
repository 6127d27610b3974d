/**
 * Bench support: driving a server with autocannon (HTTP/1.1 keep-alive, closed loop).
 *
 * `measure` runs a warm-up and then the measured run of one signed POST body at a fixed number
 * of connections, and reports requests/second, p50/p99 latency and failures — non-2xx answers,
 * connection errors and timeouts, and 2xx answers the caller's `isSuccess` rejects (an API
 * error comes back as HTTP 200 with `Error` in the envelope, so status codes alone prove
 * nothing). The first rejected body is kept as a sample for the report.
 */
import { createRequire } from 'node:module';

// autocannon has no type declarations in this project; this is the part of its API we use.
interface Histogram { average: number; p50: number; p99: number }
interface AutocannonResult {
  requests: Histogram;
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
  requests?: AutocannonRequest[];
  verifyBody?: (body: string) => boolean;
}
type AutocannonInstance = PromiseLike<AutocannonResult> & { on(event: 'reqMismatch', fn: (body: string) => void): void };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AutocannonOptions) => AutocannonInstance;

export interface Run {
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
}

export async function load(spec: LoadSpec, seconds: number): Promise<Run> {
  const { host, port } = spec.target;
  const requests: AutocannonRequest[] = [
    { method: 'POST', path: '/', body: spec.body, setupRequest: (req) => ({ ...req, headers: spec.headers() }) },
  ];
  const instance = autocannon({ url: `http://${host}:${port}`, connections: spec.connections, duration: seconds, requests, verifyBody: spec.isSuccess });
  let sample: string | undefined;
  instance.on('reqMismatch', (body) => (sample ??= body.slice(0, 1000)));
  const r = await instance;
  return {
    rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
    failures: r.non2xx + r.errors + r.mismatches, ...(sample ? { sample } : {}),
  };
}

/** A warm-up run (discarded), then the measured run. */
export async function measure(spec: LoadSpec, seconds: number, warmupSeconds: number): Promise<Run> {
  if (warmupSeconds > 0) await load(spec, warmupSeconds);
  return load(spec, seconds);
}

/** Medians of runs of one target; failures are summed. */
export function summarize(runs: Run[], median: (v: number[]) => number) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    sample: runs.find((r) => r.sample)?.sample,
  };
}
