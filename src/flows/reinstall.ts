/**
 * Reinstall (ResetInstance): the system disk is wiped and the OS installed afresh with the new
 * image, RAID layout and password recorded by the API call. The server, its addresses and its
 * public IP stay. A failure leaves the instance STOPPED with the reason.
 */
import type { Flow } from '../tasks/flow.ts';
import { buildRaidStep, gateStep, installOsStep, powerStep, wipeStep } from './common-steps.ts';
import type { FlowDeps } from './deps.ts';

export const reinstallFlow: Flow<FlowDeps> = {
  name: 'reinstall',
  steps: [
    powerStep('power-off', 'off'),
    wipeStep('wipe-system-disk', 'system'),
    buildRaidStep,
    installOsStep,
    powerStep('power-on', 'on'),
    gateStep('mark-running', 'reset_done', () => ({ error: null, password_hash: null })),
  ],
  rescue: [gateStep('mark-reset-failed', 'reset_failed', (ctx) => ({ error: ctx.failure ?? 'reinstall failed', password_hash: null }))],
};
