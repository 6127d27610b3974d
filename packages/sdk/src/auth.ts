/**
 * Authenticators: how a request proves who sends it. The client builds the request, hands it to
 * its authenticator, and sends what comes back. Two are built in:
 *
 * - `tc3(credentials)` — API keys (SecretId/SecretKey, plus Token for temporary credentials),
 *   signed with TC3-HMAC-SHA256. `credentials` may be a function, called per request, so keys
 *   can rotate or be refreshed.
 * - `session({ csrfToken })` — the web console: the browser's session cookie goes along
 *   (`credentials: 'include'`) and the CSRF token in a header; nothing is signed.
 *
 * Anything with the same shape can stand in (e.g. a signer running elsewhere).
 */
import { tc3Authorization } from './signer.ts';

export interface Credentials {
  secretId: string;
  secretKey: string;
  /** The Token of temporary credentials (sts GetFederationToken); sent as X-TC-Token. */
  token?: string;
}

export type CredentialSource = Credentials | (() => Credentials | Promise<Credentials>);

/** One request on its way out; an authenticator may add headers and choose the fetch credentials mode. */
export interface OutgoingRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  service: string;
  version: string;
  action: string;
  /** fetch's `credentials` option; a session authenticator sets 'include'. */
  credentials?: 'omit' | 'same-origin' | 'include';
}

export interface Authenticator {
  authenticate(request: OutgoingRequest): void | Promise<void>;
}

/** Unix seconds now; replaceable for tests. */
export type Clock = () => number;

export function tc3(source: CredentialSource, clock: Clock = () => Date.now()): Authenticator {
  return {
    async authenticate(req) {
      const c = typeof source === 'function' ? await source() : source;
      if (!c?.secretId || !c.secretKey) throw new Error('tc3: credentials need secretId and secretKey');
      const timestamp = Math.floor(clock() / 1000);
      req.headers['X-TC-Timestamp'] = String(timestamp);
      if (c.token) req.headers['X-TC-Token'] = c.token;
      req.headers.Authorization = await tc3Authorization({
        secretId: c.secretId, secretKey: c.secretKey, service: req.service, timestamp,
        host: req.url.host, contentType: req.headers['Content-Type']!, action: req.action, body: req.body, ...(c.token ? { token: c.token } : {}),
      });
    },
  };
}

export interface SessionOptions {
  /** The CSRF token the console got at login (or a function reading it, e.g. from a cookie). */
  csrfToken: string | (() => string);
  /** Header carrying it; default `X-CSRF-Token`. */
  header?: string;
}

export function session(opts: SessionOptions): Authenticator {
  const name = opts.header ?? 'X-CSRF-Token';
  return {
    authenticate(req) {
      req.headers['X-TC-Timestamp'] = String(Math.floor(Date.now() / 1000));
      req.headers[name] = typeof opts.csrfToken === 'function' ? opts.csrfToken() : opts.csrfToken;
      req.credentials = 'include';
    },
  };
}
