/**
 * ModifyInstancesGroupId: put an existing instance into a spread placement group.
 *
 * Bare metal cannot migrate, so nothing moves: the call succeeds only if the instance's server
 * already sits where the group's rule allows, beside every other member (RACK: a rack and a
 * switch no member uses; RACK_SAME_SW: a rack no member uses, under the members' switch).
 * Otherwise it fails with FailedOperation naming the member whose rack or switch conflicts —
 * the request is well-formed and the action supported; what fails is this instance's position,
 * which the tenant cannot change except by launching a new instance into the group.
 * Leaving the previous group never breaks that group's rule, so it needs no check. The group's
 * lock (shared with launches into it) keeps a concurrent launch from taking the same rack.
 */
import type { ModifyInstancesGroupIdRequest } from '../../generated/bms.ts';
import { joinConflict, type SpreadType } from '../../network/placement.ts';
import { normalizeId } from '../../shared/ids.ts';
import { lockGroup, setInstanceGroup } from '../../store/repos/placement-groups.ts';
import type { Store } from '../../store/store.ts';
import { instanceNotFound, ownInstances } from '../instances/lookups.ts';
import type { Handler } from '../types.ts';
import { cannotJoin, groupNotFound, joinRefused } from './errors.ts';
import { placedMembers } from './members.ts';
import { groupIdParam, scopeOf } from './params.ts';
import { serverPlace } from '../../store/repos/fleet-servers.ts';

export function joinGroup(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyInstancesGroupIdRequest;
    const groupId = groupIdParam('GroupId', p.GroupId);
    const instanceId = normalizeId(p.InstanceId);
    const scope = scopeOf(ctx);
    await store.transaction(async (tx) => {
      const group = await lockGroup(tx, scope, groupId);
      if (!group) throw groupNotFound(groupId);
      const [instance] = await ownInstances(tx, scope.accountUin, [instanceId]);
      if (instance!.group_id === groupId) return; // already a member
      if (instance!.status === 'TERMINATING') throw cannotJoin(instanceId, instance!.status, 'returning');
      const server = instance!.server_id ? await serverPlace(tx, instance!.server_id) : undefined;
      if (!server) throw cannotJoin(instanceId, instance!.status, 'no-server');
      const at = { rackId: server.rackId, switchId: server.switchId };
      const others = (await placedMembers(tx, scope.accountUin, groupId)).filter((m) => m.instanceId !== instanceId);
      const conflict = joinConflict(group.type as SpreadType, others, at);
      if (conflict) throw joinRefused(instanceId, group, at, conflict.on, conflict.member);
      if (!(await setInstanceGroup(tx, instanceId, groupId, ctx.now))) throw instanceNotFound(instanceId);
    });
    return {};
  };
}
