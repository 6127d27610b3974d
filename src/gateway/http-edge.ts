/**
 * The HTTP edge: node:http in, one envelope out.
 *
 * We use node:http directly rather than a framework because the wire contract is unusual: the
 * path is always "/", every answer is HTTP 200 with an exact Content-Type, signatures need the
 * raw request line and raw body bytes, and even protocol-level failures (oversized headers,
 * malformed HTTP) must answer with the JSON envelope so SDKs surface a code. The body is read
 * up to the largest limit; beyond it the rest is drained and discarded so the client can read
 * the error instead of a reset connection.
 *
 * Slow clients cannot hold the server: the request line and headers must arrive within
 * `headersTimeoutMs` (node:http's headersTimeout, checked every quarter of it), the body within
 * `bodyTimeoutMs` after them (our own deadline: the client gets an envelope and the connection
 * is closed), idle keep-alive connections close after `keepAliveTimeoutMs`, headers are capped
 * at `maxHeaderBytes`, and one source address may hold at most `maxConnectionsPerIp` open
 * connections (connection-cap.ts).
 *
 * Stopping (`close`) is graceful. Connections the kernel accepted just before the signal (the
 * listen backlog) and bytes a client sent on a connection node:http still counts as idle reach
 * the server only in the next turns of the event loop, so the listener stays open for a short
 * settling pause (`STOP_SETTLE_MS`); then it closes (no new connections) and idle connections
 * are closed, again every few milliseconds as requests finish. Every answer written while
 * stopping carries `Connection: close`, so no client sends another request on it. Every request
 * received is answered; after `graceMs` the connections still open are closed regardless.
 */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { docsSite, type DocsAnswer } from '../docs/reference.ts';
import { ApiError, malformedBody, requestTooLarge, unsupportedProtocol } from '../shared/errors.ts';
import { bodyBudget, type BodyBudget } from './body-budget.ts';
import { connectionCap } from './connection-cap.ts';
import type { AgentPushPort, GatewayDeps } from './deps.ts';
import { JSON_HEADERS, errorBody } from './envelope.ts';
import type { RawRequest } from './exchange.ts';
import { handleRequest, type GatewayResponse } from './pipeline.ts';
import { LIMITS } from './steps/detect-protocol.ts';
import { writeBatch, type WriteBatch } from './write-batch.ts';

/** Bodies past this are not even drained: the connection is closed after the error. */
const DRAIN_LIMIT = 4 * LIMITS.tc3Post;

export interface EdgeLimits {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  /** 0 = no cap. */
  maxConnectionsPerIp: number;
  /** Request-body bytes held in memory at once, all connections together (body-budget.ts). */
  maxBufferedBytes: number;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = {
  headersTimeoutMs: 10_000, bodyTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxHeaderBytes: 64 * 1024, maxConnectionsPerIp: 256,
  maxBufferedBytes: 64 * 1024 * 1024,
};

/** A plain-HTTP route beside the API (e.g. `/install/` for install media): gets every request whose path starts with `prefix`. */
export interface PrefixRoute {
  prefix: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown>;
}

export interface EdgeOptions {
  host: string;
  port: number;
  limits?: Partial<EdgeLimits>;
  routes?: PrefixRoute[];
  /**
   * Pages served beside the API on the same port (the web console under /console/): asked
   * first, true when it took the request. Everything else goes through the pipeline.
   */
  pages?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

export interface RunningEdge {
  server: http.Server;
  address: { host: string; port: number };
  /** Stops accepting, answers every request already received, closes idle connections; at most `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** How long to let bytes already received on idle connections arrive before closing those connections. */
const STOP_SETTLE_MS = 100;
const STOP_SWEEP_MS = 20;

export async function startHttpEdge(deps: GatewayDeps, opts: EdgeOptions): Promise<RunningEdge> {
  const limits: EdgeLimits = { ...DEFAULT_EDGE_LIMITS, ...opts.limits };
  const batch = writeBatch((err) => deps.logger.error({ err }, 'writing an answer failed'));
  const budget = bodyBudget(limits.maxBufferedBytes);
  const lifecycle = { stopping: false };
  const cap = connectionCap(limits.maxConnectionsPerIp, (socket, error) => answerRaw(socket, error, deps));
  const docs = docsSite(Object.values(deps.services).map((s) => s.spec));
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // A backstop only: the body deadline in readBody answers first.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Without a Host header node:http would answer a bare 400 itself; we answer with an envelope.
      requireHostHeader: false,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (cap.refused(req.socket)) return void req.socket.destroy();
      if (req.method === 'GET' && /^\/docs(?:[/?]|$)/.test(req.url ?? '')) return answerDocs(res, docs(req.url!, req.headers['accept-language']));
      if (opts.pages?.(req, res)) return;
      if (deps.agentPush && (req.url ?? '/').split('?', 1)[0] === deps.agentPush.path) {
        return void pushFromAgent(req, res, deps.agentPush, limits, budget).catch((err: Error) => {
          deps.logger.error({ err: err.message, path: deps.agentPush!.path }, 'agent push failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
        });
      }
      const route = opts.routes?.find((r) => req.url?.startsWith(r.prefix));
      if (route) {
        void route.handle(req, res).catch((err: Error) => {
          deps.logger.error({ err: err.message, path: route.prefix }, 'route failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        });
      } else void serve(req, res, deps, limits, batch, budget, lifecycle);
    },
  );
  server.on('connection', (socket: Socket) => cap.admit(socket));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket, deps, limits));
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
    close: (graceMs = 10_000) => stopGracefully(server, lifecycle, graceMs),
  };
}

async function stopGracefully(server: http.Server, lifecycle: { stopping: boolean }, graceMs: number): Promise<void> {
  if (lifecycle.stopping) return;
  lifecycle.stopping = true; // from now on every answer says Connection: close
  // Connections the kernel already accepted (the listen backlog) and bytes already received on
  // idle connections reach node:http only in the event loop's next poll phases: keep listening
  // until a settling pause passes with no new connection (a busy loop may take a while to get
  // there), bounded by half the grace time; then close.
  const settleUntil = Date.now() + graceMs / 2;
  let arrived = 0;
  const count = () => arrived++;
  server.on('connection', count);
  for (let seen = -1; seen !== arrived && Date.now() < settleUntil;) {
    seen = arrived;
    await new Promise((r) => setTimeout(r, STOP_SETTLE_MS));
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r)); // past at least one poll phase
  }
  server.off('connection', count);
  // net.Server's close, not http.Server's: the latter also destroys every idle connection at
  // once, resetting one whose request is in its buffer but not yet parsed.
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), STOP_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
    server.close(() => {}); // stops node:http's connection checks (the listener is closed already)
  }
}

