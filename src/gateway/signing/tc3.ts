/**
 * TC3-HMAC-SHA256, the API 3.0 signature.
 *
 * The client hashes a canonical request (method, path, raw query, the headers it names in
 * SignedHeaders, the SHA-256 of the raw body), signs "TC3-HMAC-SHA256\n<ts>\n<scope>\n<hash>"
 * with a key derived from its SecretKey, the scope date and the scope service, and sends the
 * result in `Authorization`. We rebuild the same string from the bytes we received — the raw
 * query exactly as on the request line, the raw body, never a re-serialization — because the
 * official SDKs do not agree on encoding (see official-sdk-wire.md §0).
 */
import crypto, { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Parses `TC3-HMAC-SHA256 Credential=ID/date/service/tc3_request, SignedHeaders=a;b, Signature=hex`.
 * (Runs on every request: a scan with indexOf, no intermediate arrays or maps.)
 */
export function parseTc3Authorization(header: string): Tc3Authorization | string {
  if (!header.startsWith(`${TC3_ALGORITHM} `)) return `it must start with "${TC3_ALGORITHM} "`;
  let credential = '';
  let signedHeaders = '';
  let signature = '';
  for (let at = TC3_ALGORITHM.length + 1; at <= header.length;) {
    const comma = header.indexOf(',', at);
    const end = comma < 0 ? header.length : comma;
    const eq = header.indexOf('=', at);
    if (eq < 0 || eq > end) return `"${header.slice(at, end).trim()}" is not a key=value pair`;
    const key = header.slice(at, eq).trim();
    const value = header.slice(eq + 1, end).trim();
    if (key === 'Credential') credential = value;
    else if (key === 'SignedHeaders') signedHeaders = value;
    else if (key === 'Signature') signature = value;
    at = end + 1;
  }
  if (!credential || !signedHeaders || !signature) return 'Credential, SignedHeaders and Signature are all required';
  const scope = credential.split('/');
  if (scope.length !== 4 || scope[3] !== 'tc3_request') return 'Credential must be SecretId/YYYY-MM-DD/service/tc3_request';
  const [secretId, date, service] = scope as [string, string, string];
  if (!DATE.test(date)) return `the credential date "${date}" is not YYYY-MM-DD`;
  if (!HEX_SIGNATURE.test(signature)) return 'Signature must be 64 lower-case hex digits';
  const names = signedHeaders.split(';').map((h) => h.trim());
  if (!names.includes('content-type') || !names.includes('host')) return 'SignedHeaders must include content-type and host';
  return { secretId, date, service, signedHeaders: names, signature };
}

/** One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object; older releases take the long way. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;
export const sha256Hex = oneShot
  ? (data: string | Uint8Array) => oneShot('sha256', data, 'hex')
  : (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const UNSIGNED_PAYLOAD_SHA256 = sha256Hex('UNSIGNED-PAYLOAD');

/** The payload line of the canonical request: the body's SHA-256, or that of "UNSIGNED-PAYLOAD". */
export function payloadSha256(body: Uint8Array, unsignedPayload = false): string {
  return unsignedPayload ? UNSIGNED_PAYLOAD_SHA256 : sha256Hex(body);
}
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export interface Tc3CanonicalInput {
  method: string;
  rawQuery: string;
  /** Lower-case header name → value as sent; `host` is supplied separately per variant. */
  headers: Record<string, string | undefined>;
  signedHeaders: string[];
  host: string;
  body: Uint8Array;
  unsignedPayload?: boolean;
  /** The payload line, when the caller has it already (see payloadSha256). */
  payloadHash?: string;
}

export function tc3CanonicalRequest(input: Tc3CanonicalInput): string {
  const canonicalHeaders = input.signedHeaders
    .map((name) => `${name}:${(name === 'host' ? input.host : (input.headers[name] ?? '')).trim()}\n`)
    .join('');
  const payloadHash = input.payloadHash ?? payloadSha256(input.body, input.unsignedPayload);
  return `${input.method}\n/\n${input.rawQuery}\n${canonicalHeaders}\n${input.signedHeaders.join(';')}\n${payloadHash}`;
}

export function tc3StringToSign(timestamp: string, date: string, service: string, canonicalRequest: string): string {
  return `${TC3_ALGORITHM}\n${timestamp}\n${date}/${service}/tc3_request\n${sha256Hex(canonicalRequest)}`;
}

export function tc3SigningKey(secretKey: string, date: string, service: string): Buffer {
  return hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
}

/**
 * The derived key depends only on (SecretKey, date, service), so it is kept per SecretId: three
 * HMACs saved on every request after the first of the day. Bounded; a changed SecretKey misses.
 */
const derivedKeys = new Map<string, { secretKey: string; key: Buffer }>();

export function cachedSigningKey(secretId: string, secretKey: string, date: string, service: string): Buffer {
  const id = `${secretId}/${date}/${service}`;
  const hit = derivedKeys.get(id);
  if (hit && hit.secretKey === secretKey) return hit.key;
  const key = tc3SigningKey(secretKey, date, service);
  if (derivedKeys.size >= 10_000) derivedKeys.clear();
  derivedKeys.set(id, { secretKey, key });
  return key;
}

export function tc3Signature(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

let lastDay: { day: number; date: string } = { day: Number.NaN, date: '' };

/** UTC calendar date of a Unix timestamp (seconds), as the credential scope writes it (the day's string is kept). */
export function utcDate(timestampSeconds: number): string {
  const day = Math.floor(timestampSeconds / 86_400);
  if (day !== lastDay.day) lastDay = { day, date: new Date(day * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.date;
}

/** The host strings a client may have signed: the Node SDK strips the port, Python and Go keep it. */
export function hostVariants(hostHeader: string): string[] {
  const withoutPort = hostHeader.replace(/:\d+$/, '');
  return withoutPort === hostHeader ? [hostHeader] : [withoutPort, hostHeader];
}

/** Signs a request the way a client does; used by our SDK, tests and benchmarks. */
export function signTc3(req: {
  secretId: string;
  secretKey: string;
  service: string;
  timestamp: number;
  method: string;
  rawQuery: string;
  contentType: string;
  host: string;
  body: Uint8Array | string;
  /** Also sign X-TC-Action with this value (lower-cased, as Tencent's signing guide does): binds the signature to the action. */
  action?: string;
}): string {
  const date = utcDate(req.timestamp);
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  const signedHeaders = req.action === undefined ? ['content-type', 'host'] : ['content-type', 'host', 'x-tc-action'];
  const canonical = tc3CanonicalRequest({
    method: req.method,
    rawQuery: req.rawQuery,
    headers: { 'content-type': req.contentType, ...(req.action === undefined ? {} : { 'x-tc-action': req.action.toLowerCase() }) },
    signedHeaders,
    host: req.host,
    body,
  });
  const signature = tc3Signature(
    tc3SigningKey(req.secretKey, date, req.service),
    tc3StringToSign(String(req.timestamp), date, req.service, canonical),
  );
  return `${TC3_ALGORITHM} Credential=${req.secretId}/${date}/${req.service}/tc3_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}
