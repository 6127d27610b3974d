/**
 * The `bms` service (2018-08-13): its spec and one handler per action.
 *
 * test/spec.test.ts fails if an action of the spec has no handler here.
 */
import bmsSpec from '../spec/bms.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import { accessHandlers } from './access/handlers.ts';
import type { BmsServiceDeps } from './bms-deps.ts';
import { heartbeatHandlers } from './heartbeats/handlers.ts';
import { placementHandlers } from './placement/handlers.ts';
import { instanceHandlers } from './instances/handlers.ts';
import { describeRegions, describeZones } from './regions/regions-service.ts';
import type { Handler, ServiceDefinition } from './types.ts';

export const BMS_SPEC = serviceSpecSchema.parse(bmsSpec);

export function bmsService(deps: BmsServiceDeps): ServiceDefinition {
  const handlers: Record<string, Handler> = {
    DescribeRegions: describeRegions(deps.regions),
    DescribeZones: describeZones(deps.regions),
    ...instanceHandlers(deps),
    ...placementHandlers(deps),
    ...heartbeatHandlers(deps),
    ...accessHandlers(deps),
  };
  return { spec: BMS_SPEC, audience: 'tenant', handlers };
}
