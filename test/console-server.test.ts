/**
 * The web console, server side: sign-in with the console password, the session cookie and its
 * expiries, CSRF, sign-in limits, audit, the session branch of the gateway (same CAM, same
 * envelopes as the SDK), the live feed (SSE), the static app — and the change feed it rests on,
 * on SQLite and across two PostgreSQL stores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { announce } from '../src/store/changes.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Change } from '../src/store/changes.ts';
import { sdk, waitFor } from './support/cloud.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
interface Answer { status: number; headers: http.IncomingHttpHeaders; body: any }

function request(base: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const text = opts.body === undefined ? '' : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method, headers: { ...(text ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try { body = JSON.parse(raw); } catch { /* text */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

interface Session { cookie: string; csrf: string }

async function signIn(base: string, AccountUin: string, UserName: string, Password: string): Promise<Session> {
  const a = await request(base, 'POST', '/console/api/login', { body: { AccountUin, UserName, Password } });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  const setCookie = String(a.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0]!, csrf: a.body.Response.CsrfToken };
}

/** A console API call: POST / with the cookie and CSRF token, as the browser sends it. */
async function call(base: string, s: Session | { cookie: string; csrf?: string }, service: string, version: string, action: string, params: object = {}, lang = 'en-US') {
  const a = await request(base, 'POST', '/', {
    body: params,
    headers: {
      Cookie: s.cookie, ...(s.csrf ? { 'X-CSRF-Token': s.csrf } : {}), 'X-TC-Action': action, 'X-TC-Version': version,
      'X-TC-Region': 'ap-guangzhou', 'X-TC-Language': lang,
    },
  });
  assert.equal(a.status, 200);
  return a.body.Response;
}

