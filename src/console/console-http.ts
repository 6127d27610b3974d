/**
 * The console's own HTTP routes, beside the API on the same port (everything under /console/):
 *
 *   POST /console/api/login        {AccountUin, UserName, Password} → session cookie + CsrfToken
 *   POST /console/api/logout       (X-CSRF-Token) ends the session, clears the cookie
 *   GET  /console/api/session      who is signed in, the CSRF token, expiries, language
 *   POST /console/api/preferences  (X-CSRF-Token) {Language} remembered for the user
 *   GET  /console/api/events       the live feed (Server-Sent Events, live-feed.ts)
 *   GET  /console/…                the browser app (static files built by Vite; index.html otherwise)
 *
 * The API itself is not here: the app calls `POST /` like any SDK, and the gateway's session
 * branch (gateway/steps/authenticate-session.ts) stands in for the signature.
 *
 * The cookie is HttpOnly, SameSite=Strict, Path=/, Secure when the request came over TLS (or
 * a proxy says so with X-Forwarded-Proto: https). Requests carrying an Origin of another host
 * are refused outright. Sign-ins and sign-outs are audited (service `console`, actions
 * ConsoleLogin / ConsoleLogout) with their outcome; the password never is, nor logged.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { AuditSink } from '../gateway/deps.ts';
import type { ConsoleSessions } from './sessions.ts';
import type { liveFeed } from './live-feed.ts';
import type { loginLimiter } from './login-limiter.ts';

export const SESSION_COOKIE = 'bms_session';
export const CSRF_HEADER = 'X-CSRF-Token';
const MAX_BODY = 8 * 1024;

export interface ConsoleHttpDeps {
  sessions: ConsoleSessions;
  limiter: ReturnType<typeof loginLimiter>;
  feed: ReturnType<typeof liveFeed>;
  audit?: AuditSink;
  region: string;
  /** The built app (index.html and assets/), or undefined when it was not built. */
  staticDir: string | undefined;
  clock: () => number;
  newRequestId: () => string;
  logger: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

type Lang = 'zh-CN' | 'en-US';
type Msg = { en: string; zh: string };

export function consoleRoutes(d: ConsoleHttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/console' && !path.startsWith('/console/')) return false;
    void route(d, req, res, path).catch((err) => {
      d.logger.error({ err, path }, 'console route failed');
      if (!res.headersSent) reply(res, 500, errorBody(d, 'InternalError', { en: 'An internal error occurred.', zh: '内部错误。' }, 'en-US'));
      else res.end();
    });
    return true;
  };
}

async function route(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const lang: Lang = req.headers['x-tc-language'] === 'en-US' ? 'en-US' : 'zh-CN';
  if (path.startsWith('/console/api/')) {
    if (foreignOrigin(req)) {
      reply(res, 403, errorBody(d, 'AuthFailure.InvalidAuthorization', { en: 'Requests from another origin are refused.', zh: '拒绝来自其他源的请求。' }, lang));
      return;
    }
    const name = path.slice('/console/api/'.length);
    const method = req.method ?? 'GET';
    if (name === 'login' && method === 'POST') return login(d, req, res, lang);
    if (name === 'logout' && method === 'POST') return logout(d, req, res, lang);
    if (name === 'session' && method === 'GET') return whoAmI(d, req, res, lang);
    if (name === 'preferences' && method === 'POST') return preferences(d, req, res, lang);
    if (name === 'events' && method === 'GET') return events(d, req, res, lang);
    reply(res, 404, errorBody(d, 'InvalidAction', { en: `No console route ${method} ${path}.`, zh: `控制台没有路由 ${method} ${path}。` }, lang));
    return;
  }
  serveStatic(d, req, res, path);
}

// ---- sign-in and sessions ----------------------------------------------------------------------

