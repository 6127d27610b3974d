/**
 * ModifyHeartbeat: puts instances into a heartbeat network group — each instance's heartbeat
 * port into the group's VLAN, moving it out of any other group (an instance belongs to at most
 * one).
 *
 * The whole batch is checked first: the group and every instance exist for this tenant, and
 * every instance is RUNNING or STOPPED (its server is its own and no other operation is about
 * to hand it back). Then, in one transaction, the membership is recorded — DescribeHeartbeats
 * shows it at once — and one `heartbeat-vlan` task per instance configures the switch port
 * under the server's lock (src/flows/capabilities/heartbeat.ts). The answer carries their
 * TaskIds (an extension: the reference's answer is empty).
 *
 * On PostgreSQL the group and the instances are share-locked while this runs, so a concurrent
 * DeleteHeartbeats cannot remove the group under a new member, and a concurrent
 * TerminateInstances waits and then finds the membership to release.
 */
import type { ModifyHeartbeatRequest } from '../../generated/bms.ts';
import { normalizeId } from '../../shared/ids.ts';
import { findGroups, setMembership } from '../../store/repos/heartbeats.ts';
import type { BmsServiceDeps } from '../bms-deps.ts';
import { createTasks } from '../instances/deps.ts';
import { distinctIds, ownInstances } from '../instances/lookups.ts';
import type { Handler } from '../types.ts';
import { heartbeatNotFound, instanceCannotJoin, noIds } from './errors.ts';
import { rowLock } from './vlan-pool.ts';

const CAN_JOIN = new Set(['RUNNING', 'STOPPED']);

export function modifyHeartbeat({ store, scheduler, logger }: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyHeartbeatRequest;
    const ids = distinctIds('InstanceIds', p.InstanceIds);
    if (ids.length === 0) throw noIds('InstanceIds');
    const groupId = normalizeId(p.HeartbeatId);
    const taskIds = await store.transaction(async (tx) => {
      const lock = rowLock(store.dialect, 'share');
      const [group] = await findGroups(tx, ctx.principal.accountUin, ctx.region, [groupId], lock);
      if (!group) throw heartbeatNotFound(p.HeartbeatId);
      if (lock) await tx.selectFrom('instances').select('id').where('id', 'in', [...ids].sort()).orderBy('id').forShare().execute();
      const rows = await ownInstances(tx, ctx.principal.accountUin, ids);
      const stuck = rows.find((r) => !CAN_JOIN.has(r.status) || !r.server_id);
      if (stuck) throw instanceCannotJoin(stuck.id, stuck.status);
      await setMembership(tx, [...ids].sort(), group.id, ctx.now);
      return createTasks(tx, ctx.principal.accountUin, rows.map((r) => ({
        action: 'ModifyHeartbeat', flow: 'heartbeat-vlan', instanceId: r.id, serverId: r.server_id, context: { heartbeatId: group.id },
      })), ctx.now);
    });
    logger?.info({ heartbeatId: groupId, instanceIds: ids, taskIds }, 'heartbeat membership changed');
    scheduler.poke();
    return { TaskId: taskIds };
  };
}
