/**
 * CreateDisasterRecoverGroup, UpdateDisasterRecoverGroup and DeleteDisasterRecoverGroups.
 *
 * A spread placement group is a tenant's named rule for where its instances' servers sit
 * (src/network/placement.ts). An account has at most `GROUP_LIMIT` groups per region. Create
 * runs under the account row's lock so the count still holds when it inserts; Delete locks
 * every named group (in id order, so two deletes cannot deadlock), checks that each exists and
 * is empty, and only then deletes them all — one missing or occupied group and nothing changes.
 * A member counts while its instance is live, so returning the instances empties the group.
 */
import type {
  CreateDisasterRecoverGroupRequest, DeleteDisasterRecoverGroupsRequest, UpdateDisasterRecoverGroupRequest,
} from '../../generated/bms.ts';
import { newId } from '../../shared/ids.ts';
import {
  countGroups, deleteGroups, insertGroup, lockGroup, membersOf, renameGroup,
} from '../../store/repos/placement-groups.ts';
import { lockAccount } from '../../store/repos/vpcs.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { groupInUse, groupLimitExceeded, groupNotFound, noGroupIds } from './errors.ts';
import { groupIdParam, groupIdsParam, nameParam, scopeOf } from './params.ts';

export const GROUP_LIMIT = 20;

export function createGroup(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateDisasterRecoverGroupRequest;
    const name = nameParam('Name', p.Name);
    const scope = scopeOf(ctx);
    const group = await store.transaction(async (tx) => {
      if (!(await lockAccount(tx, scope.accountUin))) throw new Error(`account ${scope.accountUin} does not exist`);
      if ((await countGroups(tx, scope)) >= GROUP_LIMIT) throw groupLimitExceeded(GROUP_LIMIT, scope.region);
      return insertGroup(tx, {
        id: newId('ps'), accountUin: scope.accountUin, region: scope.region, name, type: p.Type, createdAt: ctx.now, updatedAt: ctx.now,
      });
    });
    return { GroupId: group.id };
  };
}

export function updateGroup(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as UpdateDisasterRecoverGroupRequest;
    const id = groupIdParam('GroupId', p.GroupId);
    const name = nameParam('Name', p.Name);
    if (!(await renameGroup(store.db, scopeOf(ctx), id, name, ctx.now))) throw groupNotFound(id);
    return {};
  };
}

export function deleteGroupsHandler(store: Store): Handler {
  return async (ctx, params) => {
    const ids = groupIdsParam('GroupIds', (params as unknown as DeleteDisasterRecoverGroupsRequest).GroupIds);
    if (ids.length === 0) throw noGroupIds();
    const scope = scopeOf(ctx);
    await store.transaction(async (tx) => {
      for (const id of [...ids].sort()) if (!(await lockGroup(tx, scope, id))) throw groupNotFound(id);
      for (const id of ids) {
        const members = await membersOf(tx, scope.accountUin, id);
        if (members.length > 0) throw groupInUse(id, members.map((m) => m.instanceId));
      }
      await deleteGroups(tx, scope, ids);
    });
    return {};
  };
}