async function login(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang): Promise<void> {
  const body = await readJson(req);
  const now = d.clock();
  const ip = req.socket.remoteAddress ?? '';
  const accountUin = typeof body?.AccountUin === 'string' ? body.AccountUin.trim() : '';
  const userName = typeof body?.UserName === 'string' ? body.UserName.trim() : '';
  const password = typeof body?.Password === 'string' ? body.Password : '';
  if (!accountUin || !userName || !password) {
    const missing = !accountUin ? 'AccountUin' : !userName ? 'UserName' : 'Password';
    reply(res, 400, errorBody(d, 'MissingParameter', { en: `The parameter ${missing} is required.`, zh: `缺少参数 ${missing}。` }, lang, missing));
    return;
  }
  const who = `${accountUin}/${userName}`;
  const known = await d.sessions.knownUser(accountUin, userName);
  const auditLogin = (resultCode: string, requestId: string) => known && d.audit?.record({
    requestId, at: now, accountUin, userUin: known.uin, secretId: '', service: 'console', action: 'ConsoleLogin',
    region: d.region, resourceIds: [], resultCode, sourceIp: ip,
  });
  const blocked = d.limiter.blocked(who, ip, now);
  if (blocked) {
    const minutes = Math.max(1, Math.ceil(blocked.waitMs / 60_000));
    const msg = blocked.by === 'user'
      ? { en: `Too many failed sign-ins for this user; try again in ${minutes} minute(s).`, zh: `该用户登录失败次数过多，请 ${minutes} 分钟后再试。` }
      : { en: `Too many failed sign-ins from this address; try again in ${minutes} minute(s).`, zh: `该地址登录失败次数过多，请 ${minutes} 分钟后再试。` };
    const out = errorBody(d, 'RequestLimitExceeded', msg, lang);
    await auditLogin('RequestLimitExceeded', out.requestId);
    reply(res, 429, out, { 'Retry-After': String(Math.ceil(blocked.waitMs / 1000)) });
    return;
  }
  const user = await d.sessions.verify(accountUin, userName, password);
  if (!user) {
    d.limiter.failed(who, ip, now);
    const out = errorBody(d, 'AuthFailure.InvalidAuthorization', {
      en: 'The account ID, user name or password is wrong (or the user may not sign in to the console).',
      zh: '主账号 ID、用户名或密码错误（或该用户未开启控制台登录）。',
    }, lang);
    await auditLogin('AuthFailure.InvalidAuthorization', out.requestId);
    reply(res, 401, out);
    return;
  }
  d.limiter.succeeded(who);
  const opened = await d.sessions.open(user, ip, now);
  if (!opened) {
    reply(res, 401, errorBody(d, 'AuthFailure.InvalidAuthorization', { en: 'The account no longer exists.', zh: '账号已不存在。' }, lang));
    return;
  }
  const requestId = d.newRequestId();
  await auditLogin('Success', requestId);
  const maxAge = Math.floor(d.sessions.limits.absoluteMs / 1000);
  reply(res, 200, {
    requestId,
    body: { Response: { ...sessionView(d, opened.user, opened.principal.accountUin, opened.csrf, opened.expiresAt, now + d.sessions.limits.idleMs, undefined), RequestId: requestId } },
  }, { 'Set-Cookie': cookie(req, opened.token, maxAge) });
}

async function logout(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang): Promise<void> {
  const token = tokenOf(req);
  const now = d.clock();
  const live = token ? await d.sessions.session(token, now) : undefined;
  if (!token || !live || 'refused' in live || req.headers[CSRF_HEADER.toLowerCase()] !== live.csrf) {
    // Clearing the cookie is harmless; ending a session needs its CSRF token.
    reply(res, 401, errorBody(d, 'AuthFailure.InvalidAuthorization', live && 'refused' in live ? live.refused : csrfMissing, lang), { 'Set-Cookie': cookie(req, '', 0) });
    return;
  }
  await d.sessions.close(token);
  const requestId = d.newRequestId();
  await d.audit?.record({
    requestId, at: now, accountUin: live.principal.accountUin, userUin: live.user.uin, secretId: '', service: 'console', action: 'ConsoleLogout',
    region: d.region, resourceIds: [], resultCode: 'Success', sourceIp: req.socket.remoteAddress ?? '',
  });
  reply(res, 200, { requestId, body: { Response: { RequestId: requestId } } }, { 'Set-Cookie': cookie(req, '', 0) });
}

async function whoAmI(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang): Promise<void> {
  const live = await liveSession(d, req, res, lang);
  if (!live) return;
  const requestId = d.newRequestId();
  reply(res, 200, {
    requestId,
    body: { Response: { ...sessionView(d, live.user, live.principal.accountUin, live.csrf, live.expiresAt, live.idleExpiresAt, live.language), RequestId: requestId } },
  });
}

