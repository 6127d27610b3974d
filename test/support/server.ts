/**
 * Test support: a real BMS server on a free loopback port with a temporary data folder,
 * a controllable clock and a captured access log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startBms, type RunningBms, type StartOptions } from '../../src/server/app.ts';

export interface TestServer extends RunningBms {
  dataDir: string;
  /** Every log line written, as parsed JSON. */
  logLines: Array<Record<string, unknown>>;
  /** Shifts the server clock (ms) relative to the real one. */
  skew: { ms: number };
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}, opts: Pick<StartOptions, 'rateLimiter' | 'consoleDir'> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-test-'));
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      cb();
    },
  });
  const skew = { ms: 0 };
  // In-process test servers start without the demo EIP pool (BMS_DEMO_EIPS=0): the EIP tests
  // give the pool exactly the addresses they count on. `npm start` has it (test/fresh-start.test.ts).
  const config = loadConfig({ BMS_PORT: '0', BMS_DATA_DIR: dataDir, BMS_DEMO_EIPS: '0', ...env });
  const bms = await startBms(config, { clock: () => Date.now() + skew.ms, logger: pino({ level: 'info' }, sink), ...opts });
  return Object.assign(bms, {
    dataDir, logLines, skew,
    async stop() {
      await bms.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
