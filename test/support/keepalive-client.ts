/**
 * Test support: TC3-signed JSON calls over a keep-alive agent — many requests without a new
 * TCP connection each, as a real SDK client sends them. Answers are parsed envelopes, plus the
 * HTTP status and the wall-clock times the request left and its answer arrived.
 */
import http from 'node:http';
import { signTc3 } from '../../src/gateway/signing/tc3.ts';

export interface KeepAliveClient {
  call(action: string, params?: Record<string, unknown>, o?: { version?: string; service?: string }): Promise<Answer>;
  /** Sends raw bytes as the body of a signed-looking or unsigned POST (fuzzing). */
  raw(opts: { method?: string; path?: string; headers: Record<string, string>; body?: string | Buffer }): Promise<Answer>;
  close(): void;
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
  code: string;
  sentAt: number;
  receivedAt: number;
}

export function keepAliveClient(target: { host: string; port: number }, creds: { SecretId: string; SecretKey: string }, maxSockets = 8): KeepAliveClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const host = `${target.host}:${target.port}`;
  const send = (opts: { method?: string; path?: string; headers: Record<string, string>; body?: string | Buffer }) =>
    new Promise<Answer>((resolve, reject) => {
      const sentAt = Date.now();
      const req = http.request({ host: target.host, port: target.port, method: opts.method ?? 'POST', path: opts.path ?? '/', headers: opts.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let code = 'NotJson';
          try {
            code = (JSON.parse(text) as { Response: { Error?: { Code: string } } }).Response.Error?.Code ?? 'Success';
          } catch {
            // stays NotJson
          }
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text, code, sentAt, receivedAt: Date.now() });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  return {
    call(action, params = {}, o = {}) {
      const body = JSON.stringify(params);
      const timestamp = Math.floor(Date.now() / 1000);
      const authorization = signTc3({
        secretId: creds.SecretId, secretKey: creds.SecretKey, service: o.service ?? 'bms', timestamp, method: 'POST', rawQuery: '',
        contentType: 'application/json', host: target.host, body,
      });
      return send({
        headers: {
          Host: host, 'Content-Type': 'application/json', Authorization: authorization, 'X-TC-Action': action,
          'X-TC-Version': o.version ?? '2018-08-13', 'X-TC-Timestamp': String(timestamp), 'X-TC-Region': 'ap-guangzhou',
          'Content-Length': String(Buffer.byteLength(body)),
        },
        body,
      });
    },
    raw: send,
    close: () => agent.destroy(),
  };
}