async function preferences(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang): Promise<void> {
  const live = await liveSession(d, req, res, lang);
  if (!live) return;
  if (req.headers[CSRF_HEADER.toLowerCase()] !== live.csrf) {
    reply(res, 403, errorBody(d, 'AuthFailure.InvalidAuthorization', csrfMissing, lang));
    return;
  }
  const body = await readJson(req);
  const language = body?.Language;
  if (language !== 'zh-CN' && language !== 'en-US') {
    reply(res, 400, errorBody(d, 'InvalidParameterValue', { en: 'Language must be zh-CN or en-US.', zh: 'Language 取值应为 zh-CN 或 en-US。' }, lang, 'Language'));
    return;
  }
  await d.sessions.setLanguage(live.user.id, language, d.clock());
  const requestId = d.newRequestId();
  reply(res, 200, { requestId, body: { Response: { Language: language, RequestId: requestId } } });
}

async function events(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang): Promise<void> {
  const live = await liveSession(d, req, res, lang);
  if (!live) return;
  const token = tokenOf(req)!;
  d.feed.open(res, {
    principal: live.principal,
    stillValid: async () => !('refused' in (await d.sessions.session(token, d.clock()))),
  });
}

async function liveSession(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, lang: Lang) {
  const token = tokenOf(req);
  const live = token ? await d.sessions.session(token, d.clock()) : undefined;
  if (!live || 'refused' in live) {
    const msg = live && 'refused' in live ? live.refused : { en: 'Not signed in.', zh: '未登录。' };
    reply(res, 401, errorBody(d, 'AuthFailure.InvalidAuthorization', msg, lang));
    return undefined;
  }
  return live;
}

function sessionView(
  d: ConsoleHttpDeps, user: { name: string; uin: string; isRoot: boolean }, accountUin: string, csrf: string, expiresAt: number, idleExpiresAt: number,
  language: string | undefined,
) {
  return {
    User: { AccountUin: accountUin, UserName: user.name, Uin: user.uin, IsRoot: user.isRoot },
    CsrfToken: csrf,
    Region: d.region,
    ExpiresAt: new Date(expiresAt).toISOString(),
    IdleExpiresAt: new Date(idleExpiresAt).toISOString(),
    Language: language ?? null,
  };
}

const csrfMissing: Msg = { en: 'The console session is not valid: the request lacks the session\'s CSRF token (X-CSRF-Token).', zh: '控制台会话无效：请求缺少该会话的 CSRF 令牌（X-CSRF-Token）。' };

function tokenOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function overTls(req: IncomingMessage): boolean {
  return Boolean((req.socket as TLSSocket).encrypted) || req.headers['x-forwarded-proto'] === 'https';
}

function cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(overTls(req) ? ['Secure'] : [])].join('; ');
}

function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return resolve(undefined);
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        resolve(v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

interface Out { requestId: string; body: unknown }

function errorBody(d: ConsoleHttpDeps, code: string, msg: Msg, lang: Lang, field?: string): Out {
  const requestId = d.newRequestId();
  return { requestId, body: { Response: { Error: { Code: code, Message: lang === 'zh-CN' ? msg.zh : msg.en, ...(field ? { Field: field } : {}) }, RequestId: requestId } } };
}

function reply(res: ServerResponse, status: number, out: Out, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(out.body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store',
    'X-TC-RequestId': out.requestId, ...headers,
  });
  res.end(text);
}

// ---- the app's files ---------------------------------------------------------------------------

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

function serveStatic(d: ConsoleHttpDeps, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  if (path === '/console') {
    res.writeHead(301, { Location: '/console/' });
    res.end();
    return;
  }
  if (!d.staticDir) {
    const text = 'The console has not been built: run `npm run build` (npm start builds it too).\n';
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end(text);
    return;
  }
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(path.slice('/console/'.length)));
  } catch {
    rel = '';
  }
  let file = rel && !rel.startsWith('..') && !rel.includes(`${sep}..`) ? join(d.staticDir, rel) : '';
  const isAsset = rel.startsWith(`assets${sep}`);
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    if (isAsset || extname(rel) !== '') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('not found\n');
      return;
    }
    file = join(d.staticDir, 'index.html'); // the app's own routes (/console/instances/…)
  }
  const size = statSync(file).size;
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(size),
    // Vite names assets by content hash: cache them for good; index.html always revalidates.
    'Cache-Control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
