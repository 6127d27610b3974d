/**
 * Hostile input (issue 9 part 6): text no store can hold, prototype-polluting names and
 * repeated v1 common parameters are answered with a documented code naming the culprit, on
 * SQLite and on PostgreSQL alike — never InternalError, never half-stored.
 *
 * "Every parameter position": for every action of every service, every String member (at any
 * depth, array elements included) is sent holding a NUL and a lone surrogate (TC3 JSON) and a
 * NUL (v1 form, TC3 GET query), with the required members before it filled with plausible
 * values, so the validator reaches it; the answer must be InvalidParameterValue naming that
 * member's wire path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Member, ServiceSpec } from '../src/spec/model.ts';
import { tc3Request, v1Request, send, type Creds, type Reply, type Target } from './support/raw-client.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { v1Signature, v1StringToSign } from '../src/gateway/signing/v1.ts';

const freshSchemaUrl = schemaFactory();

interface Position {
  service: string;
  version: string;
  action: string;
  /** Wire path of the String member, array indexes as 0. */
  path: string;
  params: (value: string) => Record<string, unknown>;
}

/** A value of `m` that passes its own checks (type, enum, length, range). */
function plausible(m: Member, spec: ServiceSpec, depth = 0): unknown {
  let one: unknown;
  if (m.type === 'Object') {
    const members = spec.objects[m.ref!]!.members;
    one = depth > 4 ? {} : requiredOf(members, spec, depth + 1);
    // An object with no required member still needs one to exist over v1: its flat form has no empty object.
    if (depth <= 4 && Object.keys(one as object).length === 0 && members.length > 0) one = { [members[0]!.name]: plausible(members[0]!, spec, depth + 1) };
  }
  else if (m.type === 'String') one = m.enum?.[0] ?? 'x'.repeat(Math.max(1, m.minLength ?? 1));
  else if (m.type === 'Datetime') one = '2026-01-01T00:00:00Z';
  else if (m.type === 'Bool') one = true;
  else one = m.enum ? Number(m.enum[0]) : (m.minimum ?? (m.maximum !== undefined ? Math.min(0, m.maximum) : 1));
  return m.array ? Array.from({ length: Math.max(1, m.minItems ?? 1) }, () => one) : one;
}

function requiredOf(members: Member[], spec: ServiceSpec, depth: number): Record<string, unknown> {
  return Object.fromEntries(members.filter((m) => m.required).map((m) => [m.name, plausible(m, spec, depth)]));
}

/** Every String member position of every action: the params with `value` placed there. */
function positions(services: Record<string, { spec: ServiceSpec }>): Position[] {
  const out: Position[] = [];
  for (const [service, { spec }] of Object.entries(services)) {
    for (const [action, a] of Object.entries(spec.actions)) {
      const walk = (members: Member[], prefix: string, place: (obj: Record<string, unknown>) => Record<string, unknown>, depth: number) => {
        members.forEach((m, i) => {
          // The members before this one that are required, plausibly filled; this one holds the value.
          const before = (v: unknown) => ({ ...requiredOf(members.slice(0, i), spec, depth), [m.name]: v });
          const path = `${prefix}${m.name}${m.array ? '.0' : ''}`;
          if (m.type === 'String') {
            out.push({ service, version: spec.version, action, path, params: (value) => place(before(m.array ? [value] : value)) });
          } else if (m.type === 'Object' && depth < 4) {
            const struct = spec.objects[m.ref!]!;
            walk(struct.members, `${path}.`, (inner) => place(before(m.array ? [inner] : inner)), depth + 1);
          }
        });
      };
      walk(a.input, '', (obj) => obj, 0);
    }
  }
  return out;
}

