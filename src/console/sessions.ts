/**
 * Console sessions: sign-in with the console password CAM stores as a slow hash, a random
 * session token in an HttpOnly cookie, and the session's CSRF token.
 *
 * - The token is 32 random bytes; the store keeps only its SHA-256 (console_sessions), so a
 *   copy of the database opens no session.
 * - The CSRF token is an HMAC of the session token: nothing more to store, and a page that
 *   cannot read the cookie cannot compute it. The console reads it from `GET
 *   /console/api/session` (same origin only) and sends it on every API call.
 * - A session ends at its absolute expiry, after `idleMs` without a request, or at logout.
 *   The last-seen time is written at most once a minute per session.
 * - The principal is the user's own (root, or a sub-user with its attached CAM policies), read
 *   again at most every second, so a policy change applies as it does for API keys.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../services/types.ts';
import { policiesForKey } from '../iam/policies.ts';
import { verifyConsoleLogin } from '../iam/users.ts';
import { getAccountByUin } from '../store/repos/accounts.ts';
import {
  deleteConsoleSession, getConsoleLanguage, getConsoleSession, insertConsoleSession, purgeConsoleSessions, setConsoleLanguage,
  touchConsoleSession,
} from '../store/repos/console-sessions.ts';
import { getUser, getUserByName, type User } from '../store/repos/users.ts';
import type { Store } from '../store/store.ts';

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export interface SignedIn {
  token: string;
  csrf: string;
  principal: Principal;
  user: User;
  expiresAt: number;
}

export interface LiveSession {
  principal: Principal;
  user: User;
  csrf: string;
  expiresAt: number;
  idleExpiresAt: number;
  language: string | undefined;
}

export type Refusal = { refused: { en: string; zh: string } };

const TOUCH_EVERY_MS = 60_000;
const PRINCIPAL_TTL_MS = 1_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
export const csrfOf = (token: string) => createHmac('sha256', token).update('bms-console-csrf').digest('base64url');

export function consoleSessions(store: Store, limits: SessionLimits) {
  const cache = new Map<string, { value: LiveSession | undefined; until: number }>();

  async function principalFor(user: User): Promise<Principal | undefined> {
    const account = await getAccountByUin(store.db, user.accountUin);
    if (!account) return undefined;
    const policies = user.isRoot ? [] : await policiesForKey(store.db, { userId: user.id, isRoot: false, secretId: '' });
    return {
      accountUin: account.uin, appId: account.appId, accountKind: account.kind, userId: user.id, userUin: user.uin,
      isRoot: user.isRoot, secretId: '', ...(policies.length > 0 ? { policies } : {}),
    };
  }

  async function load(token: string, now: number): Promise<LiveSession | Refusal> {
    const tokenHash = hashToken(token);
    const hit = cache.get(tokenHash);
    let live = hit && hit.until > now ? hit.value : undefined;
    if (!live) {
      const row = await getConsoleSession(store.db, tokenHash);
      if (!row) return refusal('the session does not exist or has ended; sign in again', '会话不存在或已结束，请重新登录');
      if (row.expiresAt <= now) return expired();
      if (row.lastSeenAt + limits.idleMs <= now) return expired();
      const user = await getUser(store.db, row.userId);
      const principal = user && (await principalFor(user));
      if (!user || !principal) return refusal('the user of this session no longer exists', '该会话的用户已不存在');
      live = {
        principal, user, csrf: csrfOf(token), expiresAt: row.expiresAt, idleExpiresAt: row.lastSeenAt + limits.idleMs,
        language: await getConsoleLanguage(store.db, user.id),
      };
      if (now - row.lastSeenAt >= TOUCH_EVERY_MS) {
        await touchConsoleSession(store.db, tokenHash, now);
        live.idleExpiresAt = now + limits.idleMs;
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(tokenHash, { value: live, until: now + PRINCIPAL_TTL_MS });
    }
    if (live.expiresAt <= now || live.idleExpiresAt <= now) return expired();
    return live;
  }

  return {
    limits,
    /** The user if account, name and password match a user allowed to sign in to the console. */
    async verify(accountUin: string, userName: string, password: string): Promise<User | undefined> {
      return verifyConsoleLogin(store.db, accountUin, userName, password);
    },
    async knownUser(accountUin: string, userName: string): Promise<User | undefined> {
      return getUserByName(store.db, accountUin, userName);
    },
    async open(user: User, sourceIp: string, now: number): Promise<SignedIn | undefined> {
      const principal = await principalFor(user);
      if (!principal) return undefined;
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + limits.absoluteMs;
      await insertConsoleSession(store.db, {
        tokenHash: hashToken(token), accountUin: user.accountUin, userId: user.id, sourceIp, createdAt: now, lastSeenAt: now, expiresAt,
      });
      return { token, csrf: csrfOf(token), principal, user, expiresAt };
    },
    session: load,
    /** The gateway's port: the principal, if the session is live and `csrf` is its token. */
    async principalOf(token: string, csrf: string | undefined, now: number): Promise<Principal | Refusal> {
      const live = await load(token, now);
      if ('refused' in live) return live;
      if (!csrf || !sameText(csrf, live.csrf)) {
        return refusal('the request lacks the session\'s CSRF token (X-CSRF-Token)', '请求缺少该会话的 CSRF 令牌（X-CSRF-Token）');
      }
      return live.principal;
    },
    async close(token: string): Promise<void> {
      const tokenHash = hashToken(token);
      cache.delete(tokenHash);
      await deleteConsoleSession(store.db, tokenHash);
    },
    async setLanguage(userId: string, language: string, now: number): Promise<void> {
      await setConsoleLanguage(store.db, userId, language, now);
      cache.clear();
    },
    purge: (now: number) => purgeConsoleSessions(store.db, now, now - limits.idleMs),
  };
}

export type ConsoleSessions = ReturnType<typeof consoleSessions>;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const refusal = (en: string, zh: string): Refusal => ({ refused: { en, zh } });
const expired = () => refusal('the session has expired; sign in again', '会话已过期，请重新登录');
