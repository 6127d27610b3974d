/**
 * Bench support: the two servers a bench compares, started inside a child process.
 *
 * `startBenchBms` starts BMS as `npm start` would, on SQLite in a temporary data folder (unless
 * `env` names a BMS_DATABASE_URL), listening on a free loopback port, with the log
 * silent unless the caller passes its own logger, and with the demo tenant's rate limits for
 * the actions the benches call raised to the most an operator may set (100,000/s, through the
 * bmsops API, SetRateLimit): the production limiter stays in the path, but the default limits
 * (DescribeInstances 40/s, DescribeZones 20/s per account) are not what a bench measures.
 *
 * `startBareServer` is the baseline: a bare node:http server answering a fixed JSON body, the
 * ceiling for "Node answering HTTP on this machine". The body can be replaced while it runs
 * (to answer bytes captured from BMS, so both send the same amount).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startBms, type RunningBms } from '../../src/server/app.ts';
import type { Database } from '../../src/store/schema.ts';
import { callApi, OPS_API } from './signed-api.ts';
import { sleep } from './stats.ts';

export interface BenchBms {
  bms: RunningBms;
  /** Closes BMS and deletes the data folder. */
  stop(): Promise<void>;
  /** Deletes the data folder only (the process is about to exit). */
  orphaned(): void;
}

export async function startBenchBms(env: Record<string, string | undefined> = {}, opts: { logger?: Logger } = {}): Promise<BenchBms> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-bench-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const logger = opts.logger ?? pino({ level: 'silent' });
  try {
    const config = loadConfig({ BMS_LOG_LEVEL: 'silent', ...env, BMS_HOST: '127.0.0.1', BMS_PORT: '0', BMS_DATA_DIR: dataDir });
    const bms = await startBms(config, { logger });
    await raiseRateLimits(bms);
    return {
      bms, orphaned: removeData,
      async stop() {
        await bms.close();
        removeData();
      },
    };
  } catch (e) {
    removeData();
    throw e;
  }
}

/**
 * Resolves once BMS has nothing queued: a trivial query through the store answers within
 * 5 ms three times in a row (every query waits its turn on the one SQLite connection, and
 * queued queries run back to back without letting the event loop turn).
 */
export async function waitUntilIdle(db: Kysely<Database>, timeoutMs = 300_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let prompt = 0; prompt < 3;) {
    if (performance.now() > deadline) throw new Error(`BMS still busy after ${timeoutMs} ms`);
    const started = performance.now();
    await sql`select 1`.execute(db);
    prompt = performance.now() - started < 5 ? prompt + 1 : 0;
    await sleep(20);
  }
}

/**
 * What a server process has spent so far: CPU time (user + system, all threads, ms), HTTP
 * requests received and TCP connections accepted. Differences across a run give CPU per
 * request — a figure other processes on a shared machine hardly disturb, unlike throughput
 * and latency.
 */
export interface Counters { cpuMs: number; requests: number; connections: number }

export interface ServerProbe {
  counters(): Counters;
  /**
   * Resolves once the server has accepted `connections` connections since it started and has
   * served every request they carried. When a load generator stops it closes its connections,
   * but a server busy with slow requests has not even accepted all of them yet: the kernel
   * holds them with their request inside, and the server accepts and serves them later — about
   * one per turn of its event loop — so they would eat into whatever is measured next.
   */
  drain(connections: number): Promise<void>;
}

export function probeServer(server: http.Server, db?: Kysely<Database>): ServerProbe {
  let requests = 0;
  let connections = 0;
  server.on('request', () => (requests += 1));
  server.on('connection', () => (connections += 1));
  return {
    counters() {
      const cpu = process.cpuUsage();
      return { cpuMs: (cpu.user + cpu.system) / 1000, requests, connections };
    },
    async drain(expected) {
      const deadline = performance.now() + 300_000;
      for (;;) {
        while (connections < expected) {
          if (performance.now() > deadline) throw new Error(`only ${connections} of ${expected} connections accepted after 300 s`);
          await sleep(20);
        }
        const seen = connections;
        if (db) await waitUntilIdle(db);
        else await sleep(20);
        if (connections === seen) return;
      }
    },
  };
}

export interface BareServer {
  server: http.Server;
  address: { host: string; port: number };
  setBody(body: string): void;
  close(): Promise<void>;
}

export async function startBareServer(initialBody: string, requestId: string): Promise<BareServer> {
  let body = Buffer.from(initialBody);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-TC-RequestId': requestId });
      res.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    address: { host: '127.0.0.1', port },
    setBody: (text) => (body = Buffer.from(text)),
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}

/** What the benches call, as [service, action]. */
const BENCH_ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['bms', 'DescribeZones'], ['bms', 'DescribeInstances'], ['bms', 'DescribeFlavors'], ['bms', 'RunInstances'],
  ['bms', 'TerminateInstances'], ['vpc', 'DescribeVpcs'], ['vpc', 'DescribeSubnets'], ['vpc', 'CreateSubnet'],
];

/** The operator raises the demo tenant's limits for the bench actions to the maximum (100,000/s). */
async function raiseRateLimits(bms: RunningBms): Promise<void> {
  const { operator, demo } = bms.credentials;
  for (const [service, action] of BENCH_ACTIONS) {
    await callApi(bms.edge.address, operator, OPS_API('SetRateLimit'), { AccountUin: demo.accountUin, Service: service, Action: action, Limit: 100_000 });
  }
}
