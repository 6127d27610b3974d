/**
 * The web console, server side: sessions, sign-in limits, the live feed and the HTTP routes,
 * assembled for the composition root. The gateway gets `authenticator` (its session branch);
 * the HTTP edge gets `routes`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditSink, SessionAuthenticator } from '../gateway/deps.ts';
import type { Store } from '../store/store.ts';
import { consoleRoutes, CSRF_HEADER, SESSION_COOKIE } from './console-http.ts';
import { liveFeed } from './live-feed.ts';
import { DEFAULT_LOGIN_LIMITS, loginLimiter, type LoginLimits } from './login-limiter.ts';
import { consoleSessions, type SessionLimits } from './sessions.ts';

export interface ConsoleOptions {
  store: Store;
  region: string;
  limits: SessionLimits;
  loginLimits?: LoginLimits;
  audit?: AuditSink;
  clock: () => number;
  newRequestId: () => string;
  logger: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** Folder of the built app; default: dist/console of the project (found from the bundle or the sources). */
  staticDir?: string;
}

export function startConsole(o: ConsoleOptions) {
  const sessions = consoleSessions(o.store, o.limits);
  const feed = liveFeed(o.store, o.region, o.logger);
  const staticDir = o.staticDir ?? builtAppDir();
  const routes = consoleRoutes({
    sessions, limiter: loginLimiter(o.loginLimits ?? DEFAULT_LOGIN_LIMITS), feed, ...(o.audit ? { audit: o.audit } : {}), region: o.region,
    staticDir, clock: o.clock, newRequestId: o.newRequestId, logger: o.logger,
  });
  const authenticator: SessionAuthenticator = { cookieName: SESSION_COOKIE, csrfHeader: CSRF_HEADER, principalOf: sessions.principalOf };
  const purge = setInterval(() => void sessions.purge(o.clock()).catch((err) => o.logger.error({ err }, 'console session purge failed')), 60_000);
  purge.unref();
  return {
    sessions, feed, routes, authenticator, staticDir,
    close() {
      clearInterval(purge);
      feed.close();
    },
  };
}

export type RunningConsole = ReturnType<typeof startConsole>;

/** dist/console beside the bundle (dist/bms.mjs), beside a bundle's scratch folder of the project, or two levels above this source file. */
export function builtAppDir(): string | undefined {
  for (const rel of ['./console/', '../dist/console/', '../../dist/console/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}
