/**
 * Return (TerminateInstances): power off → wipe every disk → release what the instance held and
 * give the server back to the pool. The instance leaves every listing at the last step.
 *
 * A server whose power-off or wipe fails for good is quarantined (maintenance, with the
 * reason) instead of returning to the pool — a tenant's data must never reach the next
 * tenant — and the return still completes for the tenant.
 */
import { applyEvent } from '../lifecycle/gate.ts';
import { releaseByOwner } from '../store/repos/ip-allocations.ts';
import { forgetTagsOf } from '../store/repos/resource-tags.ts';
import type { Flow } from '../tasks/flow.ts';
import { MINUTE, powerStep, quarantine, returnServer, wipeStep } from './common-steps.ts';
import type { FlowDeps } from './deps.ts';
import { releaseAll, returnSteps } from './capabilities/index.ts';

export const terminateFlow: Flow<FlowDeps> = {
  name: 'terminate',
  steps: [
    powerStep('power-off', 'off', quarantine),
    ...returnSteps(),
    wipeStep('wipe-disks', 'all', quarantine),
    {
      name: 'release', timeoutMs: MINUTE,
      run: (ctx) => ctx.deps.store.transaction(async (tx) => {
        const instanceId = ctx.task.instanceId!;
        await releaseAll(tx, { instanceId, now: ctx.now(), releaseAddress: ctx.task.context.releaseAddress === true });
        await releaseByOwner(tx, instanceId);
        await forgetTagsOf(tx, ctx.task.accountUin, [{ kind: 'instance', id: instanceId }]);
        await returnServer(tx, ctx.task.serverId, ctx.now());
        await applyEvent(tx, [instanceId], 'terminated', ctx.now(), { idempotent: true, logger: ctx.deps.logger, set: { server_id: null } });
      }),
    },
  ],
};