async function serve(
  req: http.IncomingMessage, res: http.ServerResponse, deps: GatewayDeps, limits: EdgeLimits, batch: WriteBatch, budget: BodyBudget,
  lifecycle: { stopping: boolean },
) {
  const started = performance.now();
  const keep = bodyKeepLimit(req);
  const declared = req.headers['content-length'];
  const reserved = budget.reserve(declared === undefined && req.headers['transfer-encoding'] ? keep : Math.min(keep, Number(declared ?? 0) || 0));
  const release = typeof reserved === 'function' ? reserved : (req.pause(), await reserved);
  let out: GatewayResponse;
  let close: boolean;
  let timedOut: boolean;
  try {
    ({ out, close, timedOut } = await answer(req, deps, limits, keep));
  } finally {
    release();
  }
  const traceId = req.headers['x-tc-traceid'];
  const headers = [
    'Content-Type', JSON_HEADERS['Content-Type'], 'Content-Length', String(Buffer.byteLength(out.body)), 'X-TC-RequestId', out.exchange.requestId,
  ];
  if (typeof traceId === 'string' && traceId.length <= 128) headers.push('X-TC-TraceId', traceId);
  if (close || lifecycle.stopping) headers.push('Connection', 'close');
  const write = () => {
    res.writeHead(200, headers);
    res.end(out.body);
    if (timedOut) res.once('finish', () => req.socket.destroy());
  };
  // The access-log line is built and written after the turn's answers have gone out.
  if (deps.logger.isLevelEnabled?.('info') === false) batch(write); // nobody reads it: do not build it
  else batch(write, () => logRequest(deps, out, out.exchange.request.remoteAddress, performance.now() - started));
}

/** Reads the body and runs the pipeline (or refuses at the edge): the envelope to send. */
async function answer(req: http.IncomingMessage, deps: GatewayDeps, limits: EdgeLimits, keep: number) {
  req.resume();
  const { body, received, timedOut } = await readBody(req, limits.bodyTimeoutMs, keep);
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
  const out = timedOut
    ? refuse(raw, deps, malformedBody(`it was not received completely within ${limits.bodyTimeoutMs / 1000} s (${received} bytes arrived)`))
    : received > DRAIN_LIMIT
      ? refuse(raw, deps, requestTooLarge(received, LIMITS.tc3Post, 'any request'))
      : await handleRequest(raw, deps);
  return { out, close: timedOut || received > DRAIN_LIMIT, timedOut };
}

