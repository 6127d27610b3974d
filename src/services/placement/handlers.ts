/**
 * Spread placement groups (CreateDisasterRecoverGroup … ModifyInstancesGroupId): the bms actions of this capability, by name.
 * An action missing here is registered as not yet available by bms-service.ts. Launching into
 * a group is RunInstances' (src/services/instances/choose-servers.ts), with the same scheduler.
 */
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { Handler } from '../types.ts';
import { describeGroups } from './describe.ts';
import { createGroup, deleteGroupsHandler, updateGroup } from './groups.ts';
import { joinGroup } from './join-group.ts';

export function placementHandlers(deps: BmsServiceDeps): Record<string, Handler> {
  return {
    CreateDisasterRecoverGroup: createGroup(deps.store),
    UpdateDisasterRecoverGroup: updateGroup(deps.store),
    DeleteDisasterRecoverGroups: deleteGroupsHandler(deps.store),
    DescribeDisasterRecoverGroups: describeGroups(deps.store),
    ModifyInstancesGroupId: joinGroup(deps.store),
  };
}
