/**
 * Heartbeat VLAN groups in the long operations.
 *
 * ModifyHeartbeat records the membership at once and creates one `heartbeat-vlan` task per
 * instance; that task, holding the server's lock like every hardware change, makes the switch
 * agree with the store. Its step does not carry "the VLAN to apply": it reads the instance's
 * membership when it runs and applies that, so tasks that pile up for one server (two quick
 * moves) converge on the last membership whatever order they run in.
 *
 * A return (TerminateInstances) resets the heartbeat port to the default VLAN after power-off
 * and removes the membership in its final transaction. The port is reset whenever BMS ever
 * touched it (it has a `switch_ports` row), whatever the row says, so a crash between a switch
 * call and its record cannot leave a tenant's VLAN on a port that goes to the next tenant. If
 * the switch cannot be reset for good, the server is quarantined (maintenance) instead — the
 * return still completes for the tenant.
 */
import { DriverError } from '../../drivers/interfaces/hardware.ts';
import { deleteMembership, membershipOf } from '../../store/repos/heartbeats.ts';
import { ensurePort, getPort, recordPort } from '../../store/repos/switch-ports.ts';
import type { Flow, FlowStep, StepContext } from '../../tasks/flow.ts';
import { MINUTE, onServer, quarantine } from '../common-steps.ts';
import type { FlowDeps } from '../deps.ts';
import type { Capability } from './capability.ts';
import { liveInstancePlacement } from '../../store/repos/instances.ts';

type Ctx = StepContext<FlowDeps>;

/** What the task's server should carry: its instance's group VLAN, undefined for the default; `skip` when the instance left the server. */
async function wantedVlan(ctx: Ctx): Promise<{ skip: true } | { skip: false; vlan: number | undefined }> {
  const instance = await liveInstancePlacement(ctx.deps.store.db, ctx.task.instanceId!);
  // Returned, or being returned: the return resets the port; the server may be someone else's by now.
  if (!instance || instance.serverId !== ctx.task.serverId || instance.status === 'TERMINATING') return { skip: true };
  const membership = await membershipOf(ctx.deps.store.db, ctx.task.instanceId!);
  return { skip: false, vlan: membership?.vlanId };
}

const applyMembership: FlowStep<FlowDeps> = {
  name: 'configure-switch-port', timeoutMs: 2 * MINUTE,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    const wanted = await wantedVlan(ctx);
    if (wanted.skip) return;
    await ensurePort(ctx.deps.store.db, target.serverId, ctx.now());
    await driver.network.setHeartbeatVlan(target, wanted.vlan);
    await recordPort(ctx.deps.store.db, target.serverId, wanted.vlan ?? null, ctx.now());
  }),
};

/** ModifyHeartbeat's task: one instance's heartbeat port into its group's VLAN (or back to the default). */
export const heartbeatVlanFlow: Flow<FlowDeps> = {
  name: 'heartbeat-vlan',
  steps: [applyMembership],
};

const resetPort: FlowStep<FlowDeps> = {
  name: 'reset-heartbeat-port', timeoutMs: 2 * MINUTE, fallback: quarantine,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    if (!(await getPort(ctx.deps.store.db, target.serverId))) return; // never touched: nothing to undo
    try {
      await driver.network.setHeartbeatVlan(target, undefined);
    } catch (e) {
      // Hardware that cannot configure its switch never left the default VLAN.
      if (!(e instanceof DriverError && e.kind === 'unsupported')) throw e;
    }
    await recordPort(ctx.deps.store.db, target.serverId, null, ctx.now());
  }),
};

export const heartbeatCapability: Capability = {
  name: 'heartbeat',
  returnSteps: [resetPort],
  release: (tx, { instanceId }) => deleteMembership(tx, instanceId),
};
