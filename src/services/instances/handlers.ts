/**
 * The instance-related bms actions, by name.
 */
import type { Handler } from '../types.ts';
import { modifyInstancesAttribute, powerAction, terminateInstances } from './batch-actions.ts';
import { describeDisks, describeFlavors, inquiryPrice } from './catalog-queries.ts';
import type { InstanceServiceDeps } from './deps.ts';
import { describeInstances } from './describe-instances.ts';
import { resetInstance } from './reset-instance.ts';
import { runInstances } from './run-instances.ts';
import { describeTasks, queryTask } from './task-queries.ts';

export function instanceHandlers(deps: InstanceServiceDeps): Record<string, Handler> {
  return {
    RunInstances: runInstances(deps),
    StartInstances: powerAction(deps, 'StartInstances', 'start', 'start'),
    StopInstances: powerAction(deps, 'StopInstances', 'stop', 'stop'),
    RebootInstances: powerAction(deps, 'RebootInstances', 'reboot', 'reboot'),
    ResetInstance: resetInstance(deps),
    TerminateInstances: terminateInstances(deps),
    ModifyInstancesAttribute: modifyInstancesAttribute(deps),
    DescribeInstances: describeInstances(deps),
    DescribeFlavors: describeFlavors(deps),
    DescribeDisks: describeDisks(deps),
    InquiryPriceBmsInstanceForTrade: inquiryPrice(deps),
    QueryTask: queryTask(deps),
    DescribeTasks: describeTasks(deps),
  };
}
