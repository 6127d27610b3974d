/**
 * Bench support: the two servers a bench compares, started inside a child process.
 *
 * `startBenchBms` starts BMS as `npm start` would, on SQLite in a temporary data folder (unless
 * `env` names a BMS_DATABASE_URL), listening on a free loopback port, with the log
 * silent unless the caller passes its own logger, and — by default — with the per-account rate
 * limiter replaced by one that always allows: the gateway's limits (DescribeInstances 40/s,
 * DescribeZones 20/s per account) would otherwise be what a bench measures.
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
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startBms, type RunningBms } from '../../src/server/app.ts';

export interface BenchBms {
  bms: RunningBms;
  dataDir: string;
  /** Closes BMS and deletes the data folder. */
  stop(): Promise<void>;
  /** Deletes the data folder only (the process is about to exit). */
  orphaned(): void;
}

export async function startBenchBms(env: Record<string, string | undefined> = {}, opts: { logger?: Logger; rateLimited?: boolean } = {}): Promise<BenchBms> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-bench-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const logger = opts.logger ?? pino({ level: 'silent' });
  try {
    const config = loadConfig({ BMS_LOG_LEVEL: 'silent', ...env, BMS_HOST: '127.0.0.1', BMS_PORT: '0', BMS_DATA_DIR: dataDir });
    const bms = await startBms(config, { logger, ...(opts.rateLimited ? {} : { rateLimiter: { take: () => true } }) });
    return {
      bms, dataDir, orphaned: removeData,
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

export interface BareServer {
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
    address: { host: '127.0.0.1', port },
    setBody: (text) => (body = Buffer.from(text)),
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
