/**
 * Graceful stop (issue 9 part 7): SIGTERM during a burst of 200 mixed calls — every request
 * written before the signal is answered (an envelope, none reset), idle keep-alive connections
 * are closed cleanly, running task steps are finished or handed back (no lease left held), and
 * the process exits 0 within its bounded time. BMS runs as `npm start` runs it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { signTc3 } from '../src/gateway/signing/tc3.ts';
import { sdk } from './support/cloud.ts';
import { readCredentialFile, startChildServer, type ChildServer, type FileCredentials } from './support/child-server.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Outcome { status?: number; body?: string; error?: string }

/** One signed TC3 POST on its own connection; `written` resolves once the whole request is handed to the kernel. */
function fire(target: { host: string; port: number }, creds: FileCredentials, service: string, version: string, action: string, params: object, agent: http.Agent | false = false) {
  const body = JSON.stringify(params);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    Host: `${target.host}:${target.port}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)),
    Authorization: signTc3({ secretId: creds.SecretId, secretKey: creds.SecretKey, service, timestamp, method: 'POST', rawQuery: '',
      contentType: 'application/json', host: target.host, body, action }),
    'X-TC-Action': action, 'X-TC-Version': version, 'X-TC-Timestamp': String(timestamp), 'X-TC-Region': creds.Region,
  };
  let written!: () => void;
  const isWritten = new Promise<void>((r) => (written = r));
  const outcome = new Promise<Outcome>((resolve) => {
    const req = http.request({ ...target, method: 'POST', path: '/', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.on('finish', () => written());
    req.end(body);
  });
  return { isWritten, outcome };
}

describe('SIGTERM during a burst', () => {
  let dataDir: string;
  let server: ChildServer;
  let demo: FileCredentials;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bms-stop-'));
    server = await startChildServer({
      BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0.002', BMS_RATE_LIMITER: 'memory', BMS_STOP_TIMEOUT_MS: '8000',
    });
    demo = { ...readCredentialFile(dataDir, 'demo'), Endpoint: server.endpoint };
  });
  after(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request written before the signal, closes idle connections cleanly, hands back task steps, exits 0', async () => {
    const bms = sdk({ ...demo, Endpoint: server.endpoint } as never);
    const vpc = sdk({ ...demo, Endpoint: server.endpoint } as never, 'vpc');
    const { InstanceSet } = await bms<Json>('DescribeInstances', {});
    const instanceId = InstanceSet[0].InstanceId as string;
    const { FlavorSet } = await bms<Json>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: ['ap-guangzhou-1'] }] });
    const flavor = FlavorSet.find((f: Json) => !f.UserDefined && f.CpuArch === 'X86');
    const { SubnetSet } = await vpc<Json>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: ['ap-guangzhou-1'] }] });
    // A provisioning under way: its task is running when the signal comes.
    await bms('RunInstances', {
      Placement: { Zone: 'ap-guangzhou-1' }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: SubnetSet[0].VpcId, SubnetId: SubnetSet[0].SubnetId }, LoginSettings: { Password: 'Stop#2026pw' },
      RaidType: flavor.RaidType[0], InstanceName: 'in-flight', InstanceCount: 1,
    });

    // Idle keep-alive connections: each served one request, then waits.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const idle: Array<{ closed: Promise<string> }> = [];
    keepAlive.on('free', () => {});
    const warm = Array.from({ length: 10 }, () => fire(server.target, demo, 'bms', '2018-08-13', 'DescribeRegions', {}, keepAlive));
    const sockets = new Set<import('node:net').Socket>();
    keepAlive.on('free', (socket) => sockets.add(socket));
    for (const w of warm) assert.equal((await w.outcome).status, 200);
    await new Promise((r) => setTimeout(r, 20));
    for (const socket of sockets) {
      idle.push({ closed: new Promise((resolve) => {
        let error = '';
        socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
        socket.on('close', () => resolve(error || 'closed'));
      }) });
    }
    assert.ok(idle.length >= 1, 'keep-alive connections are idle');

    // The burst: 200 mixed calls, each on its own connection.
    const calls: Array<[string, string, string, object]> = [];
    for (let i = 0; i < 200; i++) {
      const pick = i % 5;
      if (pick === 0) calls.push(['bms', '2018-08-13', 'DescribeZones', {}]);
      else if (pick === 1) calls.push(['bms', '2018-08-13', 'DescribeInstances', { Limit: 5, Offset: i % 3 }]);
      else if (pick === 2) calls.push(['vpc', '2017-03-12', 'DescribeVpcs', { Limit: String(10 + (i % 7)) }]);
      else if (pick === 3) calls.push(['bms', '2018-08-13', 'ModifyInstancesAttribute', { InstanceIds: [instanceId], InstanceName: `burst-${i}` }]);
      else calls.push(['bms', '2018-08-13', 'DescribeFlavors', { Limit: 1 + (i % 9) }]);
    }
    const burst = calls.map(([service, version, action, params]) => fire(server.target, demo, service, version, action, params));
    // Signal while the burst is in flight: once every request has been written, some answered, most not.
    await Promise.all(burst.map((b) => b.isWritten));
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const outcomes = await Promise.all(burst.map((b) => b.outcome));
    const exitCode = await server.stop('SIGTERM'); // already signalled: waits for the exit
    const tookMs = Date.now() - signalledAt;

    const failed = outcomes.filter((o) => o.status !== 200);
    assert.deepEqual(failed.map((o) => o.error ?? o.status).slice(0, 10), [], `${failed.length} of 200 not answered; ${outcomes.length - failed.length} answered`);
    for (const o of outcomes) {
      const envelope = JSON.parse(o.body!) as { Response: { RequestId: string; Error?: { Code: string } } };
      assert.equal(typeof envelope.Response.RequestId, 'string');
      // Answered as usual: a success, or the per-account rate limit of a burst — never an internal error.
      assert.ok(!envelope.Response.Error || envelope.Response.Error.Code === 'RequestLimitExceeded', o.body);
    }
    const idleEnds = await Promise.all(idle.map((i) => i.closed));
    assert.deepEqual([...new Set(idleEnds)], ['closed'], 'idle keep-alive connections were closed by the server, without a reset');
    keepAlive.destroy();
    assert.equal(exitCode, 0, server.output().slice(-2000));
    assert.ok(tookMs < 8_000 + 1_500, `stopped within its bound (${tookMs} ms)`);

    const db = new Database(join(dataDir, 'bms.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const held = db.prepare("select id, flow, step_index from tasks where status = 'RUNNING' and lease_owner is not null").all();
      assert.deepEqual(held, [], 'no task step left holding its lease: each finished or was handed back');
    } finally {
      db.close();
    }
  });
});
