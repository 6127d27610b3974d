/**
 * Provisioning (RunInstances): a fresh server becomes a RUNNING instance.
 *
 *   power-off → build-raid → install-os → power-on → mark-running
 *
 * install-os hands the installer a cloud-init-style config (host name, password hash, static
 * network) — never the clear password. If a step fails for good, the rescue steps mark the
 * instance CREATE_FAILED with the reason and release its addresses at once, then power the
 * server off, wipe it and return it to the pool (or quarantine it when the wipe fails).
 */
import { applyEvent } from '../lifecycle/gate.ts';
import { releaseByOwner } from '../store/repos/ip-allocations.ts';
import type { Flow } from '../tasks/flow.ts';
import { buildRaidStep, gateStep, installOsStep, MINUTE, powerStep, quarantine, returnServer, wipeStep } from './common-steps.ts';
import type { FlowDeps } from './deps.ts';
import { provisionRescueSteps, provisionSteps } from './capabilities/index.ts';
import { detachServer } from '../store/repos/instances.ts';

export const provisionFlow: Flow<FlowDeps> = {
  name: 'provision',
  steps: [
    powerStep('power-off', 'off'),
    buildRaidStep,
    installOsStep,
    ...provisionSteps(),
    powerStep('power-on', 'on'),
    // The password hash served its purpose: it does not outlive the install.
    gateStep('mark-running', 'provisioned', () => ({ error: null, password_hash: null })),
  ],
  rescue: [
    {
      name: 'mark-create-failed', timeoutMs: MINUTE,
      run: (ctx) => ctx.deps.store.transaction(async (tx) => {
        await applyEvent(tx, [ctx.task.instanceId!], 'provision_failed', ctx.now(), {
          idempotent: true, logger: ctx.deps.logger, set: { error: ctx.failure ?? 'provisioning failed', password_hash: null, private_ip: null },
        });
        await releaseByOwner(tx, ctx.task.instanceId!);
      }),
    },
    ...provisionRescueSteps(),
    powerStep('power-off', 'off', quarantine),
    wipeStep('wipe-disks', 'all', quarantine),
    {
      name: 'return-server', timeoutMs: MINUTE,
      run: (ctx) => ctx.deps.store.transaction(async (tx) => {
        await returnServer(tx, ctx.task.serverId, ctx.now());
        await detachServer(tx, ctx.task.instanceId!);
      }),
    },
  ],
};
