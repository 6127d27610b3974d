/**
 * Abuse resistance, through the front door (issue 5, items 4, 5 and 7):
 *   - rate limits hold across two server processes sharing one PostgreSQL, and an operator's
 *     override made on one process applies on the other;
 *   - every mutating call — successful or refused — and every secret read lands in the audit
 *     trail, which the operator queries for all accounts and a tenant for its own only;
 *   - slow clients (headers byte by byte, a body that never completes, too many connections)
 *     are answered or cut off within the configured time while others are served;
 *   - deeply nested, huge or over-long input gets a clear InvalidParameter, never a crash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { startChildServer, readCredentialFile, type ChildServer } from './support/child-server.ts';
import { failure, sdk, type Call } from './support/cloud.ts';
import { keepAliveClient, type Answer } from './support/keepalive-client.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { send, tc3Request, v1Request, type Reply } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);

/** Successes per one-second window, counting only answers sent and received within one window. */
function successesPerWindow(answers: Answer[]): Map<number, number> {
  const per = new Map<number, number>();
  for (const a of answers) {
    const w = Math.floor(a.sentAt / 1000);
    if (a.code === 'Success' && Math.floor(a.receivedAt / 1000) === w) per.set(w, (per.get(w) ?? 0) + 1);
  }
  return per;
}

/** Fires `count` calls evenly over `spreadMs`, alternating between clients. */
async function burst(clients: Array<ReturnType<typeof keepAliveClient>>, action: string, count: number, spreadMs: number): Promise<Answer[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    await sleep(Math.floor((i * spreadMs) / count));
    return clients[i % clients.length]!.call(action, {});
  }));
}

