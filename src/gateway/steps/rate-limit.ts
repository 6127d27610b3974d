/**
 * Step: per-account, per-action request rate (SPEC §2: 40 / 20 / 10 per second).
 */
import { requestLimitExceeded } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';

export async function rateLimit(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const { serviceName, name, rateLimit: limit } = ex.action!;
  const key = `${ex.principal!.accountUin}/${serviceName}/${name}`;
  if (!(await deps.rateLimiter.take(key, limit, deps.clock()))) throw requestLimitExceeded(name, limit);
}
