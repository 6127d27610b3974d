/**
 * Step: may this principal act on every resource the request names? (after validation)
 *
 * The resources are read from the validated input by member name, as the spec declares them
 * (src/iam/resources.ts): InstanceIds → instances, VirtualPrivateCloud.SubnetId → a subnet, …;
 * a request that names none is about the account as a whole (`…:uin/<uin>:*`). Each is
 * checked against the caller's policies (src/iam/policy/decide.ts), and the first one refused
 * stops the request with AuthFailure.UnauthorizedOperation naming the action and that
 * resource — a batch runs only when every one of its resources is allowed, so a refused batch
 * changes nothing. Resource tags are read only when a policy has a tag condition.
 *
 * Place it in STEPS right after `decode-params` (it needs `ex.input`).
 */
import { canReadResourceTags, firstDeniedResource, needsEvaluation, needsResourceTags, resourceRefs, type ResourceTags } from '../../iam/authorization.ts';
import { unauthorizedOperation } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';

export function authorizeResources(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (!needsEvaluation(ex.principal!)) return; // root users: nothing to evaluate, stay synchronous
  return evaluate(ex, deps);
}

async function evaluate(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const principal = ex.principal!;
  const { service, serviceName, name } = ex.action!;
  const region = ex.common!.region;
  const refs = resourceRefs(service.spec, name, ex.input ?? {});
  let tags: ResourceTags | undefined;
  if (refs.length > 0 && needsResourceTags(principal) && canReadResourceTags(deps.credentials)) {
    tags = await deps.credentials.resourceTags(principal.accountUin, refs);
  }
  const denied = firstDeniedResource(principal, { service: serviceName, action: name, region, accountUin: principal.accountUin, refs, tags });
  if (denied !== undefined) throw unauthorizedOperation(`${serviceName}:${name}`, denied);
}
