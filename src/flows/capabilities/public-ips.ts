/**
 * Public IPs (EIPs) in the long operations.
 *
 * Return (TerminateInstances): the instance's EIPs are unbound in the return's final
 * transaction and stay the account's — or, with ReleaseAddress=true, go back to the operator's
 * pool. A failed launch (provisioning rescue): the EIPs its RunInstances allocated are given
 * back at once, together with the private addresses they pointed at — a launch that produced
 * no server leaves no public IP billed to the tenant. (Only a launch binds an EIP to an instance
 * that never ran: AssociateAddress takes RUNNING or STOPPED instances only.) Both are
 * idempotent: a resumed step finds nothing left to do.
 */
import { releaseInstanceEips, unbindInstance } from '../../store/repos/eips.ts';
import { MINUTE } from '../common-steps.ts';
import type { Capability } from './capability.ts';

export const publicIpCapability: Capability = {
  name: 'public-ips',
  provisionRescueSteps: [
    {
      name: 'release-public-ips', timeoutMs: MINUTE,
      run: (ctx) => ctx.deps.store.transaction(async (tx) => {
        const released = await releaseInstanceEips(tx, ctx.task.instanceId!);
        if (released > 0) ctx.deps.logger.info({ instanceId: ctx.task.instanceId, released }, 'public IPs of a failed launch released');
      }),
    },
  ],
  async release(tx, ctx) {
    if (ctx.releaseAddress) await releaseInstanceEips(tx, ctx.instanceId);
    else await unbindInstance(tx, ctx.instanceId, ctx.now);
  },
};
