/**
 * Step: per-account, per-action request rate (SPEC §2: 40 / 20 / 10 per second).
 */
import { requestLimitExceeded } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';

export function rateLimit(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  const { serviceName, name, rateLimit: limit } = ex.action!;
  const key = `${ex.principal!.accountUin}/${serviceName}/${name}`;
  const allowed = deps.rateLimiter.take(key, limit, deps.clock());
  if (allowed === true) return; // decided locally (the common case): stay synchronous
  if (allowed === false) throw requestLimitExceeded(name, limit);
  return allowed.then((ok) => {
    if (!ok) throw requestLimitExceeded(name, limit);
  });
}
