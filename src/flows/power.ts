/**
 * Power operations (Start/Stop/RebootInstances): one hardware step, then the lifecycle event.
 * If the BMC refuses for good, the instance returns to the state it came from, with the error.
 */
import type { Flow } from '../tasks/flow.ts';
import { gateStep, MINUTE, onServer, powerStep, recordPower } from './common-steps.ts';
import type { FlowDeps } from './deps.ts';

const failureNote = (ctx: { failure?: string }) => ({ error: ctx.failure ?? null });

export const startFlow: Flow<FlowDeps> = {
  name: 'start',
  steps: [powerStep('power-on', 'on'), gateStep('mark-running', 'started', () => ({ error: null }))],
  rescue: [gateStep('mark-start-failed', 'start_failed', failureNote)],
};

export const stopFlow: Flow<FlowDeps> = {
  name: 'stop',
  steps: [powerStep('power-off', 'off'), gateStep('mark-stopped', 'stopped', () => ({ error: null }))],
  rescue: [gateStep('mark-stop-failed', 'stop_failed', failureNote)],
};

export const rebootFlow: Flow<FlowDeps> = {
  name: 'reboot',
  steps: [
    {
      name: 'reboot', timeoutMs: 10 * MINUTE,
      run: (ctx) => onServer(ctx, async ({ driver, target }) => {
        await driver.power.reboot(target);
        await recordPower(ctx, 'on');
      }),
    },
    gateStep('mark-running', 'rebooted', () => ({ error: null })),
  ],
  rescue: [gateStep('mark-reboot-failed', 'reboot_failed', failureNote)],
};