describe('console: sign-in, sessions and the session branch of the gateway', () => {
  let server: TestServer;
  let base: string;
  let creds: { ConsoleAccount: string; ConsoleUser: string; ConsolePassword: string; ConsoleUrl: string };
  let appDir: string;

  before(async () => {
    appDir = mkdtempSync(join(tmpdir(), 'bms-console-app-'));
    mkdirSync(join(appDir, 'assets'));
    writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>BMS</title><div id="root"></div>');
    writeFileSync(join(appDir, 'assets', 'app-abc123.js'), 'console.log(1)');
    server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' }, { rateLimiter: { take: () => true }, consoleDir: appDir });
    base = `http://${server.endpoint}`;
    creds = JSON.parse(readFileSync(join(server.dataDir, 'demo-credentials.json'), 'utf8'));
  });
  after(async () => {
    await server.stop();
    rmSync(appDir, { recursive: true, force: true });
  });

  it('writes the demo root user\'s console sign-in to demo-credentials.json, and it works', async () => {
    assert.equal(creds.ConsoleAccount, server.credentials.demo.accountUin);
    assert.equal(creds.ConsoleUser, 'root');
    assert.ok(creds.ConsolePassword.length >= 8);
    assert.equal(creds.ConsoleUrl, `http://${server.endpoint}/console/`);
    const stored = await server.store.db.selectFrom('user_credentials').select('password_hash').execute();
    assert.ok(stored.every((r) => !r.password_hash?.includes(creds.ConsolePassword)), 'kept only as a hash');
    const s = await signIn(base, creds.ConsoleAccount, creds.ConsoleUser, creds.ConsolePassword);
    const who = await request(base, 'GET', '/console/api/session', { headers: { Cookie: s.cookie } });
    assert.equal(who.body.Response.User.UserName, 'root');
    assert.equal(who.body.Response.User.IsRoot, true);
    assert.equal(who.body.Response.CsrfToken, s.csrf);
  });

  it('sets an HttpOnly, SameSite=Strict cookie, Secure only over TLS', async () => {
    const plain = await request(base, 'POST', '/console/api/login', { body: { AccountUin: creds.ConsoleAccount, UserName: 'root', Password: creds.ConsolePassword } });
    const c = String(plain.headers['set-cookie']);
    assert.match(c, /^bms_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const tls = await request(base, 'POST', '/console/api/login', {
      body: { AccountUin: creds.ConsoleAccount, UserName: 'root', Password: creds.ConsolePassword }, headers: { 'X-Forwarded-Proto': 'https' },
    });
    assert.match(String(tls.headers['set-cookie']), /; Secure$/);
  });

  it('acts through the same pipeline: API results, API errors, and a CSRF token on every call', async () => {
    const s = await signIn(base, creds.ConsoleAccount, 'root', creds.ConsolePassword);
    const list = await call(base, s, 'bms', '2018-08-13', 'DescribeInstances', { Limit: 10 });
    assert.ok(list.TotalCount >= 2, JSON.stringify(list));
    const bad = await call(base, s, 'bms', '2018-08-13', 'DescribeInstances', { Limit: 1000 }, 'zh-CN');
    assert.equal(bad.Error.Code, 'InvalidParameterValue');
    assert.match(bad.Error.Message, /Limit/);
    const noCsrf = await call(base, { cookie: s.cookie }, 'bms', '2018-08-13', 'DescribeInstances');
    assert.equal(noCsrf.Error.Code, 'AuthFailure.InvalidAuthorization');
    assert.match(noCsrf.Error.Message, /CSRF/);
    const wrongCsrf = await call(base, { cookie: s.cookie, csrf: `${s.csrf.slice(0, -2)}xx` }, 'bms', '2018-08-13', 'StopInstances', { InstanceIds: [list.InstanceSet[0].InstanceId] });
    assert.equal(wrongCsrf.Error.Code, 'AuthFailure.InvalidAuthorization');
    const forged = await call(base, { cookie: 'bms_session=forged', csrf: 'x' }, 'bms', '2018-08-13', 'DescribeInstances');
    assert.equal(forged.Error.Code, 'AuthFailure.InvalidAuthorization');
    const foreign = await request(base, 'POST', '/console/api/login', { body: {}, headers: { Origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
  });

  it('a Describe-only sub-user sees the list and gets the API\'s refusal on StartInstances', async () => {
    const cam = sdk(server.credentials.demo, 'cam');
    const user = await cam<{ Uin: number }>('AddUser', { Name: 'reader', ConsoleLogin: 1, Password: 'Reader#Pass1' });
    const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', {
      PolicyName: 'describe-only', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['bms:Describe*'], resource: '*' }] }),
    });
    await cam('AttachUserPolicy', { PolicyId, AttachUin: user.Uin });
    const s = await signIn(base, creds.ConsoleAccount, 'reader', 'Reader#Pass1');
    const list = await call(base, s, 'bms', '2018-08-13', 'DescribeInstances', {});
    assert.ok(list.TotalCount >= 2);
    const id = list.InstanceSet[0].InstanceId;
    const refused = await call(base, s, 'bms', '2018-08-13', 'StartInstances', { InstanceIds: [id] });
    assert.equal(refused.Error.Code, 'AuthFailure.UnauthorizedOperation');
    assert.match(refused.Error.Message, /bms:StartInstances/);
    const zh = await call(base, s, 'bms', '2018-08-13', 'StartInstances', { InstanceIds: [id] }, 'zh-CN');
    assert.equal(zh.Error.Code, 'AuthFailure.UnauthorizedOperation');
  });

  it('a session ends after the idle limit and the absolute limit', async () => {
    const s = await signIn(base, creds.ConsoleAccount, 'root', creds.ConsolePassword);
    server.skew.ms += 29 * 60_000; // within 30 minutes of idleness: still valid, and the touch renews it
    assert.ok((await call(base, s, 'bms', '2018-08-13', 'DescribeZones')).ZoneSet);
    server.skew.ms += 29 * 60_000;
    assert.ok((await call(base, s, 'bms', '2018-08-13', 'DescribeZones')).ZoneSet, 'renewed by the previous request');
    server.skew.ms += 31 * 60_000;
    const idle = await call(base, s, 'bms', '2018-08-13', 'DescribeZones');
    assert.equal(idle.Error.Code, 'AuthFailure.InvalidAuthorization');
    assert.match(idle.Error.Message, /expired/);
    const again = await signIn(base, creds.ConsoleAccount, 'root', creds.ConsolePassword);
    for (let i = 1; i <= 30; i++) { // busy all along, every 29 minutes: still over after 12 hours
      server.skew.ms += 29 * 60_000;
      const r = await call(base, again, 'bms', '2018-08-13', 'DescribeZones');
      if (r.Error) {
        assert.ok(i * 29 >= 12 * 60, `ended early at ${i * 29} min`);
        assert.match(r.Error.Message, /expired/);
        return;
      }
    }
    assert.fail('the session outlived its absolute limit');
  });

  it('logout ends the session; logins and logouts are audited', async () => {
    const s = await signIn(base, creds.ConsoleAccount, 'root', creds.ConsolePassword);
    const noCsrf = await request(base, 'POST', '/console/api/logout', { headers: { Cookie: s.cookie } });
    assert.equal(noCsrf.status, 401);
    assert.ok((await call(base, s, 'bms', '2018-08-13', 'DescribeZones')).ZoneSet, 'a logout without the CSRF token ends nothing');
    const out = await request(base, 'POST', '/console/api/logout', { headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } });
    assert.equal(out.status, 200);
    assert.match(String(out.headers['set-cookie']), /bms_session=; .*Max-Age=0/);
    assert.equal((await call(base, s, 'bms', '2018-08-13', 'DescribeZones')).Error.Code, 'AuthFailure.InvalidAuthorization');
    const rows = await server.store.db.selectFrom('audit_events').select(['action', 'result_code']).where('service', '=', 'console').execute();
    assert.ok(rows.some((r) => r.action === 'ConsoleLogin' && r.result_code === 'Success'));
    assert.ok(rows.some((r) => r.action === 'ConsoleLogout' && r.result_code === 'Success'));
  });

  it('limits sign-in attempts per user with a clear message, whatever the password', async () => {
    for (let i = 0; i < 5; i++) {
      const a = await request(base, 'POST', '/console/api/login', { body: { AccountUin: creds.ConsoleAccount, UserName: 'reader', Password: `Wrong#Pass${i}` } });
      assert.equal(a.status, 401);
    }
    const blocked = await request(base, 'POST', '/console/api/login', {
      body: { AccountUin: creds.ConsoleAccount, UserName: 'reader', Password: 'Reader#Pass1' }, headers: { 'X-TC-Language': 'en-US' },
    });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.Response.Error.Code, 'RequestLimitExceeded');
    assert.match(blocked.body.Response.Error.Message, /Too many failed sign-ins for this user; try again in 15 minute/);
    assert.ok(Number(blocked.headers['retry-after']) > 800);
    const zh = await request(base, 'POST', '/console/api/login', { body: { AccountUin: creds.ConsoleAccount, UserName: 'reader', Password: 'Reader#Pass1' } });
    assert.match(zh.body.Response.Error.Message, /登录失败次数过多/);
    server.skew.ms += 16 * 60_000;
    await signIn(base, creds.ConsoleAccount, 'reader', 'Reader#Pass1');
    const rows = await server.store.db.selectFrom('audit_events').select(['result_code']).where('action', '=', 'ConsoleLogin').execute();
    assert.ok(rows.some((r) => r.result_code === 'RequestLimitExceeded'));
    assert.ok(rows.some((r) => r.result_code === 'AuthFailure.InvalidAuthorization'));
  });

  it('pushes an instance\'s status changes over SSE after the commit, only to its account', async () => {
    const s = await signIn(base, creds.ConsoleAccount, 'root', creds.ConsolePassword);
    const list = await call(base, s, 'bms', '2018-08-13', 'DescribeInstances', {});
    const running = list.InstanceSet.find((i: { Status: string }) => i.Status === 'RUNNING');
    assert.ok(running, 'a running demo instance');
    const events: Array<Array<{ Kind: string; Id: string; InstanceId: string; Status: string }>> = [];
    const stream = await new Promise<http.IncomingMessage>((resolve) => {
      http.get(`${base}/console/api/events`, { headers: { Cookie: s.cookie } }, resolve);
    });
    assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
    let buffer = '';
    stream.on('data', (c: Buffer) => {
      buffer += c.toString('utf8');
      for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const data = /^event: change\ndata: (.*)$/m.exec(block);
        if (data) events.push(JSON.parse(data[1]!));
      }
    });
    await waitFor('the stream to be registered', async () => server.console.feed.connections, (n) => n === 1);
    const stopped = await call(base, s, 'bms', '2018-08-13', 'StopInstances', { InstanceIds: [running.InstanceId] });
    assert.ok(stopped.TaskId !== undefined, JSON.stringify(stopped));
    const seen = await waitFor('STOPPING then STOPPED on the feed', async () => events.flat(),
      (all) => all.some((e) => e.Kind === 'instance' && e.Status === 'STOPPED' && e.Id === running.InstanceId));
    assert.ok(seen.some((e) => e.Kind === 'instance' && e.Status === 'STOPPING'));
    assert.ok(seen.some((e) => e.Kind === 'task' && e.InstanceId === running.InstanceId));
    const foreign = seen.filter((e) => e.Kind === 'instance' && !list.InstanceSet.some((i: { InstanceId: string }) => i.InstanceId === e.Id));
    assert.deepEqual(foreign, []);
    stream.destroy();
    await waitFor('the stream to be released', async () => server.console.feed.connections, (n) => n === 0);
  });

  it('serves the built app at /console/ with its security headers', async () => {
    const index = await request(base, 'GET', '/console/');
    assert.equal(index.status, 200);
    assert.match(String(index.body), /<div id="root">/);
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(index.headers['x-frame-options'], 'DENY');
    const deep = await request(base, 'GET', '/console/instances/bms-123');
    assert.match(String(deep.body), /<div id="root">/, 'app routes get index.html');
    const asset = await request(base, 'GET', '/console/assets/app-abc123.js');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await request(base, 'GET', '/console/assets/missing.js')).status, 404);
    const traversal = await request(base, 'GET', '/console/..%2fdemo-credentials.json');
    assert.doesNotMatch(String(traversal.body), /SecretKey/);
  });
});

