/**
 * Every captured request in ../shared/reference/sdk-fixtures verifies through the gateway's own
 * steps (protocol detection, common parameters, authentication), and its parameters decode to
 * what the client meant; the documentation's v1 and TC3 vectors (SPEC §2, official-sdk-wire §6)
 * reproduce with our signing functions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { GatewayDeps } from '../src/gateway/deps.ts';
import type { Exchange } from '../src/gateway/exchange.ts';
import { flatten, unflatten } from '../src/gateway/protocol/flatten.ts';
import { parseForm } from '../src/gateway/protocol/form.ts';
import { authenticate } from '../src/gateway/steps/authenticate.ts';
import { readCommonParams, V1_COMMON } from '../src/gateway/steps/common-params.ts';
import { detectProtocol } from '../src/gateway/steps/detect-protocol.ts';
import {
  sha256Hex, tc3CanonicalRequest, tc3Signature, tc3SigningKey, tc3StringToSign,
} from '../src/gateway/signing/tc3.ts';
import { v1Signature, v1StringToSign } from '../src/gateway/signing/v1.ts';
import { tokenMatcher, hashToken } from '../src/iam/temporary-credentials.ts';

const DIR = new URL('../../shared/reference/sdk-fixtures/', import.meta.url);

interface Fixture {
  name: string;
  credential: { secretId: string; secretKey: string; token: string | null };
  input: Record<string, unknown> | null;
  request: { method: string; url: string; rawQuery: string; rawHeaders: Array<[string, string]>; bodyBase64: string };
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && f !== 'response-behaviour.json')
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')));

function exchangeOf(f: Fixture): Exchange {
  const headers: Record<string, string> = {};
  for (const [k, v] of f.request.rawHeaders) headers[k.toLowerCase()] = v;
  const body = Buffer.from(f.request.bodyBase64, 'base64');
  return {
    requestId: 'test', receivedAt: 0, language: 'en-US',
    request: { method: f.request.method, url: f.request.url, rawQuery: f.request.rawQuery, headers, body, bodySize: body.length, remoteAddress: '127.0.0.1' },
  };
}

function depsFor(f: Fixture, timestamp: number, secretKey = f.credential.secretKey): GatewayDeps {
  return {
    clock: () => timestamp * 1000,
    credentials: {
      resolve: async (secretId) => secretId !== f.credential.secretId ? undefined : {
        secretKey,
        principal: { accountUin: '1', appId: 1, accountKind: 'tenant', userId: 'u', userUin: '1', isRoot: true, secretId },
        ...(f.credential.token ? { token: tokenMatcher(hashToken(f.credential.token), (timestamp + 60) * 1000) } : {}),
      },
    },
  } as GatewayDeps;
}

async function authenticateFixture(f: Fixture, secretKey?: string): Promise<Exchange> {
  const ex = exchangeOf(f);
  detectProtocol(ex);
  readCommonParams(ex);
  await authenticate(ex, depsFor(f, Number(ex.common!.timestamp), secretKey));
  return ex;
}

/** What the client meant, as it travels flattened: nulls and empty containers vanish. */
const asTravelled = (input: Record<string, unknown>) => unflatten(flatten(input));

describe('official SDK fixtures', () => {
  assert.ok(fixtures.length >= 20, `expected the captured fixtures, found ${fixtures.length}`);
  for (const f of fixtures) {
    it(`${f.name}: the signature verifies`, async () => {
      const ex = await authenticateFixture(f);
      assert.equal(ex.principal?.secretId, f.credential.secretId);
    });

    it(`${f.name}: a different SecretKey fails`, async () => {
      await assert.rejects(authenticateFixture(f, 'someOtherSecretKey00000000000000'), { code: 'AuthFailure.SignatureFailure' });
    });

    it(`${f.name}: the parameters decode to what the client sent`, async () => {
      const ex = await authenticateFixture(f);
      if (f.input === null) return; // synthetic fixtures carry no input object; their signature is the point
      if (ex.protocol === 'tc3' && f.request.method === 'POST') {
        const body = JSON.parse(Buffer.from(f.request.bodyBase64, 'base64').toString('utf8'));
        assert.deepEqual(body, JSON.parse(JSON.stringify(f.input, (_k, v) => (v === null ? undefined : v))));
        return;
      }
      const pairs = ex.protocol === 'v1'
        ? (ex.params as Array<[string, string]>)
        : parseForm(ex.request.rawQuery).filter(([k]) => k !== 'Undef' || 'Undef' in f.input!);
      assert.ok(pairs.every(([k]) => !V1_COMMON.has(k)));
      assert.deepEqual(unflatten(pairs), asTravelled(f.input));
    });
  }
});

