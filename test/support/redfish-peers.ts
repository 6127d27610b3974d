/**
 * Third-party Redfish servers for tests (../shared/peers/redfish): sushy-tools' emulator and
 * DMTF's mockup server, started on loopback with their own run folder and ports, stopped by
 * PID afterwards. `peersMissing()` says why they cannot run here (then the tests skip saying so;
 * under CI=true with BMS_REDFISH_PEERS=1 that is a failure instead).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PEERS_DIR = resolve(import.meta.dirname, '../../../shared/peers/redfish');

export function peersMissing(): string | undefined {
  if (process.env.BMS_REDFISH_PEERS !== '1') return 'the Redfish peer tests take minutes (sushy-tools applies power 1–11 s late); set BMS_REDFISH_PEERS=1 to run them (.ci/run does)';
  if (!existsSync(join(PEERS_DIR, 'start-sushy.sh'))) return `no Redfish peers at ${PEERS_DIR}`;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import flask, requests, bcrypt, sushy'], { stdio: 'ignore' });
  } catch {
    return 'the Debian packages of the Redfish peers are not installed (../shared/peers/redfish/setup.sh)';
  }
  return undefined;
}

export interface Peers {
  env: NodeJS.ProcessEnv;
  sushyUrl: string;
  mockupUrl: string;
  stop(): Promise<void>;
}

export async function startPeers(which: Array<'sushy' | 'mockup'>): Promise<Peers> {
  const runDir = mkdtempSync(join(tmpdir(), 'bms-rf-peers-'));
  const base = 19000 + Math.floor(Math.random() * 400) * 2;
  const env = { ...process.env, REDFISH_PEERS_RUN: runDir, SUSHY_PORT: String(base), MOCKUP_PORT: String(base + 1), SUSHY_NODES: '6' };
  const started: string[] = [];
  try {
    if (which.includes('sushy')) {
      await run(join(PEERS_DIR, 'start-sushy.sh'), ['fake'], { env, timeout: 120_000 });
      started.push('sushy-fake');
    }
    if (which.includes('mockup')) {
      await run(join(PEERS_DIR, 'start-mockup.sh'), ['rackmount1'], { env, timeout: 120_000 });
      started.push('mockup-rackmount1');
    }
  } catch (e) {
    await run(join(PEERS_DIR, 'stop.sh'), [], { env }).catch(() => undefined);
    throw e;
  }
  return {
    env,
    sushyUrl: `http://127.0.0.1:${base}`,
    mockupUrl: `http://127.0.0.1:${base + 1}`,
    stop: async () => {
      await run(join(PEERS_DIR, 'stop.sh'), [], { env, timeout: 60_000 }).catch(() => undefined);
    },
  };
}

/** Runs Debian's `cloud-init schema` on a user-data document; rejects with its output when invalid. */
export async function cloudInitSchema(userData: string): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'bms-seed-'));
  const file = join(dir, 'user-data');
  writeFileSync(file, userData);
  try {
    await run('cloud-init', ['schema', '-c', file], { timeout: 60_000 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`cloud-init schema rejected the seed: ${x.stdout ?? ''}${x.stderr ?? ''}${x.message}`, { cause: e });
  }
}

export function cloudInitMissing(): string | undefined {
  try {
    execFileSync('cloud-init', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return "Debian's cloud-init is not installed (apt-get install cloud-init)";
  }
}