/** Reads an agent's push within the same body budget and deadline as API calls, then answers it. */
async function pushFromAgent(req: http.IncomingMessage, res: http.ServerResponse, port: AgentPushPort, limits: EdgeLimits, budget: BodyBudget): Promise<void> {
  const keep = bodyKeepLimit(req);
  const declared = req.headers['content-length'];
  const reserved = budget.reserve(declared === undefined && req.headers['transfer-encoding'] ? keep : Math.min(keep, Number(declared ?? 0) || 0));
  const release = typeof reserved === 'function' ? reserved : (req.pause(), await reserved);
  try {
    req.resume();
    await serveAgentPush(req, res, port, await readBody(req, limits.bodyTimeoutMs, keep));
  } finally {
    release();
  }
}

/** An agent's push: answered with the port's status and JSON, never through the API pipeline. */
async function serveAgentPush(
  req: http.IncomingMessage, res: http.ServerResponse, port: AgentPushPort, read: { body: Buffer; received: number; timedOut: boolean },
): Promise<void> {
  let answer: { status: number; body: Record<string, unknown> };
  if (read.timedOut) answer = { status: 408, body: { error: 'the body did not arrive in time' } };
  else {
    try {
      const auth = req.headers.authorization;
      answer = await port.push({ method: req.method ?? '', authorization: typeof auth === 'string' ? auth : undefined, body: read.body, bodySize: read.received, remoteAddress: req.socket.remoteAddress ?? '' });
    } catch {
      answer = { status: 500, body: { error: 'internal error' } };
    }
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(read.timedOut ? { Connection: 'close' } : {}) });
  res.end(text);
}

/** The API reference (src/docs): HTML pages, not API envelopes. */
function answerDocs(res: http.ServerResponse, page: DocsAnswer) {
  res.writeHead(page.status, { 'Content-Type': page.contentType, 'Content-Length': Buffer.byteLength(page.body), 'Cache-Control': 'no-cache' });
  res.end(page.body);
}

function logRequest(deps: GatewayDeps, out: GatewayResponse, ip: string, latencyMs: number): void {
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
    ...(ex.repeatOf !== undefined ? { repeatOf: ex.repeatOf } : {}),
    latencyMs,
    ip,
  }, 'request');
}

/**
 * How many body bytes are worth keeping, judged from the headers alone: the size limit of the
 * protocol the request claims (TC3 when `Authorization` says so, else v1; a GET's body matters
 * only to a TC3 signature), and nothing at all when `Content-Length` already exceeds it — that
 * request will be refused for its size, so its bytes are counted and dropped, not buffered.
 */
function bodyKeepLimit(req: http.IncomingMessage): number {
  const auth = req.headers.authorization;
  const limit = req.method === 'GET' ? LIMITS.get : typeof auth === 'string' && auth.startsWith('TC3-') ? LIMITS.tc3Post : LIMITS.v1Post;
  const declared = Number(req.headers['content-length'] ?? 0);
  return declared > limit ? 0 : limit;
}

/**
 * Reads the body, keeping at most `keepLimit` bytes; counts (and discards) the rest.
 * Gives up after `timeoutMs` (`timedOut`): a client dribbling a body does not hold the socket.
 */
function readBody(req: http.IncomingMessage, timeoutMs: number, keepLimit: number): Promise<{ body: Buffer; received: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (timedOut) req.pause();
      resolve({ body: Buffer.concat(chunks), received, timedOut });
    };
    const deadline = setTimeout(() => finish(true), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= keepLimit) chunks.push(chunk);
      else if (chunks.length > 0) chunks.length = 0; // over the limit: refused for its size, keep nothing
      if (received > DRAIN_LIMIT) {
        req.pause();
        finish();
      }
    });
    req.on('end', () => finish());
    req.on('error', () => finish());
    req.on('close', () => finish());
  });
}

/** An answer decided at the edge, before the pipeline: the body was too large or too slow. */
function refuse(raw: RawRequest, deps: GatewayDeps, error: ApiError): GatewayResponse {
  const requestId = deps.newRequestId();
  return {
    body: errorBody(requestId, error, 'en-US'),
    code: error.code,
    exchange: { requestId, receivedAt: deps.clock(), request: raw, language: 'en-US' },
  };
}

/** Malformed HTTP or oversized headers: still answer 200 with an envelope, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, deps: GatewayDeps, limits: EdgeLimits) {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const error = tooLarge
    ? requestTooLarge(limits.maxHeaderBytes, LIMITS.get, 'the request line and headers')
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError('UnsupportedProtocol', {
        en: `The request line and headers were not received within ${limits.headersTimeoutMs / 1000} s; the connection is closed.`,
        zh: `未在 ${limits.headersTimeoutMs / 1000} 秒内收到完整的请求行与请求头，连接已关闭。`,
      })
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
