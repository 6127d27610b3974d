/**
 * Steps shared by several flows: power, wiping, quarantining a server, releasing what an
 * instance holds. Each is idempotent: it checks the state it is about to create.
 */
import { DriverError } from '../drivers/interfaces/hardware.ts';
import { applyEvent } from '../lifecycle/gate.ts';
import type { LifecycleEvent } from '../lifecycle/transitions.ts';
import type { FlowStep, StepContext } from '../tasks/flow.ts';
import type { FlowDeps } from './deps.ts';
import { installConfigFor } from './network-info.ts';
import { issueAgentToken, revokeAgentToken } from '../store/repos/monitor-agents.ts';
import type { InstallConfig } from '../drivers/interfaces/hardware.ts';
import { isInMaintenance, quarantineServer, recordServerPower, releaseServer } from '../store/repos/fleet-servers.ts';
import { monitorWishOf, raidTypeOf } from '../store/repos/instances.ts';

type Ctx = StepContext<FlowDeps>;
type Step = FlowStep<FlowDeps>;

export const MINUTE = 60_000;

/** Runs `fn` against the task's server; a task without a server (CREATE_FAILED) skips hardware work. */
export async function onServer(ctx: Ctx, fn: (h: Awaited<ReturnType<FlowDeps['servers']['get']>>) => Promise<void>): Promise<void> {
  const serverId = ctx.task.serverId;
  if (!serverId) return;
  await fn(await ctx.deps.servers.get(serverId));
}

export function powerStep(name: string, state: 'on' | 'off', fallback?: Step['fallback']): Step {
  return {
    name, timeoutMs: 5 * MINUTE, ...(fallback ? { fallback } : {}),
    run: (ctx) => onServer(ctx, async ({ driver, target }) => {
      await driver.power.setPowerState(target, state);
      await recordPower(ctx, state);
    }),
  };
}

export async function recordPower(ctx: Ctx, state: 'on' | 'off'): Promise<void> {
  if (!ctx.task.serverId) return;
  await recordServerPower(ctx.deps.store.db, ctx.task.serverId, state, ctx.now());
}

/** A lifecycle event as a step (idempotent: an instance already moved on is fine). */
export function gateStep(name: string, event: LifecycleEvent, extra?: (ctx: Ctx) => Record<string, unknown>): Step {
  return {
    name, timeoutMs: MINUTE,
    run: (ctx) => ctx.deps.store.transaction(async (tx) => {
      await applyEvent(tx, [ctx.task.instanceId!], event, ctx.now(), {
        idempotent: true, logger: ctx.deps.logger, ...(extra ? { set: extra(ctx) } : {}),
      });
    }),
  };
}

/** When a server cannot be trusted any more (wipe or power failed for good): out of the pool. */
export async function quarantine(ctx: Ctx, error: Error): Promise<void> {
  if (!ctx.task.serverId) return;
  await quarantineServer(ctx.deps.store.db, ctx.task.serverId, `task ${ctx.task.id} ${ctx.task.action}: ${error.message}`, ctx.now());
  ctx.deps.logger.warn({ serverId: ctx.task.serverId, taskId: ctx.task.id, err: error.message }, 'server put into maintenance');
}

export function wipeStep(name: string, scope: 'all' | 'system', onFailure?: Step['fallback']): Step {
  return {
    name, timeoutMs: scope === 'all' ? 60 * MINUTE : 15 * MINUTE, ...(onFailure ? { fallback: onFailure } : {}),
    run: (ctx) => onServer(ctx, async ({ driver, target }) => {
      if (await inMaintenance(ctx)) return; // quarantined earlier in this task: no more hardware work
      await skippedWhereUnsupported(ctx, 'wipe', () => driver.deploy.wipeDisks(target, scope));
    }),
  };
}

async function inMaintenance(ctx: Ctx): Promise<boolean> {
  return isInMaintenance(ctx.deps.store.db, ctx.task.serverId!);
}

/**
 * Gives the server back: `available` again unless it was quarantined, and no longer tied to
 * the instance. Runs in the caller's transaction.
 */
export async function returnServer(tx: Parameters<Parameters<FlowDeps['store']['transaction']>[0]>[0], serverId: string | null, now: number): Promise<void> {
  if (!serverId) return;
  await releaseServer(tx, serverId, now);
}

/** Builds the RAID layout recorded on the instance (RunInstances' or ResetInstance's RaidType). */
export const buildRaidStep: Step = {
  name: 'build-raid', timeoutMs: 30 * MINUTE,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    const raidType = await raidTypeOf(ctx.deps.store.db, ctx.task.instanceId!);
    await skippedWhereUnsupported(ctx, 'RAID', () => driver.raid.buildRaid(target, raidType));
  }),
};

/**
 * Runs a hardware step that some hardware documents as unsupported (a BMC without Storage
 * Volumes cannot build RAID; one without Drive.SecureErase cannot wipe): `unsupported` is a
 * documented skip of the step, logged with the BMC's reason, not a failure. Every other error
 * fails the step as usual.
 */
async function skippedWhereUnsupported(ctx: Ctx, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!(e instanceof DriverError && e.kind === 'unsupported')) throw e;
    ctx.deps.logger.warn({ taskId: ctx.task.id, serverId: ctx.task.serverId, step: what, reason: e.message }, `${what} step skipped: the hardware does not support it`);
  }
}

/**
 * Installs the OS recorded on the instance; the installer gets a config, never a clear password.
 * With EnhancedService.MonitorService on, the config also carries the monitoring agent and a
 * fresh credential of the instance (a reinstall thus rotates it); with it off, any earlier
 * credential is revoked.
 */
export const installOsStep: Step = {
  name: 'install-os', timeoutMs: 120 * MINUTE,
  run: (ctx) => onServer(ctx, async ({ driver, target }) => {
    const config = await installConfigFor(ctx.deps.store.db, ctx.task.instanceId!);
    const agent = await monitorAgentFor(ctx);
    await driver.deploy.installOs(target, agent ? { ...config, monitorAgent: agent } : config);
    await recordPower(ctx, 'on');
  }),
};

async function monitorAgentFor(ctx: Ctx): Promise<InstallConfig['monitorAgent']> {
  const { db } = ctx.deps.store;
  const inst = await monitorWishOf(db, ctx.task.instanceId!);
  if (!inst.monitorService || !ctx.deps.agentPushUrl) {
    await revokeAgentToken(db, ctx.task.instanceId!);
    return undefined;
  }
  const token = await issueAgentToken(db, ctx.task.instanceId!, inst.accountUin, ctx.now());
  return { endpoint: ctx.deps.agentPushUrl, token, intervalSeconds: 10 };
}
