/**
 * The monitoring agent's credential in the long operations: provisioning and reinstalls issue
 * (or rotate) it in the install-os step (common-steps.ts); a failed provisioning and a return
 * revoke it, so a server's agent can push only while the instance is the tenant's.
 */
import { revokeAgentToken } from '../../store/repos/monitor-agents.ts';
import { MINUTE } from '../common-steps.ts';
import type { Capability } from './capability.ts';

export const monitoringCapability: Capability = {
  name: 'monitoring',
  provisionRescueSteps: [
    { name: 'revoke-monitor-agent', timeoutMs: MINUTE, run: (ctx) => revokeAgentToken(ctx.deps.store.db, ctx.task.instanceId!) },
  ],
  release: (tx, ctx) => revokeAgentToken(tx, ctx.instanceId),
};
