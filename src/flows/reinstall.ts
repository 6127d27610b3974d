/**
 * Reinstall (ResetInstance): the system disk is wiped and the OS installed afresh with the new
 * image, RAID layout and password recorded by the API call. The server, its addresses and its
 * public IP stay. A failure leaves the instance STOPPED with the reason.
 */
import type { Flow } from '../tasks/flow.ts';
import { gateStep, MINUTE, onServer, powerStep, recordPower, wipeStep } from './common-steps.ts';
import type { FlowDeps } from './deps.ts';
import { installConfigFor } from './network-info.ts';

export const reinstallFlow: Flow<FlowDeps> = {
  name: 'reinstall',
  steps: [
    powerStep('power-off', 'off'),
    wipeStep('wipe-system-disk', 'system'),
    {
      name: 'build-raid', timeoutMs: 30 * MINUTE,
      run: (ctx) => onServer(ctx, async ({ driver, target }) => {
        const inst = await ctx.deps.store.db.selectFrom('instances').select('raid_type').where('id', '=', ctx.task.instanceId!).executeTakeFirstOrThrow();
        await driver.raid.buildRaid(target, inst.raid_type);
      }),
    },
    {
      name: 'install-os', timeoutMs: 120 * MINUTE,
      run: (ctx) => onServer(ctx, async ({ driver, target }) => {
        await driver.deploy.installOs(target, await installConfigFor(ctx.deps.store.db, ctx.task.instanceId!));
        await recordPower(ctx, 'on');
      }),
    },
    powerStep('power-on', 'on'),
    gateStep('mark-running', 'reset_done', () => ({ error: null, password_hash: null })),
  ],
  rescue: [gateStep('mark-reset-failed', 'reset_failed', (ctx) => ({ error: ctx.failure ?? 'reinstall failed', password_hash: null }))],
};
