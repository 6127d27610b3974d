/**
 * Property: whatever arrives — garbage, half-valid or validly signed with wrong parameters —
 * the answer is HTTP 200, `Content-Type: application/json`, a JSON `Response` envelope with a
 * RequestId, never InternalError, and the process stays up.
 *
 * HEAD is left out: HTTP forbids a body in its answer, so there is no envelope to check.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BMS_SPEC } from '../src/services/bms-service.ts';
import type { Member } from '../src/spec/model.ts';
import { send, tc3Request, v1Request, type Creds, type Reply, type Target } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let target: Target;
let demo: Creds;

before(async () => {
  // Rate limits would answer most of the fuzz traffic; lift them to reach validation.
  server = await startTestServer({}, { rateLimiter: { take: () => true } });
  target = server.edge.address;
  demo = server.credentials.demo;
});
after(async () => server.stop());

function assertEnvelope(reply: Reply) {
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.ok(reply.json && typeof reply.json.Response === 'object', `not a JSON envelope: ${reply.text.slice(0, 200)}`);
  assert.equal(typeof reply.json.Response.RequestId, 'string');
  assert.notEqual(reply.json.Response.Error?.Code, 'InternalError', reply.text);
}

const actions = Object.keys(BMS_SPEC.actions);
const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT');
const contentTypes = fc.oneof(
  fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain',
    'application/json; charset=utf-8', ''),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
);
const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
const authorization = fc.oneof(
  headerValue,
  fc.tuple(headerValue, headerValue, fc.stringMatching(/^[0-9a-f]{0,64}$/)).map(([id, svc, sig]) =>
    `TC3-HMAC-SHA256 Credential=${id}/2026-01-01/${svc}/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`),
);
const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })), { maxLength: 10 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
);
const query = fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.replace(/[^\x21-\x7e]/g, '%')}`).join('&'));

/** A value for a member: often of the right type, sometimes of a wrong one. */
function valueFor(m: Member, depth: number): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]));
  let right: fc.Arbitrary<unknown>;
  if (m.type === 'Object') {
    const struct = BMS_SPEC.objects[m.ref!]!;
    right = depth > 3 ? fc.constant({}) : paramsFor(struct.members, depth + 1);
  } else if (m.type === 'Bool') right = fc.boolean();
  else if (m.type === 'String' || m.type === 'Datetime') right = m.enum ? fc.constantFrom(...m.enum) : fc.string({ maxLength: 70 });
  else right = fc.integer({ min: -5, max: 200 });
  if (m.array) right = fc.array(right, { maxLength: 7 });
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function paramsFor(members: Member[], depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const record = Object.fromEntries(members.map((m) => [m.name, valueFor(m, depth)]));
  return fc.tuple(fc.record(record, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 2 })))
    .map(([known, unknown]) => ({ ...known, ...(unknown ?? {}) }));
}

const signedRequest = fc.constantFrom(...actions).chain((action) =>
  fc.record({
    action: fc.constant(action),
    params: paramsFor(BMS_SPEC.actions[action]!.input),
    protocol: fc.constantFrom('tc3-post', 'tc3-get', 'v1-post', 'v1-get'),
    language: fc.constantFrom(undefined, 'zh-CN', 'en-US'),
  }));

describe('gateway fuzzing', () => {
  it('random raw requests always get a JSON envelope', async () => {
    await fc.assert(fc.asyncProperty(methods, contentTypes, authorization, body, query, headerValue,
      async (method, contentType, auth, payload, q, action) => {
        const headers: Record<string, string> = { 'X-TC-Action': action, 'X-TC-Version': '2018-08-13', 'X-TC-Timestamp': String(Math.floor(Date.now() / 1000)) };
        if (contentType) headers['Content-Type'] = contentType;
        if (auth) headers.Authorization = auth;
        const reply = method === 'CONNECT'
          ? await connect(target)
          : await send(target, { method, path: q ? `/?${q}` : '/', headers, ...(method === 'GET' ? {} : { body: payload }) });
        assertEnvelope(reply);
      }), { numRuns: 400 });
  });

  it('validly signed requests with random parameters always get a JSON envelope, never InternalError', async () => {
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(signedRequest, async ({ action, params, protocol, language }) => {
      const [kind, method] = protocol.split('-') as ['tc3' | 'v1', 'post' | 'get'];
      const opts = { action, params, method: method.toUpperCase() as 'GET' | 'POST', ...(language ? { language } : {}) };
      const reply = kind === 'tc3' ? await tc3Request(target, demo, opts) : await v1Request(target, demo, opts);
      assertEnvelope(reply);
      const code = reply.json.Response.Error?.Code ?? 'Success';
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }), { numRuns: 600 });
    // The generator must reach validation and beyond, not just bounce off authentication.
    assert.ok((seen.get('Success') ?? 0) + (seen.get('ResourceNotFound') ?? 0) > 0, `no request reached a handler: ${JSON.stringify([...seen])}`);
    for (const code of ['MissingParameter', 'InvalidParameter', 'InvalidParameterValue', 'UnknownParameter']) {
      assert.ok((seen.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...seen])}`);
    }
  });
});

/** CONNECT goes through node:http's 'connect' path; its answer must still be an envelope. */
function connect(t: Target): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: t.host, port: t.port, method: 'CONNECT', path: 'example.com:443', agent: false });
    req.on('connect', (res, socket, head) => {
      const chunks: Buffer[] = [head];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
