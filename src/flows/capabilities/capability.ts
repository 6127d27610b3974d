/**
 * A capability's part in the long operations: steps it adds to provisioning (after the OS is
 * installed), to the rescue of a failed provisioning, and to a return (after power-off, before
 * the wipe), plus what it releases in the return's final transaction.
 *
 * Each capability (heartbeat VLANs, out-of-band access, public IPs, …) lives in its own module
 * and is listed in `index.ts`; the flows stay the same ordered lists of idempotent steps.
 */
import type { FlowStep } from '../../tasks/flow.ts';
import type { FlowDeps } from '../deps.ts';
import type { Tx } from '../../store/store.ts';

export interface ReleaseContext {
  instanceId: string;
  now: number;
  /** TerminateInstances.ReleaseAddress: give the EIP back to the pool, not just unbind it. */
  releaseAddress: boolean;
}

export interface Capability {
  name: string;
  provisionSteps?: ReadonlyArray<FlowStep<FlowDeps>>;
  provisionRescueSteps?: ReadonlyArray<FlowStep<FlowDeps>>;
  returnSteps?: ReadonlyArray<FlowStep<FlowDeps>>;
  release?(tx: Tx, ctx: ReleaseContext): Promise<void>;
}
