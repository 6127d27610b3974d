/**
 * The `monitor` service (2018-07-24, Tencent Cloud Monitor's action and field names): the
 * metrics of a tenant's bare metal servers under namespace QCE/BMS, dimension InstanceId. Its
 * spec is src/spec/monitor.json; samples arrive through src/monitoring (agent pushes, the
 * simulated datacenter, BMC sensors) and are rolled up by the rollup job.
 */
import monitorSpec from '../spec/monitor.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { Store } from '../store/store.ts';
import type { SecretSealer } from '../flows/deps.ts';
import { createAlarmPolicy, describeAlarmHistories, describeAlarmPolicies } from './monitor/alarm-policies.ts';
import { describeBaseMetrics } from './monitor/describe-base-metrics.ts';
import { getMonitorData } from './monitor/get-monitor-data.ts';
import type { ServiceDefinition } from './types.ts';

export const MONITOR_SPEC = serviceSpecSchema.parse(monitorSpec);

export function monitorService(deps: { store: Store; box: SecretSealer }): ServiceDefinition {
  return {
    spec: MONITOR_SPEC,
    audience: 'tenant',
    handlers: {
      GetMonitorData: getMonitorData(deps),
      DescribeBaseMetrics: describeBaseMetrics(),
      CreateAlarmPolicy: createAlarmPolicy(deps),
      DescribeAlarmPolicies: describeAlarmPolicies(deps),
      DescribeAlarmHistories: describeAlarmHistories(deps),
    },
  };
}
