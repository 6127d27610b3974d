/**
 * Every flow the task engine can run, by the name stored on a task.
 */
import type { Flow } from '../tasks/flow.ts';
import type { FlowDeps } from './deps.ts';
import { heartbeatVlanFlow } from './capabilities/heartbeat.ts';
import { rebootFlow, startFlow, stopFlow } from './power.ts';
import { provisionFlow } from './provision.ts';
import { reinstallFlow } from './reinstall.ts';
import { terminateFlow } from './terminate.ts';

export const FLOWS = {
  provision: provisionFlow,
  start: startFlow,
  stop: stopFlow,
  reboot: rebootFlow,
  reinstall: reinstallFlow,
  terminate: terminateFlow,
  'heartbeat-vlan': heartbeatVlanFlow,
} as const satisfies Record<string, Flow<FlowDeps>>;

export type FlowName = keyof typeof FLOWS;
