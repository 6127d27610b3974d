/**
 * The README's promise, as a user runs it: `npm start` (the bundle of src/server/main.ts) on a fresh data
 * folder prints the endpoint and demo keys, writes the credential files (mode 0600), serves
 * the official SDK, exits cleanly on SIGTERM and SIGINT, and starts again on the same data with
 * the same keys — on SQLite, and on PostgreSQL via BMS_DATABASE_URL. No secret reaches the
 * store in clear.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { mainCommand } from './support/built-main.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';

delete process.env.http_proxy;
delete process.env.HTTP_PROXY;


interface Started {
  child: ChildProcess;
  stdout: string;
  endpoint: string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const [node, args] = await mainCommand();
  const child = spawn(node, args, {
    env: { ...process.env, BMS_PORT: '0', BMS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      const m = /API endpoint http:\/\/([^/\s]+)\//.exec(stdout);
      if (m && /Try:/.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, stdout, endpoint: m[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before the banner; stderr: ${stderr}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

function readCredentials(dataDir: string, file: string) {
  const path = join(dataDir, file);
  assert.equal(statSync(path).mode & 0o777, 0o600, `${file} must be mode 0600`);
  return JSON.parse(readFileSync(path, 'utf8')) as { SecretId: string; SecretKey: string; Region: string; Endpoint: string };
}

async function describeZones(creds: { SecretId: string; SecretKey: string; Region: string; Endpoint: string }) {
  const client = new CommonClient(creds.Endpoint, '2018-08-13', {
    credential: { secretId: creds.SecretId, secretKey: creds.SecretKey },
    region: creds.Region,
    profile: { httpProfile: { protocol: 'http://', endpoint: creds.Endpoint } },
  });
  return (await client.request('DescribeZones', {})) as { TotalCount: number };
}

function lifecycle(backend: string, envFor: () => Record<string, string>) {
  describe(`npm start on ${backend}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bms-start-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = { BMS_DATA_DIR: dataDir, ...envFor() };
    let first: { SecretId: string; SecretKey: string };

    it('starts on a fresh data folder, prints the endpoint and the demo SecretId (the SecretKey only to a terminal), writes the credential files', async () => {
      const s = await start(env);
      try {
        const demo = readCredentials(dataDir, 'demo-credentials.json');
        const operator = readCredentials(dataDir, 'operator-credentials.json');
        assert.deepEqual(Object.keys(demo).sort(), ['ConsoleAccount', 'ConsolePassword', 'ConsoleUrl', 'ConsoleUser', 'Endpoint', 'Region', 'SecretId', 'SecretKey']);
        const consoleLogin = demo as unknown as { ConsoleUrl: string; ConsolePassword: string };
        assert.equal(consoleLogin.ConsoleUrl, `http://${s.endpoint}/console/`);
        assert.ok(s.stdout.includes(`web console   http://${s.endpoint}/console/`), 'the banner shows the console URL');
        assert.ok(!s.stdout.includes(consoleLogin.ConsolePassword), 'the console password is shown only on a terminal');
        assert.equal(demo.Endpoint, s.endpoint);
        assert.match(s.endpoint, /^127\.0\.0\.1:\d+$/);
        assert.ok(s.stdout.includes(demo.SecretId), 'the banner shows the demo SecretId');
        assert.ok(!s.stdout.includes(demo.SecretKey), 'stdout is a pipe here: no SecretKey in what a service manager would log');
        assert.ok(s.stdout.includes(`SecretKey in ${join(dataDir, 'demo-credentials.json')}`), s.stdout);
        assert.ok(s.stdout.includes(operator.SecretId));
        assert.equal((await describeZones(demo)).TotalCount, 2);
        first = demo;
      } finally {
        assert.equal(await stop(s.child, 'SIGTERM'), 0, 'SIGTERM exits cleanly');
      }
    });

    it('starts again on the same data with the same keys, and stops on SIGINT', async () => {
      const s = await start(env);
      try {
        const demo = readCredentials(dataDir, 'demo-credentials.json');
        assert.equal(demo.SecretId, first.SecretId);
        assert.equal(demo.SecretKey, first.SecretKey);
        assert.equal((await describeZones(demo)).TotalCount, 2);
      } finally {
        assert.equal(await stop(s.child, 'SIGINT'), 0, 'SIGINT exits cleanly');
      }
    });

    it('keeps the master key file private and no SecretKey in clear in the data folder', () => {
      if (!env.BMS_MASTER_KEY) assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
      const demo = readCredentials(dataDir, 'demo-credentials.json') as unknown as { ConsolePassword: string };
      const secrets = [first.SecretKey, readCredentials(dataDir, 'operator-credentials.json').SecretKey, demo.ConsolePassword];
      for (const file of readdirSync(dataDir).filter((f) => f.startsWith('bms.sqlite'))) {
        const bytes = readFileSync(join(dataDir, file));
        for (const secret of secrets) assert.ok(!bytes.includes(secret), `${file} holds a SecretKey in clear`);
      }
    });
  });
}

lifecycle('SQLite', () => ({}));

const freshSchemaUrl = schemaFactory();
await withPostgres('npm start on PostgreSQL', () => {
  const url = freshSchemaUrl();
  lifecycle('PostgreSQL', () => ({ BMS_DATABASE_URL: url, BMS_MASTER_KEY: 'a passphrase from the secret manager' }));
});

describe('bad configuration', () => {
  it('names the bad variable and exits non-zero', async () => {
    const [node, args] = await mainCommand();
    const child = spawn(node, args, { env: { ...process.env, BMS_PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    assert.notEqual(code, 0);
    assert.match(stderr, /BMS_PORT/);
  });
});
