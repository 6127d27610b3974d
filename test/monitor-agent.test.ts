/**
 * The shipped agent (agent/bms-monitor-agent, POSIX sh) against a fake /proc tree and a fake
 * clock file, pushing to a real server through a loopback proxy that can kill the agent after
 * its batch reached the server but before the answer reached the agent. The agent is restarted
 * on the same state folder and replays that batch: the server answers it as a success that
 * stores nothing, and the series has every slot once — no gap, no duplicate, no error. Also:
 * the provisioning hands the install config a credential of the instance (its hash on the
 * server is the one stored), the endpoint refuses bad credentials and oversized batches, and
 * once the instance is returned the agent is told 410 and stops.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { issueAgentToken } from '../src/store/repos/monitor-agents.ts';
import { readSeries } from '../src/store/repos/metrics.ts';
import { METRIC_BY_NAME } from '../src/shared/metrics.ts';
import { sdk, waitFor } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const AGENT = fileURLToPath(new URL('../agent/bms-monitor-agent', import.meta.url));
let server: TestServer;
let instanceId: string;
let token: string;
let dir: string;
let proxy: http.Server;
let proxyUrl: string;
const answers: Array<{ status: number; body: Record<string, unknown> }> = [];
/** The proxy kills the agent after forwarding the batch that carries this sample time. */
let killAt: number | undefined;
let agent: ChildProcess | undefined;
let agentErr = '';
const T0 = Math.floor(Date.now() / 10_000) * 10 - 900;

function writeProc(k: number): void {
  const p = join(dir, 'proc');
  mkdirSync(join(p, 'net'), { recursive: true });
  // Per 10 s step: 1000 jiffies of which 750 idle (25 % busy), 12.5 MB in and 2.5 MB out on eth0 (10 / 2 Mbps), 1000 / 500 packets.
  writeFileSync(join(p, 'stat'), `cpu  ${100 + 200 * k} 0 ${50 + 50 * k} ${1000 + 700 * k} ${10 + 50 * k} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n`);
  writeFileSync(join(p, 'meminfo'), `MemTotal:       16384000 kB\nMemFree:         1000000 kB\nMemAvailable:   12288000 kB\n`);
  writeFileSync(join(p, 'net', 'dev'), 'Inter-|   Receive                                                |  Transmit\n'
    + ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n'
    + `    lo: ${999 * k} 9 0 0 0 0 0 0 ${999 * k} 9 0 0 0 0 0 0\n`
    + `  eth0: ${12_500_000 * k} ${1000 * k} 0 0 0 0 0 0 ${2_500_000 * k} ${500 * k} 0 0 0 0 0 0\n`);
  const tcp = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
    '   1: 0100007F:0016 0200007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0',
    '   2: 0100007F:0016 0200007F:A001 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0',
    '   3: 0100007F:0016 0200007F:A002 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0'];
  writeFileSync(join(p, 'net', 'tcp'), tcp.join('\n') + '\n');
}

const tick = (k: number) => writeFileSync(join(dir, 'clock'), String(T0 + 10 * k));

