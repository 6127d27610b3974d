/**
 * Spread placement groups (CreateDisasterRecoverGroup … ModifyInstancesGroupId): the bms actions of this capability, by name.
 * An action missing here is registered as not yet available by bms-service.ts.
 */
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { Handler } from '../types.ts';

export function placementHandlers(_deps: BmsServiceDeps): Record<string, Handler> {
  return {};
}
