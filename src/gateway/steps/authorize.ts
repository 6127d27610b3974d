/**
 * Step: may this principal call this action at all? (before the parameters are read)
 *
 * Operator services accept operator accounts only. Then CAM (src/iam/policy/decide.ts): the
 * root user holds every right in its account; any other user — and any temporary key with a
 * session policy — is refused here when none of its policies could allow the action (no
 * allow statement names it, or an unconditional deny covers it), before its parameters are
 * even looked at. Which resources are touched is settled after validation, by
 * `authorize-resources`.
 */
import { accountWideResource, mayBeAllowed, needsEvaluation } from '../../iam/authorization.ts';
import { unauthorizedOperation } from '../../shared/errors.ts';
import type { Exchange } from '../exchange.ts';

export function authorize(ex: Exchange): void {
  const { service, serviceName, name } = ex.action!;
  const principal = ex.principal!;
  const refused = () => unauthorizedOperation(`${serviceName}:${name}`, accountWideResource(serviceName, ex.common!.region, principal.accountUin));
  if (service.audience === 'operator' && principal.accountKind !== 'operator') throw refused();
  if (needsEvaluation(principal) && !mayBeAllowed(principal, serviceName, name)) throw refused();
}