describe('documentation vectors', () => {
  const v1Params: Array<[string, string]> = [
    ['Action', 'DescribeInstances'], ['InstanceIds.0', 'ins-09dx96dg'], ['Limit', '20'], ['Nonce', '11886'], ['Offset', '0'],
    ['Region', 'ap-guangzhou'], ['SecretId', 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE'], ['Timestamp', '1465185768'],
    ['Version', '2017-03-12'],
  ];
  const v1Key = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';

  it('v1 HmacSHA1, public-cloud host and region', () => {
    const s = v1StringToSign('GET', 'cvm.tencentcloudapi.com', v1Params);
    assert.equal(s, 'GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12');
    assert.equal(v1Signature(v1Key, 'HmacSHA1', s), 'EliP9YW3pW28FpsEdkXt/+WcGeI=');
  });

  it('v1 HmacSHA1, the finance doc host and region', () => {
    const params = v1Params.map(([k, v]) => [k, k === 'Region' ? 'shjr' : v] as [string, string]);
    assert.equal(v1Signature(v1Key, 'HmacSHA1', v1StringToSign('GET', 'cvm.finance.cloud.tencent.com', params)), '8UAj5grJNx3uGNuyi0M6Gd1f5gY=');
  });

  it('v1 sorts keys as strings: InstanceIds.10 before InstanceIds.2', () => {
    const s = v1StringToSign('GET', 'h', [['InstanceIds.2', 'b'], ['InstanceIds.10', 'a']]);
    assert.equal(s, 'GETh/?InstanceIds.10=a&InstanceIds.2=b');
  });

  const tc3Get = (host: string) => tc3CanonicalRequest({
    method: 'GET', rawQuery: 'Limit=10&Offset=0', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    signedHeaders: ['content-type', 'host'], host, body: Buffer.alloc(0),
  });
  const tc3Sign = (canonical: string, ts: string, date: string) =>
    tc3Signature(tc3SigningKey('Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', date, 'cvm'), tc3StringToSign(ts, date, 'cvm', canonical));

  it('TC3 GET, public-cloud host (the doc\'s canonical hash, with the digit it drops restored)', () => {
    const canonical = tc3Get('cvm.tencentcloudapi.com');
    assert.equal(sha256Hex(canonical), '91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7');
    assert.equal(tc3Sign(canonical, '1539084154', '2018-10-09'), '5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474');
  });

  it('TC3 GET, the finance doc host (the doc prints the public-cloud value)', () => {
    const canonical = tc3Get('cvm.finance.cloud.tencent.com');
    assert.equal(tc3Sign(canonical, '1539084154', '2018-10-09'), 'e58ba76f0ad56875e1ef9f67e4930f28ba11e300c6f055aace641b06f433ff1b');
  });

  it('TC3 POST, public CVM doc', () => {
    const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    const canonical = tc3CanonicalRequest({
      method: 'POST', rawQuery: '', headers: { 'content-type': 'application/json; charset=utf-8' },
      signedHeaders: ['content-type', 'host'], host: 'cvm.tencentcloudapi.com', body: Buffer.from(payload),
    });
    assert.ok(sha256Hex(payload).startsWith('35e9c5b0') && sha256Hex(payload).endsWith('f064'));
    assert.ok(sha256Hex(canonical).startsWith('5ffe6a04') && sha256Hex(canonical).endsWith('7031'));
    const date = '2019-02-25';
    const sig = tc3Signature(tc3SigningKey('Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', date, 'cvm'), tc3StringToSign('1551113065', date, 'cvm', canonical));
    assert.equal(sig, '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });
});
