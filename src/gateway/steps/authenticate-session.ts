/**
 * Step (the web console's branch of `authenticate`): who is calling, proven by a session.
 *
 * The console's browser sends the same requests as an SDK — `POST /`, JSON body, X-TC-Action
 * and friends — but instead of a TC3 signature it carries the session cookie set at login and,
 * on every call, the session's CSRF token in a header (a page of another site can make the
 * browser send the cookie — SameSite=Strict already stops that in current browsers — but cannot
 * read the token). Only this step differs: the principal found here goes through the same
 * rate limits, CAM checks, validation, audit and error envelopes as a signed request's.
 */
import { sessionFailure } from '../../shared/errors.ts';
import type { Principal } from '../../services/types.ts';
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';

/** The session token of the request's cookie, or undefined (no console, no cookie). */
export function sessionToken(ex: Exchange, deps: GatewayDeps | undefined): string | undefined {
  if (!deps?.sessions) return undefined;
  return cookieValue(header(ex, 'cookie'), deps.sessions.cookieName);
}

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function authenticateSession(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  const sessions = deps.sessions!;
  const token = sessionToken(ex, deps)!;
  const found = sessions.principalOf(token, header(ex, sessions.csrfHeader.toLowerCase()), deps.clock());
  if (found instanceof Promise) return found.then((p) => admit(ex, p));
  admit(ex, found);
}

function admit(ex: Exchange, found: Principal | { refused: { en: string; zh: string } }): void {
  if ('refused' in found) throw sessionFailure(found.refused.en, found.refused.zh);
  ex.principal = found;
}