async function startAgent(): Promise<void> {
  agentErr = '';
  rmSync(join(dir, 'state', 'started'), { force: true });
  agent = spawn('sh', process.env.DEBUG_AGENT ? ['-x', AGENT] : [AGENT], {
    detached: true,
    env: {
      PATH: process.env.PATH, BMS_AGENT_CONFIG: join(dir, 'none.conf'), BMS_AGENT_ENDPOINT: proxyUrl, BMS_AGENT_TOKEN: token,
      BMS_AGENT_INTERVAL: '0.05', BMS_AGENT_PROC: join(dir, 'proc'), BMS_AGENT_STATE: join(dir, 'state'), BMS_AGENT_CLOCK: join(dir, 'clock'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  agent.stderr!.on('data', (c: Buffer) => { agentErr += c.toString(); });
  await waitFor('the agent\'s first reading', async () => existsSync(join(dir, 'state', 'started')), (x) => x, 20_000, 20);
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

async function stored(): Promise<number[]> {
  const points = await readSeries(server.store.db, { instanceId, metric: METRIC_BY_NAME.get('cpuusage')!.id, source: 'agent', period: 10, from: T0 - 100, to: T0 + 10_000 });
  return points.map((p) => p.ts);
}

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_SIM_METRICS_MS: '0', BMS_METRICS_ROLLUP_MS: '3600000' }, { rateLimiter: { take: () => true } });
  dir = mkdtempSync(join(tmpdir(), 'bms-agent-'));
  const bms = sdk(server.credentials.demo);
  const listed = await waitFor('demo instances running', () => bms<{ InstanceSet: Array<{ InstanceId: string; Status: string }> }>('DescribeInstances', {}),
    (r) => r.InstanceSet.length >= 2 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
  instanceId = listed.InstanceSet[0]!.InstanceId;
  const target = `http://${server.endpoint}/agent/v1/metrics`;
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fwd = http.request(target, { method: req.method, headers: req.headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          const text = Buffer.concat(body).toString();
          answers.push({ status: up.statusCode!, body: JSON.parse(text) });
          if (killAt !== undefined && Buffer.concat(chunks).toString().includes(`"ts":${killAt},`)) { // stored; the agent never hears so
            killAt = undefined;
            process.kill(-agent!.pid!, 'SIGKILL');
            res.destroy();
            return;
          }
          res.writeHead(up.statusCode!, { 'Content-Type': 'application/json' });
          res.end(text);
        });
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/agent/v1/metrics`;
});
after(async () => {
  if (process.env.DEBUG_AGENT) console.log('AGENT', agentErr, JSON.stringify(answers));
  if (agent && agent.exitCode === null && agent.signalCode === null) process.kill(-agent.pid!, 'SIGKILL');
  proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the shipped monitoring agent', () => {
  it('provisioning put the instance\'s own credential and this server\'s endpoint in the install config', async () => {
    const row = await server.store.db.selectFrom('monitor_agents').selectAll().where('instance_id', '=', instanceId).executeTakeFirstOrThrow();
    const sim = await server.store.db.selectFrom('sim_hardware').selectAll().execute();
    const installed = sim.map((s) => JSON.parse((s as unknown as { state: string }).state)).find((s) => s.os?.instanceId === instanceId);
    assert.equal(installed.os.monitorAgent.endpoint, `http://${server.endpoint}/agent/v1/metrics`);
    assert.equal(installed.os.monitorAgent.tokenSha256, row.token_sha256);
    // A reinstall rotates it (issueAgentToken is what install-os calls): the test keeps the clear token.
    token = await issueAgentToken(server.store.db, instanceId, row.account_uin, Date.now());
    const rotated = await server.store.db.selectFrom('monitor_agents').select('token_sha256').where('instance_id', '=', instanceId).executeTakeFirstOrThrow();
    assert.equal(rotated.token_sha256, createHash('sha256').update(token).digest('hex'));
    assert.notEqual(rotated.token_sha256, row.token_sha256);
  });

  it('the endpoint refuses a wrong credential and a batch too large', async () => {
    const post = (auth: string, body: unknown) => fetch(`http://${server.endpoint}/agent/v1/metrics`, { method: 'POST', headers: { Authorization: auth }, body: JSON.stringify(body) });
    assert.equal((await post('Bearer nope', { samples: [] })).status, 401);
    assert.equal((await post(`Bearer ${token.slice(0, -2)}xx`, { samples: [] })).status, 401);
    assert.equal((await post('', { samples: [] })).status, 401);
    const big = await post(`Bearer ${token}`, { samples: Array.from({ length: 361 }, (_, i) => ({ ts: T0 + i, values: {} })) });
    assert.equal(big.status, 413);
    const bad = await post(`Bearer ${token}`, { samples: [{ ts: T0, values: { DiskUsage: 3 } }] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /DiskUsage/);
    assert.equal((await fetch(`http://${server.endpoint}/agent/v1/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status, 405);
  });

  it('pushes; killed mid-batch and restarted, it replays the batch: no gap, no duplicate, no error', async () => {
    writeProc(0);
    tick(0);
    await startAgent();
    for (let k = 1; k <= 6; k++) {
      writeProc(k);
      tick(k);
      await waitFor(`sample ${k}`, stored, (ts) => ts.length === k, 20_000, 20);
    }
    killAt = T0 + 70;
    writeProc(7);
    tick(7);
    await exited(agent!);
    assert.deepEqual((await stored()).length, 7, 'the batch reached the server');
    assert.ok(existsSync(join(dir, 'state', 'sending')), 'the agent still holds the unacknowledged batch');
    await startAgent(); // same state folder
    await waitFor('the replay', async () => answers.at(-1), (a) => a !== undefined && !existsSync(join(dir, 'state', 'sending')), 20_000, 20);
    const replay = answers.at(-1)!;
    assert.deepEqual(replay, { status: 200, body: { accepted: 0, duplicates: 1, skipped: 0 } });
    for (let k = 8; k <= 10; k++) {
      writeProc(k);
      tick(k);
      await waitFor(`sample ${k}`, stored, (ts) => ts.length === k, 20_000, 20);
    }
    assert.deepEqual(await stored(), Array.from({ length: 10 }, (_, i) => T0 + 10 * (i + 1)));
    assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers));
    assert.doesNotMatch(agentErr, /failed|refused/);
    const monitor = sdk(server.credentials.demo, 'monitor');
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const get = async (MetricName: string) => (await monitor<{ DataPoints: Array<{ Values: number[] }> }>('GetMonitorData', {
      Namespace: 'QCE/BMS', MetricName, Period: 10, StartTime: iso(T0), EndTime: iso(T0 + 200), Instances: [{ Dimensions: [{ Name: 'InstanceId', Value: instanceId }] }],
    })).DataPoints[0]!.Values;
    assert.deepEqual(new Set(await get('CpuUsage')), new Set([25]));
    assert.deepEqual(new Set(await get('MemUsed')), new Set([4000]));
    assert.deepEqual(new Set(await get('MemUsage')), new Set([25]));
    assert.deepEqual(new Set(await get('LanIntraffic')), new Set([10]));
    assert.deepEqual(new Set(await get('LanOuttraffic')), new Set([2]));
    assert.deepEqual(new Set(await get('LanInpkg')), new Set([100]));
    assert.deepEqual(new Set(await get('TcpCurrEstab')), new Set([3]));
  });

  it('once the instance is returned, its push is refused with 410 and the agent stops', async () => {
    const bms = sdk(server.credentials.demo);
    await bms('TerminateInstances', { InstanceIds: [instanceId] });
    await waitFor('returned', () => server.store.db.selectFrom('instances').select('deleted_at').where('id', '=', instanceId).executeTakeFirstOrThrow(), (r) => r.deleted_at !== null);
    assert.equal(await server.store.db.selectFrom('monitor_agents').select('instance_id').where('instance_id', '=', instanceId).executeTakeFirst(), undefined, 'credential revoked');
    writeProc(11);
    tick(11);
    const code = await exited(agent!);
    assert.equal(code, 0);
    assert.equal(answers.at(-1)!.status, 410);
    assert.match(agentErr, /returned/);
  });
});
