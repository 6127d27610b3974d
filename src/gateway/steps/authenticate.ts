/**
 * Step: who is calling, proven by the signature.
 *
 * The order mirrors Tencent's: a malformed Authorization, then the timestamp window (±300 s),
 * then the SecretId (format, existence), then the signature over every host variant an SDK may
 * have signed, then the temporary-credential token. Each failure has its own AuthFailure code,
 * and none of them reveals more than the caller already sent.
 */
import {
  invalidAuthorization,
  invalidParameter,
  invalidSecretId,
  secretIdNotFound,
  signatureExpire,
  signatureFailure,
  tokenFailure,
} from '../../shared/errors.ts';
import type { GatewayDeps, ResolvedCredential } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';
import {
  cachedSigningKey, constantTimeEqual, hostVariants, parseTc3Authorization, payloadSha256, tc3CanonicalRequest, tc3Signature,
  tc3StringToSign, utcDate, type Tc3Authorization,
} from '../signing/tc3.ts';
import { authenticateSession } from './authenticate-session.ts';
import { v1Algorithm, v1Signature, v1SortedQuery } from '../signing/v1.ts';

export const TIMESTAMP_WINDOW_SECONDS = 300;
const SECRET_ID = /^AKID[0-9A-Za-z]{8,64}$/;

/** What was signed, and how to check it once the SecretKey is known. */
type Claim =
  | { kind: 'tc3'; secretId: string; auth: Tc3Authorization }
  | { kind: 'v1'; secretId: string; pairs: Array<[string, string]>; signature: string };

export function authenticate(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (ex.protocol === 'session') return authenticateSession(ex, deps); // the console: a cookie instead of a signature
  const claim = ex.protocol === 'tc3' ? claimTc3(ex, deps) : claimV1(ex, deps);
  if (!SECRET_ID.test(claim.secretId)) throw invalidSecretId(claim.secretId.slice(0, 80));
  const credential = deps.credentials.resolve(claim.secretId);
  if (!(credential instanceof Promise)) return admit(ex, deps, claim, credential); // cached: stay synchronous
  return credential.then((resolved) => admit(ex, deps, claim, resolved));
}

function claimTc3(ex: Exchange, deps: GatewayDeps): Claim {
  const auth = parseTc3Authorization(header(ex, 'authorization') ?? '');
  if (typeof auth === 'string') throw invalidAuthorization(auth);
  const ts = checkTimestamp(ex.common!.timestamp, 'X-TC-Timestamp', deps.clock());
  if (auth.date !== utcDate(ts)) {
    throw signatureFailure(`the credential scope date ${auth.date} is not the UTC date of X-TC-Timestamp (${utcDate(ts)})`,
      `凭证范围中的日期 ${auth.date} 与 X-TC-Timestamp 的 UTC 日期 ${utcDate(ts)} 不一致`);
  }
  ex.scopeService = auth.service;
  ex.signedHeaders = auth.signedHeaders;
  ex.signature = `tc3:${auth.signature}`;
  return { kind: 'tc3', secretId: auth.secretId, auth };
}

function claimV1(ex: Exchange, deps: GatewayDeps): Claim {
  const common = ex.common!;
  checkTimestamp(common.timestamp, 'Timestamp', deps.clock());
  const pairs = common.v1Pairs!;
  const secretId = common.secretId ?? '';
  const signature = common.signature ?? '';
  if (!secretId) throw invalidAuthorization('the SecretId parameter is required (or sign with TC3-HMAC-SHA256)');
  if (!signature) throw invalidAuthorization('the Signature parameter is required');
  ex.signature = `v1:${signature}`;
  return { kind: 'v1', secretId, pairs, signature };
}

