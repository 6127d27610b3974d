/**
 * Test support: BMS as a user runs it — `npm start`'s bundle in a child process — for tests that
 * need several processes on one database, a process to survive abuse, or a process whose files
 * another process (a rotation) changes underneath.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainCommand } from './built-main.ts';


export interface ChildServer {
  child: ChildProcess;
  /** host:port */
  endpoint: string;
  target: { host: string; port: number };
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts BMS as `npm start` runs it, with `env` (BMS_PORT defaults to 0); resolves once it prints its banner. */
export async function startChildServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const [node, args] = await mainCommand();
  const child = spawn(node, args, {
    env: { ...process.env, BMS_PORT: '0', BMS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    exited = true;
    resolve(code);
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms; output: ${out}`)), timeoutMs);
    const poll = setInterval(() => {
      const m = /API endpoint http:\/\/([^/\s]+)\//.exec(out);
      if (exited) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`exited before the banner; output: ${out}`));
      } else if (m && /Try:/.test(out)) {
        clearInterval(poll);
        clearTimeout(timer);
        const [host, port] = m[1]!.split(':');
        resolve({
          child, endpoint: m[1]!, target: { host: host!, port: Number(port) },
          output: () => out,
          alive: () => !exited,
          stop(signal = 'SIGTERM') {
            if (exited) return exit;
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.kill(signal);
            return exit.finally(() => clearTimeout(kill));
          },
        });
      }
    }, 25);
  });
}

export interface FileCredentials {
  SecretId: string;
  SecretKey: string;
  Region: string;
  Endpoint: string;
}

/** `demo-credentials.json` or `operator-credentials.json` of a data folder. */
export function readCredentialFile(dataDir: string, who: 'demo' | 'operator'): FileCredentials {
  return JSON.parse(readFileSync(join(dataDir, `${who}-credentials.json`), 'utf8')) as FileCredentials;
}
