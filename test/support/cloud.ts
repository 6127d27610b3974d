/**
 * Test support: the official SDK pointed at a test server, per service, plus polling.
 */
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { BootstrapCredential } from '../../src/iam/bootstrap.ts';
import { tc3Request } from './raw-client.ts';

delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

export const VERSIONS = { bms: '2018-08-13', vpc: '2017-03-12', bmsops: '2026-01-01', cam: '2019-01-16', sts: '2018-08-13', tag: '2018-08-13', monitor: '2018-07-24', bill: '2018-10-25' } as const;

export type Call = <T = Record<string, unknown>>(action: string, params?: Record<string, unknown>) => Promise<T>;

export function sdk(creds: BootstrapCredential, service: keyof typeof VERSIONS = 'bms', signMethod: 'TC3-HMAC-SHA256' | 'HmacSHA256' = 'TC3-HMAC-SHA256'): Call {
  const client = new CommonClient(creds.Endpoint, VERSIONS[service], {
    credential: { secretId: creds.SecretId, secretKey: creds.SecretKey },
    region: creds.Region,
    profile: { signMethod, httpProfile: { protocol: 'http://', endpoint: creds.Endpoint } },
  });
  // The same mutating call signed twice within one second is one request repeated: it gets the
  // first answer (README, "Repeats, signature binding and hostile input"), which is what a retrying client wants.
  // The same body signed in the same second for *another* action is refused by design (the
  // official SDK leaves X-TC-Action unsigned): a test that means it — Stop then Start of one
  // instance within a second — is re-sent signed with X-TC-Action, as our own clients sign.
  return async (action, params = {}) => {
    try {
      return await client.request(action, params) as never;
    } catch (e) {
      if (signMethod !== 'TC3-HMAC-SHA256' || !isSignAgain(e)) throw e;
      return await signingTheAction(creds, service, action, params) as never;
    }
  };
}

function isSignAgain(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  return code === 'AuthFailure.SignatureFailure' && /first used for/.test(message ?? '');
}

async function signingTheAction(creds: BootstrapCredential, service: keyof typeof VERSIONS, action: string, params: Record<string, unknown>): Promise<unknown> {
  const [host, port] = creds.Endpoint.split(':') as [string, string];
  const reply = await tc3Request({ host, port: Number(port) }, creds, {
    action, params, service, version: VERSIONS[service], region: creds.Region, signAction: true,
  });
  const { Error: error, ...response } = reply.json.Response;
  if (error) throw Object.assign(new Error(error.Message), { code: error.Code, requestId: reply.json.Response.RequestId });
  return response;
}

/** The SDK exception of a call that must fail. */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; requestId: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; requestId: string };
  }
  throw new Error('the call was expected to fail');
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await probe();
  }
  return last;
}