function hostileSuite(label: string, env: () => Record<string, string>) {
  describe(`hostile input on ${label}`, () => {
    let server: TestServer;
    let target: Target;
    let tenant: Creds;
    let operator: Creds;
    let all: Position[];
    before(async () => {
      server = await startTestServer({ BMS_DEMO: '0', ...env() }, { rateLimiter: { take: () => true } });
      target = server.edge.address;
      tenant = server.credentials.demo;
      operator = server.credentials.operator;
      all = positions(server.gateway.services);
    });
    after(async () => server?.stop());

    const credsFor = (service: string) => (service === 'bmsops' ? operator : tenant);
    const expectNamed = (reply: Reply, code: string, path: string, what: string) => {
      const error = reply.json?.Response?.Error;
      assert.ok(error, `${what}: expected ${code}, got success ${reply.text.slice(0, 200)}`);
      assert.equal(error.Code, code, `${what}: ${error.Message}`);
      assert.ok(error.Message.includes(path), `${what}: the message names ${path}: ${error.Message}`);
    };

    it('NUL and lone surrogates in every String member (TC3 JSON) are InvalidParameterValue naming it', async () => {
      assert.ok(all.length > 100, `${all.length} positions`);
      for (const p of all) {
        for (const [value, why] of [['a\u0000b', 'NUL'], ['a\ud800b', 'lone surrogate'], ['\udc00', 'lone low surrogate']] as const) {
          const reply = await tc3Request(target, credsFor(p.service), { action: p.action, version: p.version, service: p.service, params: p.params(value), signAction: true });
          expectNamed(reply, 'InvalidParameterValue', p.path, `${p.service}.${p.action} ${p.path} (${why})`);
        }
      }
    });

    it('NUL in every String member over v1 and over TC3 GET is InvalidParameterValue naming it', async () => {
      for (const p of all) {
        const params = p.params('a\u0000b');
        const v1 = await v1Request(target, credsFor(p.service), { action: p.action, version: p.version, params });
        expectNamed(v1, 'InvalidParameterValue', p.path, `v1 ${p.service}.${p.action} ${p.path}`);
        const get = await tc3Request(target, credsFor(p.service), { action: p.action, version: p.version, service: p.service, params, method: 'GET', signAction: true });
        expectNamed(get, 'InvalidParameterValue', p.path, `GET ${p.service}.${p.action} ${p.path}`);
      }
    });

    it('NUL in a common parameter (v1) is refused naming it', async () => {
      for (const [name, value] of [['Region', 'ap-guangzhou\u0000'], ['Language', 'zh-CN\u0000'], ['Token', 'x\u0000y']] as const) {
        const o = { action: 'DescribeZones', region: name === 'Region' ? value : 'ap-guangzhou', ...(name === 'Language' ? { language: value } : {}), ...(name === 'Token' ? { token: value } : {}) };
        expectNamed(await v1Request(target, tenant, o), 'InvalidParameterValue', name, name);
      }
    });

    it('__proto__, constructor and prototype are refused as names, in JSON at any depth and in flat names', async () => {
      for (const name of ['__proto__', 'constructor', 'prototype']) {
        const top = await tc3Request(target, tenant, { action: 'DescribeInstances', body: `{"${name}":{"Limit":1}}`, signAction: true });
        expectNamed(top, 'InvalidParameter', name, `JSON ${name}`);
        const nested = await tc3Request(target, tenant, { action: 'DescribeInstances', body: `{"Filters":[{"Name":"zone","Values":["z"],"${name}":{"Name":1}}]}`, signAction: true });
        expectNamed(nested, 'InvalidParameter', `Filters.0.${name}`, `nested JSON ${name}`);
        for (const flat of [{ [`${name}.Limit`]: '1' }, { [name]: '1' }, { [`Filters.0.${name}`]: 'x' }]) {
          const key = Object.keys(flat)[0]!;
          expectNamed(await v1Request(target, tenant, { action: 'DescribeInstances', params: flat }), 'InvalidParameter', key, `v1 ${key}`);
          expectNamed(await tc3Request(target, tenant, { action: 'DescribeInstances', params: flat, method: 'GET', signAction: true }), 'InvalidParameter', key, `GET ${key}`);
        }
      }
      // The proof the old hole is closed: `__proto__.Limit=1` used to be honoured as Limit=1.
      const polluted = await v1Request(target, tenant, { action: 'DescribeInstances', params: { '__proto__.Limit': '1' } });
      assert.equal(polluted.json.Response.Error?.Code, 'InvalidParameter');
      assert.equal(({} as Record<string, unknown>).Limit, undefined, 'Object.prototype is untouched');
    });

    it('a repeated v1 common parameter is refused naming it, whatever the signature', async () => {
      const host = `${target.host}:${target.port}`;
      for (const [name, extra] of [['Action', 'TerminateInstances'], ['Version', '2017-03-12'], ['Region', 'ap-beijing'], ['SecretId', 'AKIDxxxxxxxxxxxxxxxx'],
        ['Timestamp', '1'], ['Nonce', '2'], ['SignatureMethod', 'HmacSHA1'], ['Language', 'zh-CN'], ['Signature', 'x']] as const) {
        const pairs: Array<[string, string]> = [
          ['Action', 'DescribeZones'], ['Nonce', '7'], ['Timestamp', String(Math.floor(Date.now() / 1000))], ['Version', '2018-08-13'],
          ['SecretId', tenant.SecretId], ['Region', 'ap-guangzhou'], ['SignatureMethod', 'HmacSHA256'], ['Language', 'en-US'], [name, extra],
        ];
        pairs.push(['Signature', v1Signature(tenant.SecretKey, 'HmacSHA256', v1StringToSign('POST', host, pairs))]);
        if (name === 'Signature') pairs.push(['Signature', 'again']);
        const body = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const reply = await send(target, { method: 'POST', headers: { Host: host, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
        expectNamed(reply, 'InvalidParameter', name, `repeated ${name}`);
        assert.match(reply.json.Response.Error!.Message, /repeated/);
      }
    });

    it('v1 requests are capped in parameter count before their signature is checked', async () => {
      const host = `${target.host}:${target.port}`;
      const body = `${'A=1&'.repeat(200_000)}Action=DescribeZones&Version=2018-08-13&Region=ap-guangzhou&Timestamp=${Math.floor(Date.now() / 1000)}&SecretId=${tenant.SecretId}&Signature=wrong`;
      const reply = await send(target, { method: 'POST', headers: { Host: host, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(reply.json.Response.Error?.Code, 'InvalidParameter');
      assert.match(reply.json.Response.Error!.Message, /carries 200006 parameters; at most \d+ are accepted/);
    });

    it('nothing hostile was stored: no row holds a NUL or a polluted name', async () => {
      const db = server.store.db;
      const tables = ['vpcs', 'subnets', 'instances', 'heartbeat_groups', 'placement_groups', 'switches', 'racks', 'eips', 'eip_pool', 'policies'] as const;
      const counts = await Promise.all(tables.map(async (table) => {
        const row = await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirst();
        return Number(row?.n ?? 0);
      }));
      // BMS_DEMO=0 and every request above was refused: nothing was created.
      assert.deepEqual(Object.fromEntries(tables.map((t, i) => [t, counts[i]])), Object.fromEntries(tables.map((t) => [t, 0])));
    });
  });
}

hostileSuite('SQLite', () => ({}));
await withPostgres('hostile input on PostgreSQL', () => hostileSuite('PostgreSQL', () => ({ BMS_DATABASE_URL: freshSchemaUrl() })));

describe('the body budget (memory held by request bodies at once)', () => {
  it('small bodies never wait; large ones wait all-or-nothing, in arrival order; one over the budget goes alone', async () => {
    const { bodyBudget } = await import('../src/gateway/body-budget.ts');
    const budget = bodyBudget(10 * 1024 * 1024);
    assert.equal(typeof budget.reserve(1024), 'function', 'a small body is never made to wait');
    const first = budget.reserve(6 * 1024 * 1024);
    assert.equal(typeof first, 'function');
    const order: string[] = [];
    const second = Promise.resolve(budget.reserve(6 * 1024 * 1024)).then((r) => (order.push('second'), r));
    const huge = Promise.resolve(budget.reserve(50 * 1024 * 1024)).then((r) => (order.push('huge'), r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], 'both wait while 6 MB of 10 are held');
    assert.equal(budget.inUse(), 6 * 1024 * 1024);
    (first as () => void)();
    const releaseSecond = await second;
    assert.deepEqual(order, ['second']);
    releaseSecond();
    releaseSecond(); // giving back twice gives back once
    const releaseHuge = await huge;
    assert.deepEqual(order, ['second', 'huge']);
    assert.equal(budget.inUse(), 50 * 1024 * 1024, 'a body larger than the whole budget is let through alone');
    releaseHuge();
    assert.equal(budget.inUse(), 0);
  });
});
