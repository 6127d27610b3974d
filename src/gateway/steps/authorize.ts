/**
 * Step: may this principal call this action at all?
 *
 * Operator services accept operator accounts only. Per-resource CAM policies are evaluated by
 * the IAM layer once it exists; until then a tenant's keys may call every tenant action on
 * its own resources (services scope every query to the caller's account).
 */
import { unauthorizedOperation } from '../../shared/errors.ts';
import type { Exchange } from '../exchange.ts';

export function authorize(ex: Exchange): void {
  const { service, serviceName, name } = ex.action!;
  if (service.audience === 'operator' && ex.principal!.accountKind !== 'operator') {
    throw unauthorizedOperation(`${serviceName}:${name}`, `qcs::${serviceName}:${ex.common!.region}:uin/${ex.principal!.accountUin}:*`);
  }
}
