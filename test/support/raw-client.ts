/**
 * Test support: hand-built API requests over node:http, signed with our own signing functions,
 * so tests can vary every byte (method, headers, host, body, timestamps) the SDKs would not.
 */
import http from 'node:http';
import { flatten } from '../../src/gateway/protocol/flatten.ts';
import { signTc3 } from '../../src/gateway/signing/tc3.ts';
import { v1Signature, v1StringToSign, type V1Method } from '../../src/gateway/signing/v1.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { Response: Record<string, unknown> & { RequestId: string; Error?: { Code: string; Message: string } } };
}

export interface Target {
  host: string;
  port: number;
}

export function send(target: Target, opts: { method: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers };
    if (opts.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    const req = http.request(
      { host: target.host, port: target.port, method: opts.method, path: opts.path ?? '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Reply['json'];
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined as never;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface Creds {
  SecretId: string;
  SecretKey: string;
}

export interface Tc3Options {
  action: string;
  params?: Record<string, unknown>;
  method?: 'GET' | 'POST';
  version?: string;
  region?: string;
  timestamp?: number;
  token?: string;
  language?: string;
  service?: string;
  extraHeaders?: Record<string, string>;
  body?: string;
  /** Sign X-TC-Action too (SignedHeaders=content-type;host;x-tc-action), as our own clients do. */
  signAction?: boolean;
}

export function tc3Request(target: Target, creds: Creds, o: Tc3Options) {
  const method = o.method ?? 'POST';
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const host = `${target.host}:${target.port}`;
  const rawQuery = method === 'GET' ? flatten(o.params ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '';
  const body = method === 'POST' ? (o.body ?? JSON.stringify(o.params ?? {})) : '';
  const contentType = method === 'POST' ? 'application/json' : 'application/x-www-form-urlencoded';
  const authorization = signTc3({
    secretId: creds.SecretId, secretKey: creds.SecretKey, service: o.service ?? 'bms', timestamp, method, rawQuery,
    contentType, host: target.host, body, ...(o.signAction ? { action: o.action } : {}),
  });
  const headers: Record<string, string> = {
    Host: host, 'Content-Type': contentType, Authorization: authorization, 'X-TC-Action': o.action,
    'X-TC-Version': o.version ?? '2018-08-13', 'X-TC-Timestamp': String(timestamp),
    ...(o.region !== '' ? { 'X-TC-Region': o.region ?? 'ap-guangzhou' } : {}),
    ...(o.token ? { 'X-TC-Token': o.token } : {}),
    ...(o.language ? { 'X-TC-Language': o.language } : {}),
    ...o.extraHeaders,
  };
  return send(target, { method, path: rawQuery ? `/?${rawQuery}` : '/', headers, ...(method === 'POST' ? { body } : {}) });
}

export interface V1Options {
  action: string;
  params?: Record<string, unknown>;
  method?: 'GET' | 'POST';
  signatureMethod?: V1Method;
  timestamp?: number;
  nonce?: number | string;
  region?: string;
  token?: string;
  version?: string;
  language?: string;
}

export function v1Params(target: Target, creds: Creds, o: V1Options): Array<[string, string]> {
  const method = o.method ?? 'POST';
  const pairs: Array<[string, string]> = [
    ...flatten(o.params ?? {}),
    ['Action', o.action],
    ['Nonce', String(o.nonce ?? Math.floor(Math.random() * 65536))],
    ['Timestamp', String(o.timestamp ?? Math.floor(Date.now() / 1000))],
    ['Version', o.version ?? '2018-08-13'],
    ['SecretId', creds.SecretId],
    ['Region', o.region ?? 'ap-guangzhou'],
    ['SignatureMethod', o.signatureMethod ?? 'HmacSHA256'],
  ];
  if (o.token) pairs.push(['Token', o.token]);
  if (o.language) pairs.push(['Language', o.language]);
  const algorithm = o.signatureMethod ?? 'HmacSHA256';
  pairs.push(['Signature', v1Signature(creds.SecretKey, algorithm, v1StringToSign(method, `${target.host}:${target.port}`, pairs))]);
  return pairs;
}

export function v1Request(target: Target, creds: Creds, o: V1Options) {
  const method = o.method ?? 'POST';
  const encoded = v1Params(target, creds, o).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return method === 'GET'
    ? send(target, { method, path: `/?${encoded}`, headers: { Host: `${target.host}:${target.port}` } })
    : send(target, { method, headers: { Host: `${target.host}:${target.port}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: encoded });
}
