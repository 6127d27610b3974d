/**
 * Step: call the action's handler with a call context and the validated parameters — unless
 * the request is a repeat already answered (steps/guard-repeat.ts).
 */
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';

export async function dispatch(ex: Exchange, deps: GatewayDeps): Promise<void> {
  if (ex.repeatOf !== undefined) return;
  const { service, name } = ex.action!;
  const handler = service.handlers[name];
  if (!handler) throw new Error(`no handler registered for ${ex.action!.serviceName}.${name}`);
  ex.result = await handler(
    {
      requestId: ex.requestId,
      principal: ex.principal!,
      region: ex.common!.region,
      language: ex.language,
      now: deps.clock(),
      sourceIp: ex.request.remoteAddress,
    },
    ex.input!,
  );
}
