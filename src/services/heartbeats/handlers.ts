/**
 * Heartbeat network groups (CreateHeartbeat … ModifyHeartbeat): the bms actions of this capability, by name.
 *
 * A group (心跳网络组) is an isolated VLAN for cluster heartbeats: CreateHeartbeat allocates it
 * from the operator's ranges (the rule: src/network/vlans.ts), ModifyHeartbeat moves instances'
 * heartbeat ports into it through durable tasks, and a return takes them out again
 * (src/flows/capabilities/heartbeat.ts). Operators see the applied VLAN of every port with
 * bmsops DescribeSwitchPorts and set the ranges with SetHeartbeatVlanRange.
 */
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { Handler } from '../types.ts';
import { createHeartbeat, deleteHeartbeats, describeHeartbeats, updateHeartbeat } from './groups.ts';
import { modifyHeartbeat } from './modify-heartbeat.ts';

export function heartbeatHandlers(deps: BmsServiceDeps): Record<string, Handler> {
  return {
    CreateHeartbeat: createHeartbeat(deps),
    UpdateHeartbeat: updateHeartbeat(deps),
    DeleteHeartbeats: deleteHeartbeats(deps),
    DescribeHeartbeats: describeHeartbeats(deps),
    ModifyHeartbeat: modifyHeartbeat(deps),
  };
}
