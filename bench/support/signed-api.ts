/**
 * Bench support: signed API 3.0 calls, the way the official Node SDK sends them.
 *
 * `tc3Headers` builds the headers of one TC3-signed POST (the SDK signs the host without the
 * port and sends it with the port). `resignedEverySecond` hands out those headers re-signed
 * whenever the wall-clock second changes: the server verifies every request in full either
 * way, and a load generator that spent a core on HMACs would cap what it measures.
 * `callApi` makes one signed call over keep-alive HTTP and returns the parsed `Response`,
 * throwing the API error when there is one; benches use it for setup and for timed calls.
 */
import http from 'node:http';
import { signTc3 } from '../../src/gateway/signing/tc3.ts';

export interface Credentials { SecretId: string; SecretKey: string; Region: string }
export interface Target { host: string; port: number }

/** An API action: which service and version it belongs to. */
export interface ApiAction { service: string; version: string; action: string }

export const BMS_API = (action: string): ApiAction => ({ service: 'bms', version: '2018-08-13', action });
export const VPC_API = (action: string): ApiAction => ({ service: 'vpc', version: '2017-03-12', action });
export const OPS_API = (action: string): ApiAction => ({ service: 'bmsops', version: '2026-01-01', action });

/** Keys baseline requests are signed with (a bare server checks nothing). */
export const BASELINE_CREDENTIALS: Credentials = {
  SecretId: 'AKIDbaselineBaselineBaseline00000000', SecretKey: 'baselineSecretKey000000000000000', Region: 'ap-guangzhou',
};

/** The headers of one signed POST of `body` (without Content-Length), signed at `timestamp` (seconds). */
export function tc3Headers(target: Target, creds: Credentials, api: ApiAction, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const authorization = signTc3({
    secretId: creds.SecretId, secretKey: creds.SecretKey, service: api.service, timestamp, method: 'POST', rawQuery: '',
    contentType: 'application/json', host: target.host, body,
  });
  return {
    Host: `${target.host}:${target.port}`,
    'Content-Type': 'application/json',
    Authorization: authorization,
    'X-TC-Action': api.action,
    'X-TC-Version': api.version,
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': creds.Region,
    'X-TC-RequestClient': 'SDK_NODEJS_4.1.220',
  };
}

/** A source of signed headers for a fixed body, re-signed when the second changes. */
export function resignedEverySecond(target: Target, creds: Credentials, api: ApiAction, body: string): () => Record<string, string> {
  let signed: { second: number; headers: Record<string, string> } | undefined;
  return () => {
    const second = Math.floor(Date.now() / 1000);
    if (signed?.second !== second) signed = { second, headers: tc3Headers(target, creds, api, body, second) };
    return signed.headers;
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface ApiAnswer<T> {
  response: T;
  /** The whole body as received. */
  raw: string;
  ms: number;
}

export class ApiCallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** One signed call; resolves with the `Response` object, rejects with the API error (or a transport error). */
export function callApi<T = Record<string, unknown>>(target: Target, creds: Credentials, api: ApiAction, params: object = {}): Promise<ApiAnswer<T>> {
  const body = JSON.stringify(params);
  const headers = { ...tc3Headers(target, creds, api, body), 'Content-Length': String(Buffer.byteLength(body)) };
  const started = performance.now();
  return new Promise((done, fail) => {
    const req = http.request({ ...target, method: 'POST', path: '/', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const ms = performance.now() - started;
        let parsed: { Response?: T & { Error?: { Code: string; Message: string } } };
        try {
          parsed = JSON.parse(raw);
        } catch {
          return fail(new Error(`${api.action}: HTTP ${res.statusCode}, not JSON: ${raw.slice(0, 300)}`));
        }
        const error = parsed.Response?.Error;
        if (res.statusCode !== 200 || !parsed.Response || error) {
          return fail(new ApiCallError(error?.Code ?? `HTTP ${res.statusCode}`, `${api.action}: ${error?.Code ?? res.statusCode}: ${error?.Message ?? raw.slice(0, 300)}`));
        }
        done({ response: parsed.Response, raw, ms });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Lets the process exit: closes the keep-alive sockets `callApi` keeps open. */
export function closeApiConnections(): void {
  agent.destroy();
}
