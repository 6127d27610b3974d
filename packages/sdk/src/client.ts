/**
 * The client every generated service class extends: builds the TC3 JSON POST of one action,
 * has its authenticator sign it, sends it with `fetch`, unwraps the `Response` envelope and
 * turns an `Error` into a `BmsError`. Retries follow retry.ts.
 */
import { tc3, type Authenticator, type CredentialSource, type OutgoingRequest } from './auth.ts';
import { BmsError, BmsNetworkError } from './errors.ts';
import { backoff, DEFAULT_RETRY, retryable, type RetryOptions } from './retry.ts';

export interface ClientOptions {
  /** `http://127.0.0.1:8080` (a bare `host:port` means http://). In a browser, '' or '/' = the page's origin. */
  endpoint: string;
  /** Region sent as X-TC-Region, e.g. `ap-guangzhou`. */
  region?: string;
  /** API keys (TC3 signature). Ignored when `authenticator` is given. */
  credentials?: CredentialSource;
  /** How requests prove who sends them (default: tc3(credentials)); see auth.ts. */
  authenticator?: Authenticator;
  /** Language of error messages: `en-US` (default) or `zh-CN`. */
  language?: 'en-US' | 'zh-CN';
  /** Retry policy, or `false` for none. */
  retry?: Partial<RetryOptions> | false;
  /** Per-attempt timeout in ms (default 60000). */
  timeoutMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Called once per attempt, e.g. for logging: action, attempt number (1-based), error if any. */
  onAttempt?: (event: { service: string; action: string; attempt: number; error?: unknown; delayMs?: number }) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's region for this call. */
  region?: string;
  timeoutMs?: number;
}

/** What every action answers besides its own fields. */
export interface ApiAnswer {
  /** The request's ID (quote it when reporting a problem). */
  RequestId: string;
}

/** Per action: m = mutating, t = has ClientToken, p = list field of a page, l = largest Limit. */
export interface ActionMeta {
  m?: 1;
  t?: 1;
  p?: string;
  l?: number;
}

type Json = Record<string, unknown>;

/** Codes (errno) meaning the connection never opened, so nothing was sent; BAD_PORT: fetch refuses the port itself. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'BAD_PORT']);

function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if ((e as Error).message === 'bad port') return 'BAD_PORT';
  }
  return undefined;
}

export function normalizeEndpoint(endpoint: string): string {
  if (endpoint === '' || endpoint === '/') {
    const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
    if (!origin) throw new Error('endpoint is required outside a browser');
    return `${origin}/`;
  }
  const url = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  return url.endsWith('/') ? url : `${url}/`;
}

export class BaseClient {
  readonly endpoint: string;
  readonly region: string;
  readonly service: string;
  readonly version: string;
  /** Per action metadata (mutating, idempotency, page fields); generated from the spec. */
  readonly actions: Readonly<Record<string, ActionMeta>>;
  readonly #auth: Authenticator;
  readonly #options: ClientOptions;
  readonly #retry: RetryOptions;

  constructor(options: ClientOptions, service: string, version: string, actions: Record<string, ActionMeta>) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.region = options.region ?? '';
    this.service = service;
    this.version = version;
    this.actions = actions;
    this.#options = options;
    this.#retry = options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
    if (options.authenticator) this.#auth = options.authenticator;
    else if (options.credentials) this.#auth = tc3(options.credentials);
    else throw new Error('BMS client: give credentials or an authenticator');
  }

  /** Calls `action` with `params`; resolves with the `Response` object (RequestId included). */
  async request<R = Json>(action: string, params: object = {}, call: CallOptions = {}): Promise<R> {
    const meta = this.actions[action] ?? {};
    const idempotent = !meta.m || (meta.t === 1 && typeof (params as Json).ClientToken === 'string' && (params as Json).ClientToken !== '');
    const body = JSON.stringify(params);
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.#send<R>(action, body, call);
        this.#options.onAttempt?.({ service: this.service, action, attempt: attempt + 1 });
        return out;
      } catch (error) {
        const again = attempt + 1 < this.#retry.maxAttempts && retryable(error, idempotent) && !call.signal?.aborted;
        const delayMs = again ? backoff(attempt, this.#retry) : undefined;
        this.#options.onAttempt?.({ service: this.service, action, attempt: attempt + 1, error, ...(delayMs === undefined ? {} : { delayMs }) });
        if (!again) throw error;
        await this.#retry.sleep(delayMs!, call.signal);
      }
    }
  }

  async #send<R>(action: string, body: string, call: CallOptions): Promise<R> {
    const req: OutgoingRequest = {
      url: new URL(this.endpoint),
      headers: {
        ...this.#options.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'X-TC-Action': action,
        'X-TC-Version': this.version,
        'X-TC-Region': call.region ?? this.region,
        'X-TC-Language': this.#options.language ?? 'en-US',
      },
      body, service: this.service, version: this.version, action,
    };
    await this.#auth.authenticate(req);
    const timeout = AbortSignal.timeout(call.timeoutMs ?? this.#options.timeoutMs ?? 60_000);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    const name = `${this.service}:${action}`;
    let res: Response;
    try {
      res = await doFetch(req.url, { method: 'POST', headers: req.headers, body, signal, ...(req.credentials ? { credentials: req.credentials } : {}) });
    } catch (err) {
      if (call.signal?.aborted) throw call.signal.reason;
      const code = errnoOf(err);
      const why = timeout.aborted ? 'timed out' : (code ?? (err as Error).message);
      throw new BmsNetworkError(`${name}: no answer from ${this.endpoint} (${why})`, !(code && NOT_SENT.has(code)), name, { cause: err });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new BmsNetworkError(`${name}: the answer was cut off (${(err as Error).message})`, true, name, { cause: err });
    }
    let parsed: { Response?: Json & { Error?: { Code?: string; Message?: string }; RequestId?: string } };
    try {
      parsed = JSON.parse(text);
    } catch {
      if (res.status >= 500) throw new BmsError('InternalError', `${name}: HTTP ${res.status} ${text.slice(0, 200)}`, '', name, res.status);
      throw new BmsNetworkError(`${name}: HTTP ${res.status}, not a JSON answer: ${text.slice(0, 200)}`, true, name);
    }
    const response = parsed?.Response;
    if (!response || typeof response !== 'object') throw new BmsNetworkError(`${name}: the answer has no Response object`, true, name);
    if (response.Error) {
      throw new BmsError(response.Error.Code ?? 'InternalError', response.Error.Message ?? '', response.RequestId ?? '', name, res.status);
    }
    return response as R;
  }
}
