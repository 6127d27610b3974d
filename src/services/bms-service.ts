/**
 * The `bms` service (2018-08-13): its spec and one handler per action.
 *
 * `scripts/check` and the registry test fail if an action of the spec has no entry here. An
 * action whose resources are not built yet is registered explicitly as not yet available.
 */
import bmsSpec from '../spec/bms.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import { notYetAvailable } from './not-yet-available.ts';
import { accessHandlers } from './access/handlers.ts';
import type { BmsServiceDeps } from './bms-deps.ts';
import { heartbeatHandlers } from './heartbeats/handlers.ts';
import { placementHandlers } from './placement/handlers.ts';
import { instanceHandlers } from './instances/handlers.ts';
import { describeRegions, describeZones } from './regions/regions-service.ts';
import type { Handler, ServiceDefinition } from './types.ts';

export const BMS_SPEC = serviceSpecSchema.parse(bmsSpec);

const LATER: Array<[string[], string, string]> = [
  [
    ['CreateDisasterRecoverGroup', 'UpdateDisasterRecoverGroup', 'DeleteDisasterRecoverGroups', 'DescribeDisasterRecoverGroups',
      'ModifyInstancesGroupId'],
    'spread placement groups', '分散置放群组功能',
  ],
  [
    ['CreateHeartbeat', 'UpdateHeartbeat', 'DeleteHeartbeats', 'DescribeHeartbeats', 'ModifyHeartbeat'],
    'heartbeat network groups and a VLAN range', '心跳网络组功能与 VLAN 资源',
  ],
  [['CreateBackupIP', 'ReturnBackupIP'], 'backup IPs on instances', '实例备用 IP 功能'],
  [['CreateOutbandIP', 'DescribeOutbandIP', 'DeleteOutbandIP', 'DescribeOutbandInfo'], 'out-of-band access to instances', '带外访问功能'],
];

export function bmsService(deps: BmsServiceDeps): ServiceDefinition {
  const handlers: Record<string, Handler> = {
    DescribeRegions: describeRegions(deps.regions),
    DescribeZones: describeZones(deps.regions),
    ...instanceHandlers(deps),
    ...placementHandlers(deps),
    ...heartbeatHandlers(deps),
    ...accessHandlers(deps),
  };
  for (const [actions, needs, needsZh] of LATER) {
    for (const action of actions) handlers[action] ??= notYetAvailable(action, needs, needsZh);
  }
  return { spec: BMS_SPEC, audience: 'tenant', handlers };
}
