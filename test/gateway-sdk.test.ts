/**
 * The official Tencent Cloud Node SDK (CommonClient) against a running BMS, for each signature
 * method (TC3-HMAC-SHA256, HmacSHA256, HmacSHA1) and each HTTP method (POST, GET).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { startTestServer, type TestServer } from './support/server.ts';

delete process.env.http_proxy; // the SDK routes everything through it, loopback included
delete process.env.HTTP_PROXY;

type SignMethod = 'TC3-HMAC-SHA256' | 'HmacSHA256' | 'HmacSHA1';
const SIGN_METHODS: SignMethod[] = ['TC3-HMAC-SHA256', 'HmacSHA256', 'HmacSHA1'];
const HTTP_METHODS = ['POST', 'GET'] as const;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server.stop());

function client(signMethod: SignMethod, reqMethod: 'POST' | 'GET', secretKey?: string, language?: 'zh-CN' | 'en-US') {
  const { demo } = server.credentials;
  return new CommonClient(demo.Endpoint, '2018-08-13', {
    credential: { secretId: demo.SecretId, secretKey: secretKey ?? demo.SecretKey },
    region: demo.Region,
    profile: { signMethod, language, httpProfile: { protocol: 'http://', reqMethod, endpoint: demo.Endpoint } },
  });
}

async function sdkError(p: Promise<unknown>): Promise<{ code: string; requestId: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; requestId: string; message: string };
  }
  assert.fail('the call was expected to fail');
}

for (const signMethod of SIGN_METHODS) {
  for (const reqMethod of HTTP_METHODS) {
    describe(`official SDK, ${signMethod} over ${reqMethod}`, () => {
      it('DescribeZones lists the zones of the region', async () => {
        const res = (await client(signMethod, reqMethod).request('DescribeZones', {})) as {
          TotalCount: number; ZoneSet: Array<{ Zone: string; ZoneState: string }>; RequestId: string;
        };
        assert.equal(res.TotalCount, 2);
        assert.deepEqual(res.ZoneSet.map((z) => z.Zone), ['ap-guangzhou-1', 'ap-guangzhou-2']);
        assert.ok(res.ZoneSet.every((z) => z.ZoneState === 'AVAILABLE'));
        assert.match(res.RequestId, /^[0-9a-f-]{36}$/);
      });

      it('an unknown action is InvalidAction, with code and RequestId on the exception', async () => {
        const e = await sdkError(client(signMethod, reqMethod).request('DescribeUnicorns', {}));
        assert.equal(e.code, 'InvalidAction');
        assert.match(e.requestId, /^[0-9a-f-]{36}$/);
        assert.match(e.message, /DescribeUnicorns/);
      });

      it('a wrong SecretKey is AuthFailure.SignatureFailure', async () => {
        const e = await sdkError(client(signMethod, reqMethod, 'WrongSecretKey0000000000000000000').request('DescribeZones', {}));
        assert.equal(e.code, 'AuthFailure.SignatureFailure');
        assert.match(e.requestId, /^[0-9a-f-]{36}$/);
      });

      it('a clock an hour off is AuthFailure.SignatureExpire', async () => {
        server.skew.ms = 3600_000;
        try {
          const e = await sdkError(client(signMethod, reqMethod).request('DescribeZones', {}));
          assert.equal(e.code, 'AuthFailure.SignatureExpire');
          assert.match(e.requestId, /^[0-9a-f-]{36}$/);
        } finally {
          server.skew.ms = 0;
        }
      });

      it('answers in Chinese when the SDK asks for zh-CN', async () => {
        const e = await sdkError(client(signMethod, reqMethod, undefined, 'zh-CN').request('DescribeUnicorns', {}));
        assert.equal(e.code, 'InvalidAction');
        assert.match(e.message, /接口/);
      });

      it('validates parameters the SDK flattened or sent as JSON, naming the exact path', async () => {
        const filters = [
          { Name: 'zone', Values: ['ap-guangzhou-1'] },
          { Name: 'instance-name', Values: ['a', 'b', 'c', 'd', 'e', 'f'] },
        ];
        const e = await sdkError(client(signMethod, reqMethod).request('DescribeInstances', { Filters: filters }));
        assert.equal(e.code, 'InvalidParameterValue');
        assert.match(e.message, /Filters\.1\.Values/);
      });

      it('a call with flattened or typed parameters reaches its handler', async () => {
        const res = (await client(signMethod, reqMethod).request('DescribeInstances', {
          Filters: [{ Name: 'instance-state', Values: ['RUNNING', 'STOPPED'] }], Limit: 20, Offset: 0,
        })) as { TotalCount: number; InstanceSet: unknown[] };
        assert.equal(typeof res.TotalCount, 'number');
        assert.ok(Array.isArray(res.InstanceSet));
      });
    });
  }
}
