/**
 * What iam offers the request pipeline: who a SecretId stands for, and how often an account
 * may call. The gateway asks through these (src/gateway/deps.ts re-exports them); iam defines
 * them, so iam needs nothing of the gateway's and the two folders form no cycle.
 */
import type { Principal } from './principal.ts';

/**
 * Ports the gateway asks on every request may answer synchronously (from a cache) or with a
 * promise (after a store read); the steps stay synchronous in the first case.
 */
export type MaybePromise<T> = T | Promise<T>;

export interface ResolvedCredential {
  principal: Principal;
  secretKey: string;
  /** Set for temporary credentials: requests must carry this token until `expiresAt`. */
  token?: { matches(token: string): boolean; expiresAt: number };
}

export interface CredentialResolver {
  resolve(secretId: string): MaybePromise<ResolvedCredential | undefined>;
}

export interface RateLimiter {
  /** Counts one request; false when the account is over `limit` per second for this action. */
  take(key: string, limit: number, now: number): Promise<boolean> | boolean;
}