describe('change feed: published on commit only', () => {
  it('SQLite: a committed transaction\'s changes reach listeners after the commit; a rolled-back one\'s never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bms-feed-'));
    const store = await openStore({ dataDir: dir });
    try {
      const got: Change[][] = [];
      store.changes.subscribe((c) => got.push(c));
      await assert.rejects(store.transaction(async (tx) => {
        announce(tx, { kind: 'instance', id: 'bms-rolled-back', accountUin: '1', status: 'RUNNING' });
        throw new Error('roll back');
      }));
      let seenInside = -1;
      await store.transaction(async (tx) => {
        announce(tx, { kind: 'instance', id: 'bms-a', accountUin: '1', status: 'RUNNING' });
        announce(tx, { kind: 'task', id: '7', accountUin: '1' });
        seenInside = got.length;
      });
      assert.equal(seenInside, 0, 'nothing before the commit');
      assert.deepEqual(got.flat().map((c) => c.id), ['bms-a', '7']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

await withPostgres('change feed across PostgreSQL stores', () => {
  const freshUrl = schemaFactory();
  it('PostgreSQL: a commit in one store reaches the listeners of another (LISTEN/NOTIFY), a rollback nowhere, other schemas never', async () => {
    const url = freshUrl();
    const writer = await openStore({ dataDir: '', databaseUrl: url });
    const reader = await openStore({ dataDir: '', databaseUrl: url });
    const elsewhere = await openStore({ dataDir: '', databaseUrl: freshUrl() });
    try {
      const got: Change[] = [];
      const strays: Change[] = [];
      reader.changes.subscribe((c) => got.push(...c));
      elsewhere.changes.subscribe((c) => strays.push(...c));
      await Promise.all([reader.changes.listening(), elsewhere.changes.listening()]);
      await assert.rejects(writer.transaction(async (tx) => {
        announce(tx, { kind: 'instance', id: 'bms-rolled-back', accountUin: '1' });
        throw new Error('roll back');
      }));
      const many = Array.from({ length: 300 }, (_, i) => ({ kind: 'task' as const, id: String(i), accountUin: '1', status: 'RUNNING' }));
      await writer.transaction(async (tx) => {
        for (const c of many) announce(tx, c); // more than one NOTIFY payload holds
      });
      await waitFor('300 changes on the other store', async () => got.length, (n) => n >= 300, 10_000);
      assert.deepEqual(got.map((c) => c.id), many.map((c) => c.id));
      assert.deepEqual(strays, []);
    } finally {
      await Promise.all([writer.close(), reader.close(), elsewhere.close()]);
    }
  });
});
