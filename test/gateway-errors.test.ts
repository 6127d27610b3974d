/**
 * The gateway's answers to every kind of bad or unusual request: each with its documented code,
 * a message naming the culprit, HTTP 200, `Content-Type: application/json` exactly, and a
 * RequestId — through the front door, with hand-built requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueTemporaryCredentials } from '../src/iam/temporary-credentials.ts';
import { getRootUser } from '../src/store/repos/users.ts';
import { send, tc3Request, v1Params, v1Request, type Creds, type Reply, type Target } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let target: Target;
let demo: Creds;

before(async () => {
  server = await startTestServer();
  target = server.edge.address;
  demo = server.credentials.demo;
});
after(async () => server.stop());

function expectError(reply: Reply, code: string, message?: RegExp) {
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.match(reply.json.Response.RequestId, /^[0-9a-f-]{36}$/);
  assert.equal(reply.json.Response.Error?.Code, code, reply.text);
  if (message) assert.match(reply.json.Response.Error!.Message, message);
  assert.doesNotMatch(reply.text, /\bat .*\.ts:\d+/); // no stack traces
}

describe('protocol', () => {
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    it(`${method} is UnsupportedProtocol`, async () => {
      expectError(await send(target, { method, headers: { 'Content-Type': 'application/json' }, body: '{}' }), 'UnsupportedProtocol', new RegExp(method));
    });
  }

  it('multipart/form-data is refused with a clear error', async () => {
    const reply = await send(target, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x--' });
    expectError(reply, 'UnsupportedProtocol', /multipart\/form-data/);
  });

  it('an unknown POST content type is UnsupportedProtocol naming it', async () => {
    expectError(await send(target, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<a/>' }), 'UnsupportedProtocol', /text\/xml/);
  });

  it('JSON without a TC3 Authorization header is AuthFailure.InvalidAuthorization', async () => {
    expectError(await send(target, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }), 'AuthFailure.InvalidAuthorization');
  });

  it('a GET over 32 KB is refused', async () => {
    const reply = await tc3Request(target, demo, { action: 'DescribeZones', method: 'GET', params: { Pad: 'x'.repeat(33 * 1024) } });
    expectError(reply, 'InvalidParameter', /32768/);
  });

  it('a v1 POST over 1 MB is refused', async () => {
    const reply = await v1Request(target, demo, { action: 'DescribeZones', params: { Pad: 'x'.repeat(1024 * 1024 + 10) } });
    expectError(reply, 'InvalidParameter', /1048576/);
  });

  it('a TC3 POST over 10 MB is refused; one under it is read', async () => {
    const big = JSON.stringify({ Pad: 'x'.repeat(10 * 1024 * 1024) });
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', body: big }), 'InvalidParameter', /10485760/);
    const fine = JSON.stringify({ Pad: 'x'.repeat(2 * 1024 * 1024) });
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', body: fine }), 'UnknownParameter', /Pad/);
  });

  it('headers beyond the server limit still get a JSON envelope', async () => {
    const reply = await send(target, { method: 'GET', headers: { 'X-Big': 'y'.repeat(70 * 1024) } });
    expectError(reply, 'InvalidParameter');
  });

  it('malformed JSON is InvalidParameter', async () => {
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', body: '{"Limit": ' }), 'InvalidParameter', /JSON/);
  });

  it('a JSON body that is not an object is InvalidParameter', async () => {
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', body: '[1,2]' }), 'InvalidParameter', /JSON object/);
  });

  it('echoes X-TC-TraceId and sends X-TC-RequestId', async () => {
    const reply = await tc3Request(target, demo, { action: 'DescribeZones', extraHeaders: { 'X-TC-TraceId': 'trace-123' } });
    assert.equal(reply.headers['x-tc-traceid'], 'trace-123');
    assert.equal(reply.headers['x-tc-requestid'], reply.json.Response.RequestId);
  });
});

describe('authentication', () => {
  it('an unknown SecretId is AuthFailure.SecretIdNotFound', async () => {
    expectError(await tc3Request(target, { ...demo, SecretId: 'AKIDdoesNotExist00000000000000000000' }, { action: 'DescribeZones' }), 'AuthFailure.SecretIdNotFound', /AKIDdoesNotExist/);
  });

  it('a malformed SecretId is AuthFailure.InvalidSecretId', async () => {
    expectError(await v1Request(target, { ...demo, SecretId: 'not-a-key' }, { action: 'DescribeZones' }), 'AuthFailure.InvalidSecretId');
  });

  it('a malformed Authorization header is AuthFailure.InvalidAuthorization', async () => {
    const reply = await send(target, {
      method: 'POST', body: '{}',
      headers: { 'Content-Type': 'application/json', Authorization: 'TC3-HMAC-SHA256 Credential=x', 'X-TC-Action': 'DescribeZones', 'X-TC-Version': '2018-08-13', 'X-TC-Timestamp': String(Math.floor(Date.now() / 1000)) },
    });
    expectError(reply, 'AuthFailure.InvalidAuthorization');
  });

  for (const offset of [-301, 301]) {
    it(`a timestamp ${offset} s off is AuthFailure.SignatureExpire (TC3 and v1)`, async () => {
      const timestamp = Math.floor(Date.now() / 1000) + offset;
      expectError(await tc3Request(target, demo, { action: 'DescribeZones', timestamp }), 'AuthFailure.SignatureExpire');
      expectError(await v1Request(target, demo, { action: 'DescribeZones', timestamp }), 'AuthFailure.SignatureExpire');
    });
  }

  it('timestamps within 300 s either way are accepted', async () => {
    for (const offset of [-290, 290]) {
      const reply = await tc3Request(target, demo, { action: 'DescribeZones', timestamp: Math.floor(Date.now() / 1000) + offset });
      assert.equal(reply.json.Response.Error, undefined, reply.text);
    }
  });

  it('a credential scope date that is not the timestamp\'s UTC date fails', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const reply = await tc3Request(target, demo, { action: 'DescribeZones', timestamp: ts, extraHeaders: { 'X-TC-Timestamp': String(ts) } });
    assert.equal(reply.json.Response.Error, undefined);
    const good = await tc3Request(target, demo, { action: 'DescribeZones' });
    assert.equal(good.json.Response.Error, undefined);
  });

  it('a TC3 request signed for host with or without the port verifies; a different host does not', async () => {
    const withPort = await tc3Request(target, demo, { action: 'DescribeZones', extraHeaders: {} });
    assert.equal(withPort.json.Response.Error, undefined);
    const wrongHost = await tc3Request(target, demo, { action: 'DescribeZones', extraHeaders: { Host: 'elsewhere.example:1' } });
    expectError(wrongHost, 'AuthFailure.SignatureFailure');
  });

  it('the scope service may be any string the SDK derived from its endpoint', async () => {
    for (const service of ['bms', '127', 'localhost:8080']) {
      const reply = await tc3Request(target, demo, { action: 'DescribeZones', service });
      assert.equal(reply.json.Response.Error, undefined, `${service}: ${reply.text}`);
    }
  });

  it('a repeated mutating request gets the first answer without running again; a repeated read-only request runs again', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const mutate = { action: 'CreateDisasterRecoverGroup', params: { Name: 'g', Type: 'RACK' }, timestamp };
    const first = await tc3Request(target, demo, mutate);
    assert.equal(first.json.Response.Error, undefined, first.text);
    const again = await tc3Request(target, demo, mutate);
    assert.equal(again.json.Response.Error, undefined, again.text);
    assert.equal(again.json.Response.GroupId, first.json.Response.GroupId, 'the first answer: no second group');
    const read = { action: 'DescribeZones', timestamp };
    assert.equal((await tc3Request(target, demo, read)).json.Response.Error, undefined);
    assert.equal((await tc3Request(target, demo, read)).json.Response.Error, undefined);
  });

  it('a repeated Nonce alone is not refused (v1)', async () => {
    const a = await v1Request(target, demo, { action: 'CreateHeartbeat', params: { Name: 'a' }, nonce: 7 });
    const b = await v1Request(target, demo, { action: 'CreateHeartbeat', params: { Name: 'b' }, nonce: 7 });
    assert.equal(a.json.Response.Error, undefined, a.text);
    assert.equal(b.json.Response.Error, undefined, b.text);
  });

  it('Nonce=0 and a 19-digit Nonce are accepted (v1)', async () => {
    for (const nonce of ['0', '8034929845312346789']) {
      assert.equal((await v1Request(target, demo, { action: 'DescribeZones', nonce, method: 'GET' })).json.Response.Error, undefined);
    }
  });

  describe('temporary credentials', () => {
    let temp: { secretId: string; secretKey: string; token: string };
    before(async () => {
      const root = await getRootUser(server.store.db, server.credentials.demo.accountUin);
      temp = await issueTemporaryCredentials(server.store.db, server.box, root!.id, Date.now(), 600);
    });
    const creds = () => ({ SecretId: temp.secretId, SecretKey: temp.secretKey });

    it('work with their token (TC3 header and v1 parameter)', async () => {
      assert.equal((await tc3Request(target, creds(), { action: 'DescribeZones', token: temp.token })).json.Response.Error, undefined);
      assert.equal((await v1Request(target, creds(), { action: 'DescribeZones', token: temp.token })).json.Response.Error, undefined);
    });

    it('without the token, or with a wrong one, are AuthFailure.TokenFailure', async () => {
      expectError(await tc3Request(target, creds(), { action: 'DescribeZones' }), 'AuthFailure.TokenFailure');
      expectError(await tc3Request(target, creds(), { action: 'DescribeZones', token: 'wrong' }), 'AuthFailure.TokenFailure');
      expectError(await v1Request(target, creds(), { action: 'DescribeZones', token: 'wrong' }), 'AuthFailure.TokenFailure');
    });

    it('expired, are AuthFailure.TokenFailure', async () => {
      const root = await getRootUser(server.store.db, server.credentials.demo.accountUin);
      const old = await issueTemporaryCredentials(server.store.db, server.box, root!.id, Date.now() - 120_000, 60);
      const reply = await tc3Request(target, { SecretId: old.secretId, SecretKey: old.secretKey }, { action: 'DescribeZones', token: old.token });
      expectError(reply, 'AuthFailure.TokenFailure', /expired/);
    });
  });
});

describe('routing', () => {
  it('an unknown version is NoSuchVersion', async () => {
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', version: '2099-01-01' }), 'NoSuchVersion', /2099-01-01/);
  });

  it('an unknown region is UnsupportedRegion', async () => {
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', region: 'mars-1' }), 'UnsupportedRegion', /mars-1/);
  });

  it('a missing region is MissingParameter, except for DescribeRegions', async () => {
    expectError(await tc3Request(target, demo, { action: 'DescribeZones', region: '' }), 'MissingParameter', /X-TC-Region/);
    const regions = await tc3Request(target, demo, { action: 'DescribeRegions', region: '' });
    assert.equal(regions.json.Response.TotalCount, 1);
    assert.deepEqual(regions.json.Response.RegionSet, [{ Region: 'ap-guangzhou', RegionName: 'South China (Guangzhou)', RegionState: 'AVAILABLE' }]);
  });

  it('an action name that is an object property is still InvalidAction', async () => {
    expectError(await tc3Request(target, demo, { action: 'constructor' }), 'InvalidAction');
    expectError(await tc3Request(target, demo, { action: '__proto__' }), 'InvalidAction');
  });

  it('a missing X-TC-Action is MissingParameter', async () => {
    const reply = await send(target, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', Authorization: 'TC3-HMAC-SHA256 x' } });
    expectError(reply, 'MissingParameter', /X-TC-Action/);
  });
});

describe('parameters', () => {
  const call = (action: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST') =>
    tc3Request(target, demo, { action, params, method });

  it('a missing required parameter is MissingParameter naming it (nested too)', async () => {
    expectError(await call('CreateDisasterRecoverGroup', { Name: 'x' }), 'MissingParameter', /\bType\b/);
    expectError(await call('RunInstances', { Placement: {}, FlavorId: 'f', OperatingSystemType: 'Linux', OperatingSystem: 'x', VirtualPrivateCloud: { VpcId: 'v', SubnetId: 's' }, LoginSettings: { Password: 'Passw0rd!' }, RaidType: 'RAID0' }), 'MissingParameter', /Placement\.Zone/);
  });

  it('an unknown parameter is UnknownParameter with its path', async () => {
    expectError(await call('DescribeInstances', { Bogus: 1 }), 'UnknownParameter', /\bBogus\b/);
    expectError(await call('DescribeInstances', { Filters: [{ Name: 'zone', Values: ['z'], Extra: 1 }] }), 'UnknownParameter', /Filters\.0\.Extra/);
  });

  it('a wrong type is InvalidParameter; flattened strings are converted', async () => {
    expectError(await call('DescribeInstances', { Limit: 'ten' }), 'InvalidParameter', /\bLimit\b/);
    expectError(await call('DescribeInstances', { Limit: 'ten' }, 'GET'), 'InvalidParameter', /\bLimit\b/);
    expectError(await call('DescribeInstances', { Limit: '10' }), 'InvalidParameter', /\bLimit\b/); // JSON must be typed
    const converted = await call('DescribeInstances', { Limit: 10 }, 'GET'); // GET "10" → 10
    assert.equal(converted.json.Response.Error, undefined, converted.text);
    expectError(await call('DescribeInstances', { InstanceIds: 'bms-1' }), 'InvalidParameter', /InstanceIds/);
    expectError(await call('TerminateInstances', { InstanceIds: ['bms-1'], DryRun: 'yes' }, 'GET'), 'InvalidParameter', /DryRun/);
  });

  it('a value out of range is InvalidParameterValue with its path', async () => {
    expectError(await call('DescribeInstances', { Limit: 101 }), 'InvalidParameterValue', /\bLimit\b/);
    expectError(await call('DescribeInstances', { InstanceIds: Array.from({ length: 101 }, (_, i) => `bms-${i}`) }), 'InvalidParameterValue', /InstanceIds/);
    expectError(await call('CreateDisasterRecoverGroup', { Name: 'x'.repeat(61), Type: 'RACK' }), 'InvalidParameterValue', /\bName\b/);
    expectError(await call('CreateDisasterRecoverGroup', { Name: 'x', Type: 'ROW' }), 'InvalidParameterValue', /RACK_SAME_SW/);
    expectError(await call('DescribeInstances', { Filters: [{ Name: 'zone', Values: ['a'] }, { Name: 'colour', Values: ['red'] }] }), 'InvalidParameterValue', /Filters\.1\.Name/);
    expectError(await call('DescribeInstances', { Filters: [{ Name: 'zone', Values: ['1', '2', '3', '4', '5', '6'] }] }, 'GET'), 'InvalidParameterValue', /Filters\.0\.Values/);
  });

  it('v1 parameters are validated the same way', async () => {
    const reply = await v1Request(target, demo, { action: 'DescribeInstances', params: { Filters: [{ Name: 'zone', Values: ['1', '2', '3', '4', '5', '6'] }] } });
    expectError(reply, 'InvalidParameterValue', /Filters\.0\.Values/);
  });

  it('v1 InstanceIds.10 sorts before InstanceIds.2 and still verifies', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `bms-${i}`);
    const reply = await v1Request(target, demo, { action: 'DescribeInstances', params: { InstanceIds: ids }, method: 'GET' });
    assert.equal(reply.json.Response.Error, undefined, reply.text);
    assert.equal(reply.json.Response.TotalCount, 0);
  });

  it('a v1 signature over form values with &, =, + and Chinese verifies', async () => {
    const pairs = v1Params(target, demo, { action: 'CreateHeartbeat', params: { Name: '中文 名称 a+b=c&d/e~*\'()!' } });
    const body = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const reply = await send(target, { method: 'POST', headers: { Host: `${target.host}:${target.port}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(reply.json.Response.Error, undefined, reply.text);
    assert.match(String(reply.json.Response.HeartbeatId), /^HA-/);
  });

  it('messages are Chinese with X-TC-Language: zh-CN', async () => {
    const reply = await tc3Request(target, demo, { action: 'DescribeInstances', params: { Bogus: 1 }, language: 'zh-CN' });
    expectError(reply, 'UnknownParameter', /未知参数 Bogus/);
  });
});

describe('rate limits', () => {
  it('the 11th CreateDisasterRecoverGroup in one second is RequestLimitExceeded (limit 10/s)', async () => {
    // Align to the start of a second so the burst stays in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      tc3Request(target, demo, { action: 'CreateDisasterRecoverGroup', params: { Name: `g${i}`, Type: 'RACK' } })));
    const codes = replies.map((r) => r.json.Response.Error?.Code);
    assert.equal(codes.filter((c) => c === 'RequestLimitExceeded').length, 2, codes.join(','));
    const limited = replies.find((r) => r.json.Response.Error?.Code === 'RequestLimitExceeded')!;
    assert.match(limited.json.Response.Error!.Message, /CreateDisasterRecoverGroup.*10/);
  });
});

describe('access log', () => {
  it('has one structured line per request with RequestId, account, action, code and latency, and no secret', async () => {
    const reply = await tc3Request(target, demo, { action: 'DescribeZones' });
    const line = server.logLines.find((l) => l.requestId === reply.json.Response.RequestId);
    assert.ok(line, 'no access log line for the request');
    assert.equal(line.account, server.credentials.demo.accountUin);
    assert.equal(line.action, 'DescribeZones');
    assert.equal(line.code, 'Success');
    assert.equal(typeof line.latencyMs, 'number');
    const all = JSON.stringify(server.logLines);
    assert.ok(!all.includes(demo.SecretKey), 'a SecretKey reached the log');
    assert.ok(!all.includes(server.credentials.operator.SecretKey), 'a SecretKey reached the log');
  });
});
