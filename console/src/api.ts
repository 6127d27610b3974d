/**
 * The console's call layer: every action goes to `POST /` — the same gateway pipeline the SDKs
 * use — with the session cookie (sent by the browser) and the session's CSRF token instead of
 * a signature. Each call is recorded for the API Inspector (action, version, parameters, the
 * equivalent official-SDK snippet). When our TypeScript SDK (packages/sdk, session
 * authenticator) is on main, `send` is the one function to swap for it.
 */
export const VERSIONS: Record<string, string> = {
  bms: '2018-08-13', vpc: '2017-03-12', cam: '2019-01-16', audit: '2019-03-19', tag: '2018-08-13', sts: '2018-08-13', monitor: '2018-07-24', bill: '2018-10-25',
};

export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly requestId: string) {
    super(message);
  }
}

export interface CallRecord {
  id: number;
  service: string;
  version: string;
  action: string;
  params: Record<string, unknown>;
  region: string;
  at: number;
  ms?: number;
  outcome?: string;
  requestId?: string;
}

interface SessionInfo {
  csrf: string;
  region: string;
  language: 'zh-CN' | 'en-US';
}

const session: SessionInfo = { csrf: '', region: 'ap-guangzhou', language: 'zh-CN' };
export const configureSession = (s: Partial<SessionInfo>) => Object.assign(session, s);
export const currentRegion = () => session.region;

type Listener = () => void;
const recordListeners = new Set<Listener>();
export const calls: CallRecord[] = [];
export function onCalls(l: Listener): () => void {
  recordListeners.add(l);
  return () => recordListeners.delete(l);
}

/** Set when a request could not reach the server (the live banner also watches the feed). */
const networkListeners = new Set<(down: boolean) => void>();
export const onNetwork = (l: (down: boolean) => void) => {
  networkListeners.add(l);
  return () => networkListeners.delete(l);
};

let sessionExpiredHandler: (message: string) => void = () => undefined;
export const onSessionExpired = (h: (message: string) => void) => {
  sessionExpiredHandler = h;
};

/** The live feed said the session ended (idle or absolute expiry): back to sign-in, saying why. */
export function sessionEnded(): void {
  sessionExpiredHandler(session.language === 'zh-CN' ? '会话已过期，请重新登录' : 'The session has expired; sign in again');
}

let seq = 0;

export async function call<T = Record<string, any>>(service: string, action: string, params: Record<string, unknown> = {}): Promise<T> {
  const version = VERSIONS[service] ?? '';
  const record: CallRecord = { id: ++seq, service, version, action, params, region: session.region, at: Date.now() };
  calls.unshift(record);
  if (calls.length > 200) calls.pop();
  recordListeners.forEach((l) => l());
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch('/', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json', 'X-TC-Action': action, 'X-TC-Version': version, 'X-TC-Region': session.region,
        'X-TC-Language': session.language, 'X-TC-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-CSRF-Token': session.csrf,
      },
      body: JSON.stringify(params),
    });
  } catch {
    networkListeners.forEach((l) => l(true));
    record.outcome = 'NetworkError';
    recordListeners.forEach((l) => l());
    throw new ApiError('NetworkError', session.language === 'zh-CN' ? '无法连接服务器，正在重试连接…' : 'Cannot reach the server; reconnecting…', '');
  }
  networkListeners.forEach((l) => l(false));
  const body = (await res.json()) as { Response: Record<string, any> };
  const r = body.Response;
  record.ms = Math.round(performance.now() - started);
  record.requestId = r.RequestId;
  record.outcome = r.Error ? r.Error.Code : 'Success';
  recordListeners.forEach((l) => l());
  if (r.Error) {
    if (r.Error.Code === 'AuthFailure.InvalidAuthorization' && /session|会话/.test(r.Error.Message)) sessionExpiredHandler(r.Error.Message);
    throw new ApiError(r.Error.Code, r.Error.Message, r.RequestId);
  }
  return r as T;
}

/** A validate-only call (DryRun): undefined when it would succeed, else the API's error. */
export async function validate(service: string, action: string, params: Record<string, unknown>): Promise<ApiError | undefined> {
  try {
    await call(service, action, { ...params, DryRun: true });
    return undefined;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'DryRunOperation') return undefined;
    if (e instanceof ApiError) return e;
    throw e;
  }
}

/** The parameter an API error names ("The value of Placement.Zone is invalid…", "参数 X 的取值无效"). */
export function fieldOf(e: ApiError): string | undefined {
  const m = /(?:value of|parameter|参数) ([A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*)/.exec(e.message);
  return m?.[1];
}

export function sdkSnippet(r: CallRecord): string {
  return [
    "import { CommonClient } from 'tencentcloud-sdk-nodejs-common';",
    '',
    `const client = new CommonClient('${location.host}', '${r.version}', {`,
    '  credential: { secretId: process.env.BMS_SECRET_ID, secretKey: process.env.BMS_SECRET_KEY },',
    `  region: '${r.region}',`,
    `  profile: { httpProfile: { protocol: '${location.protocol}//', endpoint: '${location.host}' } },`,
    '});',
    `console.log(await client.request('${r.action}', ${JSON.stringify(r.params, null, 2)}));`,
  ].join('\n');
}

/** A word as a POSIX shell reads it back: bare when it is safe so, else single-quoted. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The same call with our CLI, as the CLI reads its values: strings as they are, numbers and booleans, JSON for lists and structures. */
export function cliSnippet(r: CallRecord): string {
  const params = Object.entries(r.params ?? {}).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `--${k} ${shellWord(typeof v === 'string' ? v : JSON.stringify(v))}`);
  return ['npx bms', r.service, r.action, ...params, '--region', shellWord(r.region)].join(' ');
}

// ---- console routes (sign-in and preferences) ---------------------------------------------------

export interface Me {
  User: { AccountUin: string; UserName: string; Uin: string; IsRoot: boolean };
  CsrfToken: string;
  Region: string;
  Language: 'zh-CN' | 'en-US' | null;
}

async function consoleRoute<T>(method: string, path: string, body?: object): Promise<T> {
  const res = await fetch(`/console/api/${path}`, {
    method, credentials: 'same-origin',
    headers: { 'X-TC-Language': session.language, ...(body ? { 'Content-Type': 'application/json' } : {}), ...(session.csrf ? { 'X-CSRF-Token': session.csrf } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const r = ((await res.json()) as { Response: any }).Response;
  if (r.Error) throw new ApiError(r.Error.Code, r.Error.Message, r.RequestId);
  return r as T;
}

export const whoAmI = () => consoleRoute<Me>('GET', 'session');
export const login = (AccountUin: string, UserName: string, Password: string) => consoleRoute<Me>('POST', 'login', { AccountUin, UserName, Password });
export const logout = () => consoleRoute('POST', 'logout');
export const savePreferences = (Language: string) => consoleRoute('POST', 'preferences', { Language });