const freshSchemaUrl = schemaFactory();
await withPostgres('rate limits across two server processes on one PostgreSQL', () => {
  describe('rate limits across two server processes on one PostgreSQL', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bms-abuse-'));
    let a: ChildServer | undefined;
    let b: ChildServer | undefined;

    before(async () => {
      const env = { BMS_DATA_DIR: dataDir, BMS_DATABASE_URL: freshSchemaUrl(), BMS_SIM_TIME_SCALE: '0', BMS_POWER_SYNC_MS: '600000' };
      a = await startChildServer(env);
      // Same data folder (master key, credential files) and database: the bootstrap finds the accounts.
      b = await startChildServer({ ...env, BMS_DEMO: '0' });
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('120 DescribeInstances in one second, split across both: at most 40 succeed per second-window', async () => {
      const demo = readCredentialFile(dataDir, 'demo');
      const clients = [keepAliveClient(a!.target, demo, 16), keepAliveClient(b!.target, demo, 16)];
      try {
        for (const c of clients) assert.equal((await c.call('DescribeZones')).code, 'Success'); // connections and caches warm
        await nextSecond();
        const answers = await burst(clients, 'DescribeInstances', 120, 800);
        const codes = new Set(answers.map((x) => x.code));
        assert.deepEqual([...codes].filter((c) => c !== 'Success' && c !== 'RequestLimitExceeded'), [], [...codes].join());
        for (const [w, n] of successesPerWindow(answers)) assert.ok(n <= 40, `${n} successes in window ${w}`);
        const windows = new Set(answers.flatMap((x) => [Math.floor(x.sentAt / 1000), Math.floor(x.receivedAt / 1000)]));
        const ok = answers.filter((x) => x.code === 'Success');
        assert.ok(ok.length <= 40 * windows.size, `${ok.length} successes over ${windows.size} window(s)`);
        // Each process reserves 2 of the 40 at a time: at most one per process may go unused.
        assert.ok(ok.length >= 38, `the limit is 40 per second, not much less (${ok.length} succeeded)`);
        assert.ok(answers.some((x) => x.code === 'RequestLimitExceeded'));
        assert.ok(answers.filter((x, i) => i % 2 === 0 && x.code === 'Success').length > 0, 'process A served some');
        assert.ok(answers.filter((x, i) => i % 2 === 1 && x.code === 'Success').length > 0, 'process B served some');
      } finally {
        for (const c of clients) c.close();
      }
    });

    it('an operator override set on one process applies on the other within the cache time', async () => {
      const demo = readCredentialFile(dataDir, 'demo');
      const ops = sdk({ ...readCredentialFile(dataDir, 'operator'), Endpoint: a!.endpoint }, 'bmsops');
      await ops('SetRateLimit', { Service: 'bms', Action: 'DescribeZones', Limit: 5 });
      await sleep(1_500);
      const client = keepAliveClient(b!.target, demo, 8);
      try {
        await nextSecond();
        const answers = await burst([client], 'DescribeZones', 20, 500);
        for (const [w, n] of successesPerWindow(answers)) assert.ok(n <= 5, `${n} successes in window ${w}`);
        assert.ok(answers.some((x) => x.code === 'RequestLimitExceeded'));
      } finally {
        client.close();
        await ops('SetRateLimit', { Service: 'bms', Action: 'DescribeZones' });
      }
    });
  });
});

type Lookup = (attrs: Record<string, string>, more?: Record<string, unknown>) => Promise<{ Events: AuditEventView[]; NextToken: string | null; ListOver: boolean }>;
interface AuditEventView { EventId: string; EventName: string; AccountID: number; RequestID: string; ErrorCode: number; CloudAuditEvent: string; Resources: { ResourceName: string } }

const clients = new WeakMap<Call, CommonClient>();
/** LookUpEvents (audit 2019-03-19) with the keys behind an SDK call function. */
function auditClient(bms: Call): Lookup {
  const c = clients.get(bms)!;
  return (attrs, more = {}) => c.request('LookUpEvents', {
    StartTime: Math.floor(Date.now() / 1000) - 600, EndTime: Math.floor(Date.now() / 1000) + 60, MaxResults: 50,
    LookupAttributes: Object.entries(attrs).map(([AttributeKey, AttributeValue]) => ({ AttributeKey, AttributeValue })), ...more,
  }) as never;
}

/** An SDK call function for `service` whose keys can also look up audit events. */
function tenantSdk(creds: { SecretId: string; SecretKey: string; Region: string; Endpoint: string }): Call {
  const call = sdk(creds);
  clients.set(call, new CommonClient(creds.Endpoint, '2019-03-19', {
    credential: { secretId: creds.SecretId, secretKey: creds.SecretKey }, region: creds.Region,
    profile: { httpProfile: { protocol: 'http://', endpoint: creds.Endpoint } },
  }));
  return call;
}

describe('audit trail', () => {
  let server: TestServer;
  let demo: Call;
  let other: Call;
  let ops: Call;
  let instanceId: string;
  const window = () => ({ StartTime: new Date(Date.now() - 600_000).toISOString(), EndTime: new Date(Date.now() + 60_000).toISOString(), Limit: 100 });

  before(async () => {
    server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' });
    demo = tenantSdk(server.credentials.demo);
    ops = sdk(server.credentials.operator, 'bmsops');
    const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', Date.now());
    const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
    other = tenantSdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey });
    instanceId = (await demo<{ InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', {})).InstanceSet[0]!.InstanceId;
  });
  after(async () => server.stop());

  interface OpsEvent { EventType: string; AccountUin: string; UserUin: string; SecretId: string; Action: string; ResourceIds: string[]; ResultCode: string; RequestId: string; SourceIp: string; Service: string }
  const opsEvents = async (filter: Record<string, unknown>) =>
    (await ops<{ TotalCount: number; EventSet: OpsEvent[] }>('DescribeAuditEvents', { ...window(), ...filter }));

  it('records a successful mutating call with who, what, which resources, result, RequestId and source', async () => {
    const res = await demo<{ RequestId: string }>('ModifyInstancesAttribute', { InstanceIds: [instanceId], InstanceName: 'audited' });
    const { EventSet } = await opsEvents({ ResourceId: instanceId, Action: 'ModifyInstancesAttribute' });
    const e = EventSet.find((x) => x.RequestId === res.RequestId)!;
    assert.ok(e, 'the call is in the trail');
    assert.equal(e.EventType, 'ApiCall');
    assert.equal(e.SecretId, server.credentials.demo.SecretId);
    assert.equal(e.AccountUin, server.credentials.demo.accountUin);
    assert.equal(e.UserUin, server.credentials.demo.accountUin);
    assert.deepEqual(e.ResourceIds, [instanceId]);
    assert.equal(e.ResultCode, 'Success');
    assert.equal(e.Service, 'bms');
    assert.equal(e.SourceIp, '127.0.0.1');
  });

  it('records the ids a Create returned', async () => {
    const { GroupId, RequestId } = await demo<{ GroupId: string; RequestId: string }>('CreateDisasterRecoverGroup', { Name: 'audited-group', Type: 'RACK' });
    const { EventSet } = await opsEvents({ ResourceId: GroupId });
    assert.deepEqual(EventSet.map((e) => [e.RequestId, e.Action]), [[RequestId, 'CreateDisasterRecoverGroup']]);
  });

  it('records refused calls too: not found, unauthorized, rate limited', async () => {
    const notFound = await failure(demo('TerminateInstances', { InstanceIds: ['bms-0000zzzz'] }));
    const denied = await failure(sdk(server.credentials.demo, 'bmsops')('SetRateLimit', { Service: 'bms', Action: 'RunInstances', Limit: 1 }));
    assert.equal(denied.code, 'AuthFailure.UnauthorizedOperation');
    await ops('SetRateLimit', { AccountUin: server.credentials.demo.accountUin, Service: 'bms', Action: 'CreateDisasterRecoverGroup', Limit: 0 });
    const limited = await failure(demo('CreateDisasterRecoverGroup', { Name: 'never', Type: 'RACK' }));
    await ops('SetRateLimit', { AccountUin: server.credentials.demo.accountUin, Service: 'bms', Action: 'CreateDisasterRecoverGroup' });
    assert.equal(limited.code, 'RequestLimitExceeded');
    const { EventSet } = await opsEvents({ AccountUin: server.credentials.demo.accountUin });
    const byRequest = new Map(EventSet.map((e) => [e.RequestId, e]));
    assert.equal(byRequest.get(notFound.requestId)?.ResultCode, 'ResourceNotFound');
    assert.deepEqual(byRequest.get(notFound.requestId)?.ResourceIds, ['bms-0000zzzz']);
    assert.equal(byRequest.get(denied.requestId)?.ResultCode, 'AuthFailure.UnauthorizedOperation');
    assert.equal(byRequest.get(denied.requestId)?.Action, 'SetRateLimit');
    assert.equal(byRequest.get(limited.requestId)?.ResultCode, 'RequestLimitExceeded');
  });

  it('records secret reads (DescribeOutbandInfo) without the secret', async () => {
    const info = await demo<{ OutbandInfo: Array<{ Password: string }>; RequestId: string }>('DescribeOutbandInfo', { InstanceId: instanceId });
    const { EventSet } = await opsEvents({ ResourceId: instanceId });
    const read = EventSet.find((e) => e.RequestId === info.RequestId)!;
    assert.equal(read.EventType, 'SecretRead');
    assert.equal(read.Action, 'DescribeOutbandInfo');
    const rows = JSON.stringify([
      await server.store.db.selectFrom('audit_events').selectAll().execute(),
      await server.store.db.selectFrom('secret_reads').selectAll().execute(),
    ]);
    assert.ok(!rows.includes(info.OutbandInfo[0]!.Password), 'no BMC password in the audit rows');
    const tenantView = await auditClient(demo)({ ReadOnly: 'true' });
    assert.ok(tenantView.Events.some((e) => e.RequestID === info.RequestId && e.EventName === 'DescribeOutbandInfo'));
  });

  it('a tenant sees its own events only; the operator sees every account', async () => {
    await other('CreateDisasterRecoverGroup', { Name: 'b-group', Type: 'RACK' });
    const mine = await auditClient(demo)({});
    const theirs = await auditClient(other)({});
    const demoUin = Number(server.credentials.demo.accountUin);
    assert.ok(mine.Events.length > 0 && mine.Events.every((e) => e.AccountID === demoUin));
    assert.ok(theirs.Events.length > 0 && theirs.Events.every((e) => e.AccountID !== demoUin));
    assert.ok(!mine.Events.some((e) => theirs.Events.some((t) => t.EventId === e.EventId)));
    const all = await opsEvents({});
    const accounts = new Set(all.EventSet.map((e) => e.AccountUin));
    assert.ok(accounts.has(server.credentials.demo.accountUin) && accounts.size >= 2);
    // Looking for another account's resource finds nothing.
    const { GroupId } = await other<{ GroupId: string }>('CreateDisasterRecoverGroup', { Name: 'b-group-2', Type: 'RACK' });
    assert.equal((await auditClient(demo)({ ResourceName: GroupId })).Events.length, 0);
    assert.equal((await auditClient(other)({ ResourceName: GroupId })).Events.length, 1);
  });

  it('LookUpEvents pages with NextToken, newest first, and filters by attribute', async () => {
    const lookup = auditClient(demo);
    const all = (await lookup({})).Events.map((e) => e.EventId);
    const paged: string[] = [];
    let token: string | null = null;
    do {
      const page: Awaited<ReturnType<Lookup>> = await lookup({}, { MaxResults: 2, ...(token ? { NextToken: token } : {}) });
      paged.push(...page.Events.map((e) => e.EventId));
      token = page.ListOver ? null : page.NextToken;
    } while (token);
    assert.deepEqual(paged, all);
    const failed = await lookup({ EventName: 'TerminateInstances' });
    assert.ok(failed.Events.length > 0 && failed.Events.every((e) => e.EventName === 'TerminateInstances' && e.ErrorCode === 1));
    const bad = await failure(clients.get(demo)!.request('LookUpEvents', { StartTime: 0, EndTime: 1, LookupAttributes: [{ AttributeKey: 'Bogus', AttributeValue: 'x' }] }));
    assert.equal(bad.code, 'InvalidParameterValue');
  });
});

describe('slow clients', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      BMS_HTTP_HEADERS_TIMEOUT_MS: '1000', BMS_HTTP_BODY_TIMEOUT_MS: '1000', BMS_HTTP_MAX_CONNECTIONS_PER_IP: '20',
    }, { rateLimiter: { take: () => true } });
  });
  after(async () => server.stop());

  /** Opens a raw connection; resolves with what arrived and when it closed. */
  function rawConnection(feed: (socket: net.Socket) => void) {
    const { host, port } = server.edge.address;
    const socket = net.connect({ host, port });
    const opened = Date.now();
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('utf8')));
    socket.on('error', () => {});
    socket.on('connect', () => feed(socket));
    const closed = new Promise<{ data: string; afterMs: number }>((resolve) => socket.on('close', () => resolve({ data, afterMs: Date.now() - opened })));
    return { socket, closed };
  }

  const zones = () => tc3Request(server.edge.address, server.credentials.demo, { action: 'DescribeZones' });

  it('headers sent byte by byte: cut off after the headers timeout, while others are served', async () => {
    const request = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(200)}`;
    let timer: NodeJS.Timeout | undefined;
    const conn = rawConnection((socket) => {
      let i = 0;
      timer = setInterval(() => (i < request.length && !socket.destroyed ? socket.write(request[i++]!) : clearInterval(timer)), 50);
    });
    const started = Date.now();
    const meanwhile = await zones();
    assert.equal(meanwhile.json.Response.Error, undefined, 'a normal request is served meanwhile');
    assert.ok(Date.now() - started < 1000);
    const { data, afterMs } = await conn.closed;
    clearInterval(timer);
    assert.ok(afterMs < 3000, `closed after ${afterMs} ms`);
    if (data) assert.match(data, /HTTP\/1\.1 200[\s\S]*"Code":"UnsupportedProtocol"/);
  });

  it('a body that never completes: answered with InvalidParameter and closed after the body timeout', async () => {
    const conn = rawConnection((socket) => {
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Limit": 1');
    });
    const meanwhile = await zones();
    assert.equal(meanwhile.json.Response.Error, undefined);
    const { data, afterMs } = await conn.closed;
    assert.ok(afterMs < 3000, `closed after ${afterMs} ms`);
    assert.match(data, /HTTP\/1\.1 200/);
    assert.match(data, /"Code":"InvalidParameter".*not received completely within 1 s/);
  });

  it('too many connections from one address: the extra one is refused with RequestLimitExceeded', async () => {
    const held = Array.from({ length: 20 }, () => rawConnection(() => {}));
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once('connect', r))));
    await sleep(50);
    const extra = rawConnection((socket) => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const { data } = await extra.closed;
    assert.match(data, /"Code":"RequestLimitExceeded".*Too many open connections/);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await sleep(50);
    assert.equal((await zones()).json.Response.Error, undefined, 'served again once connections are released');
  });
});

describe('input limits', () => {
  let server: TestServer;
  let instanceId: string;
  before(async () => {
    server = await startTestServer({}, { rateLimiter: { take: () => true } });
    instanceId = (await sdk(server.credentials.demo)<{ InstanceSet: Array<{ InstanceId: string }> }>('DescribeInstances', {})).InstanceSet[0]!.InstanceId;
  });
  after(async () => server.stop());

  const tc3 = (action: string, body: string) => tc3Request(server.edge.address, server.credentials.demo, { action, body });
  function expectInvalid(reply: Reply, pattern: RegExp) {
    assert.equal(reply.status, 200);
    assert.equal(reply.json.Response.Error?.Code, 'InvalidParameter', reply.text.slice(0, 300));
    assert.match(reply.json.Response.Error!.Message, pattern);
  }

  it('deeply nested JSON (10 MB of brackets) is refused quickly', async () => {
    const depth = 5 * 1024 * 1024 - 20;
    const started = Date.now();
    expectInvalid(await tc3('DescribeInstances', `{"InstanceIds":${'['.repeat(depth)}${']'.repeat(depth)}}`), /more than 16 levels deep/);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });

  it('a JSON body with too many values, an over-long value or member name is refused, naming the limit', async () => {
    expectInvalid(await tc3('DescribeInstances', `{"InstanceIds":[${'"a",'.repeat(300_000)}"a"]}`), /more than 20000 values/);
    expectInvalid(await tc3('ModifyInstancesAttribute', JSON.stringify({ InstanceIds: [instanceId], InstanceName: 'x'.repeat(100_000) })),
      /InstanceName must be a string of at most 65536 characters \(got 100000\)/);
    expectInvalid(await tc3('DescribeInstances', JSON.stringify({ ['k'.repeat(5_000)]: 1 })), /member name at offset \d+ is longer than 1024/);
  });

  it('flat parameters: too many, too deep a key, too long a value', async () => {
    const v1 = (params: Record<string, unknown>) => v1Request(server.edge.address, server.credentials.demo, { action: 'DescribeInstances', params });
    expectInvalid(await v1(Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`K${i}`, 'v']))), /carries 120\d\d parameters; at most 100\d\d are accepted/);
    expectInvalid(await v1({ [`${'a.'.repeat(20_000)}a`]: 'v' }), /at most 16 dot-separated segments/);
    expectInvalid(await v1({ Pad: 'x'.repeat(100_000) }), /at most 65536 characters/);
    const get = await tc3Request(server.edge.address, server.credentials.demo, { action: 'DescribeInstances', method: 'GET', params: { [`${'a.'.repeat(5_000)}a`]: 'v' } });
    expectInvalid(get, /segments/);
  });

  it('within the limits, an ordinary call still works', async () => {
    const reply = await send(server.edge.address, { method: 'GET', path: '/' });
    assert.equal(reply.status, 200);
    const ok = await tc3('DescribeInstances', JSON.stringify({ InstanceIds: [instanceId] }));
    assert.equal(ok.json.Response.Error, undefined);
  });
});
