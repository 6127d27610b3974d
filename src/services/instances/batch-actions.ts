/**
 * Start/Stop/Reboot/Terminate/ModifyInstancesAttribute: batch actions over ≤ 100 instances.
 *
 * The whole batch is checked — every id exists for this tenant, every instance is in a state
 * the action allows — before anything changes; then, in one transaction, the lifecycle gate
 * moves them all and one task per instance is created. Terminating an instance that is already
 * TERMINATING is an idempotent success that answers the task already returning it.
 */
import { ApiError } from '../../shared/errors.ts';
import { applyEvent } from '../../lifecycle/gate.ts';
import { target, type LifecycleEvent } from '../../lifecycle/transitions.ts';
import type { FlowName } from '../../flows/index.ts';
import type { Handler } from '../types.ts';
import { createTasks, type InstanceServiceDeps } from './deps.ts';
import { distinctIds, ownInstances } from './lookups.ts';

export function powerAction(deps: InstanceServiceDeps, action: string, event: LifecycleEvent, flow: FlowName): Handler {
  return async (ctx, params) => {
    const ids = distinctIds('InstanceIds', params.InstanceIds as string[]);
    const taskIds = await deps.store.transaction(async (tx) => {
      const rows = await ownInstances(tx, ctx.principal.accountUin, ids);
      await applyEvent(tx, ids, event, ctx.now, { logger: deps.logger });
      return createTasks(tx, ctx.principal.accountUin, rows.map((r) => ({ action, flow, instanceId: r.id, serverId: r.server_id })), ctx.now);
    });
    deps.scheduler.poke();
    return { TaskId: taskIds };
  };
}

export function terminateInstances(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const ids = distinctIds('InstanceIds', params.InstanceIds as string[]);
    const dryRun = params.DryRun === true;
    const taskIds = await deps.store.transaction(async (tx) => {
      const rows = await ownInstances(tx, ctx.principal.accountUin, ids);
      const fresh = rows.filter((r) => r.status !== 'TERMINATING');
      if (dryRun) {
        for (const r of fresh) {
          if (target(r.status, 'terminate') === undefined) await applyEvent(tx, [r.id], 'terminate', ctx.now); // throws the precise error
        }
        throw new ApiError('DryRunOperation', {
          en: `TerminateInstances would succeed for ${ids.join(', ')} (DryRun: nothing was changed).`,
          zh: `TerminateInstances 对 ${ids.join('、')} 可以成功执行（DryRun：未做任何变更）。`,
        });
      }
      await applyEvent(tx, fresh.map((r) => r.id), 'terminate', ctx.now, { logger: deps.logger });
      const created = await createTasks(tx, ctx.principal.accountUin, fresh.map((r) => ({
        action: 'TerminateInstances', flow: 'terminate', instanceId: r.id, serverId: r.server_id,
        context: { releaseAddress: params.ReleaseAddress === true },
      })), ctx.now);
      const byInstance = new Map(fresh.map((r, i) => [r.id, created[i]!]));
      const running = await tx.selectFrom('tasks').select(['id', 'instance_id']).where('action', '=', 'TerminateInstances')
        .where('instance_id', 'in', ids).orderBy('id', 'desc').execute();
      for (const t of running) if (!byInstance.has(t.instance_id!)) byInstance.set(t.instance_id!, Number(t.id));
      return ids.map((id) => byInstance.get(id)!);
    });
    deps.scheduler.poke();
    return { TaskId: taskIds };
  };
}

export function modifyInstancesAttribute(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const ids = distinctIds('InstanceIds', params.InstanceIds as string[]);
    await deps.store.transaction(async (tx) => {
      const rows = await ownInstances(tx, ctx.principal.accountUin, ids);
      const leaving = rows.find((r) => r.status === 'TERMINATING');
      if (leaving) {
        throw new ApiError('UnsupportedOperation', {
          en: `The instance ${leaving.id} is TERMINATING and can no longer be modified.`, zh: `实例 ${leaving.id} 正在退还，不能再修改。`,
        });
      }
      await tx.updateTable('instances').set({ name: params.InstanceName as string, updated_at: ctx.now }).where('id', 'in', ids).execute();
    });
    return {};
  };
}
