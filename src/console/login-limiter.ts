/**
 * Sign-in attempts, limited per user and per source address.
 *
 * Failed attempts are counted in a sliding window: after `perUser` failures for one user (any
 * address) or `perAddress` failures from one address (any user), further attempts are refused
 * without checking the password until the oldest failure leaves the window — the caller is
 * told how long that is. A success clears the user's count. Counting is in this process's
 * memory (a restart forgets it); the password hash is slow enough that guessing is bounded
 * either way.
 */
export interface LoginLimits {
  perUser: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60_000 };

export function loginLimiter(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const list = (failures.get(key) ?? []).filter((t) => t > now - limits.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  const waitOf = (list: number[], max: number, now: number) => (list.length >= max ? list[list.length - max]! + limits.windowMs - now : 0);
  return {
    /** Milliseconds until an attempt is allowed (0: now), and which limit holds it back. */
    blocked(user: string, address: string, now: number): { waitMs: number; by: 'user' | 'address' } | undefined {
      const byUser = waitOf(recent(`u:${user}`, now), limits.perUser, now);
      const byAddress = waitOf(recent(`a:${address}`, now), limits.perAddress, now);
      if (byUser <= 0 && byAddress <= 0) return undefined;
      return byUser >= byAddress ? { waitMs: byUser, by: 'user' } : { waitMs: byAddress, by: 'address' };
    },
    failed(user: string, address: string, now: number): void {
      for (const key of [`u:${user}`, `a:${address}`]) failures.set(key, [...recent(key, now), now]);
      if (failures.size > 100_000) failures.clear();
    },
    succeeded(user: string): void {
      failures.delete(`u:${user}`);
    },
  };
}