function admit(ex: Exchange, deps: GatewayDeps, claim: Claim, credential: ResolvedCredential | undefined): void {
  if (!credential) throw secretIdNotFound(claim.secretId);
  const valid = claim.kind === 'tc3'
    ? verifyTc3(ex, claim.auth, credential.secretKey)
    : verifyV1(ex, claim.pairs, claim.signature, credential.secretKey);
  if (!valid) {
    throw signatureFailure('the signature does not match; check the SecretKey and the signing steps',
      '签名不匹配，请检查 SecretKey 与签名步骤');
  }
  checkToken(credential, ex.common!.token, deps.clock());
  ex.principal = credential.principal;
}

function checkTimestamp(raw: string, name: string, nowMs: number): number {
  if (!/^\d{1,12}$/.test(raw)) throw invalidParameter(name, 'a Unix timestamp in seconds', '以秒为单位的 Unix 时间戳');
  const ts = Number(raw);
  if (Math.abs(nowMs / 1000 - ts) > TIMESTAMP_WINDOW_SECONDS) throw signatureExpire(raw, Math.floor(nowMs / 1000));
  return ts;
}

function verifyTc3(ex: Exchange, auth: Tc3Authorization, secretKey: string): boolean {
  const headers: Record<string, string | undefined> = {};
  for (const name of auth.signedHeaders) headers[name] = header(ex, name);
  const unsignedPayload = header(ex, 'x-tc-content-sha256') === 'UNSIGNED-PAYLOAD';
  const payloadHash = payloadSha256(ex.request.body, unsignedPayload); // once, whatever the variant
  if (tryTc3(ex, auth, secretKey, headers, payloadHash)) return true;
  // Tencent's signing guide lower-cases the values of the signed headers (`x-tc-action:describeinstances`);
  // the SDKs send content-type and host in lower case already. Accept a value signed either way.
  const lowered: Record<string, string | undefined> = {};
  let differs = false;
  for (const [name, value] of Object.entries(headers)) {
    lowered[name] = value?.toLowerCase();
    differs ||= lowered[name] !== value;
  }
  return differs && tryTc3(ex, auth, secretKey, lowered, payloadHash);
}

function tryTc3(ex: Exchange, auth: Tc3Authorization, secretKey: string, headers: Record<string, string | undefined>, payloadHash: string): boolean {
  const key = cachedSigningKey(auth.secretId, secretKey, auth.date, auth.service);
  for (const host of hostVariants(header(ex, 'host') ?? '')) {
    const canonical = tc3CanonicalRequest({
      method: ex.request.method, rawQuery: ex.request.rawQuery, headers, signedHeaders: auth.signedHeaders, host,
      body: ex.request.body, payloadHash,
    });
    const expected = tc3Signature(key, tc3StringToSign(ex.common!.timestamp, auth.date, auth.service, canonical));
    if (constantTimeEqual(expected, auth.signature)) return true;
  }
  return false;
}

function verifyV1(ex: Exchange, pairs: Array<[string, string]>, signature: string, secretKey: string): boolean {
  const algorithm = v1Algorithm(pairs.find(([k]) => k === 'SignatureMethod')?.[1]);
  const hostHeader = header(ex, 'host') ?? '';
  const query = v1SortedQuery(pairs);
  for (const host of [...hostVariants(hostHeader)].reverse()) {
    const expected = v1Signature(secretKey, algorithm, `${ex.request.method}${host}/?${query}`);
    if (constantTimeEqual(expected, signature)) return true;
  }
  return false;
}

function checkToken(credential: ResolvedCredential, token: string | undefined, nowMs: number): void {
  if (!credential.token) {
    if (token) throw tokenFailure('a token was sent with a permanent key; send a token only with temporary credentials', '长期密钥不需要 Token，请仅在使用临时密钥时传入 Token');
    return;
  }
  if (!token) throw tokenFailure('temporary credentials require the token (X-TC-Token or Token)', '临时密钥需要同时传入 Token（X-TC-Token 或 Token）');
  if (!credential.token.matches(token)) throw tokenFailure('the token does not belong to this SecretId', 'Token 与该 SecretId 不匹配');
  if (credential.token.expiresAt <= nowMs) throw tokenFailure('the temporary credentials have expired', '临时密钥已过期');
}
