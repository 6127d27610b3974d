/**
 * The HTTP edge: node:http in, one envelope out.
 *
 * We use node:http directly rather than a framework because the wire contract is unusual: the
 * path is always "/", every answer is HTTP 200 with an exact Content-Type, signatures need the
 * raw request line and raw body bytes, and even protocol-level failures (oversized headers,
 * malformed HTTP) must answer with the JSON envelope so SDKs surface a code. The body is read
 * up to the largest limit; beyond it the rest is drained and discarded so the client can read
 * the error instead of a reset connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { requestTooLarge, unsupportedProtocol, type ApiError } from '../shared/errors.ts';
import type { GatewayDeps } from './deps.ts';
import { JSON_HEADERS, errorBody } from './envelope.ts';
import type { RawRequest } from './exchange.ts';
import { handleRequest, type GatewayResponse } from './pipeline.ts';
import { LIMITS } from './steps/detect-protocol.ts';

/** Bodies past this are not even drained: the connection is closed after the error. */
const DRAIN_LIMIT = 4 * LIMITS.tc3Post;

export interface EdgeOptions {
  host: string;
  port: number;
}

export interface RunningEdge {
  server: http.Server;
  address: { host: string; port: number };
  close(): Promise<void>;
}

export async function startHttpEdge(deps: GatewayDeps, opts: EdgeOptions): Promise<RunningEdge> {
  const server = http.createServer(
    { maxHeaderSize: 64 * 1024, headersTimeout: 20_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 },
    (req, res) => void serve(req, res, deps),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket, deps));
  // CONNECT never reaches the request handler; without this listener node:http drops the socket.
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    const error = unsupportedProtocol(`The HTTP method ${req.method} is not supported`, `不支持 HTTP 方法 ${req.method}`);
    answerRaw(socket, error, deps);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    address: { host: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, deps: GatewayDeps) {
  const started = process.hrtime.bigint();
  const { body, received } = await readBody(req);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const raw: RawRequest = {
    method: req.method ?? '',
    url,
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    body,
    bodySize: received,
    remoteAddress: req.socket.remoteAddress ?? '',
  };
  const out = received > DRAIN_LIMIT
    ? overLimit(raw, received, deps)
    : await handleRequest(raw, deps);
  const traceId = req.headers['x-tc-traceid'];
  res.writeHead(200, {
    ...JSON_HEADERS,
    'Content-Length': Buffer.byteLength(out.body),
    'X-TC-RequestId': out.exchange.requestId,
    ...(typeof traceId === 'string' && traceId.length <= 128 ? { 'X-TC-TraceId': traceId } : {}),
    ...(received > DRAIN_LIMIT ? { Connection: 'close' } : {}),
  });
  res.end(out.body);
  const ex = out.exchange;
  deps.logger.info({
    requestId: ex.requestId,
    account: ex.principal?.accountUin,
    user: ex.principal?.userUin,
    secretId: ex.principal?.secretId,
    service: ex.action?.serviceName,
    action: ex.common?.action,
    protocol: ex.protocol,
    code: out.code || 'Success',
    latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
    ip: raw.remoteAddress,
  }, 'request');
}

/** Reads the body, keeping at most the largest allowed size; counts (and discards) the rest. */
function readBody(req: http.IncomingMessage): Promise<{ body: Buffer; received: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks), received });
    };
    req.on('data', (chunk: Buffer) => {
      if (received <= LIMITS.tc3Post) chunks.push(chunk);
      received += chunk.length;
      if (received > DRAIN_LIMIT) {
        req.pause();
        finish();
      }
    });
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
  });
}

function overLimit(raw: RawRequest, received: number, deps: GatewayDeps): GatewayResponse {
  const requestId = deps.newRequestId();
  const error = requestTooLarge(received, LIMITS.tc3Post, 'any request');
  return {
    body: errorBody(requestId, error, 'en-US'),
    code: error.code,
    exchange: { requestId, receivedAt: deps.clock(), request: raw, language: 'en-US' },
  };
}

/** Malformed HTTP or oversized headers: still answer 200 with an envelope, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, deps: GatewayDeps) {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const error = tooLarge
    ? requestTooLarge(64 * 1024, LIMITS.get, 'the request line and headers')
    : unsupportedProtocol(`The request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`, `请求不是合法的 HTTP/1.1（${err.code ?? '解析错误'}）`);
  answerRaw(socket, error, deps, { httpError: err.code });
}

/** Writes an envelope straight to a socket that node:http no longer manages, then closes it. */
function answerRaw(socket: Duplex, error: ApiError, deps: GatewayDeps, logFields: object = {}) {
  const requestId = deps.newRequestId();
  const body = errorBody(requestId, error, 'en-US');
  deps.logger.info({ requestId, code: error.code, ...logFields }, 'request');
  socket.end(
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-TC-RequestId: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
