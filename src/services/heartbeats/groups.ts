/**
 * CreateHeartbeat, UpdateHeartbeat, DeleteHeartbeats, DescribeHeartbeats: a tenant's heartbeat
 * network groups in the request's region.
 *
 * A group is a name and a VLAN allocated at creation (src/services/heartbeats/vlan-pool.ts);
 * the VLAN never changes. Another tenant's group answers exactly like one that never existed.
 * DeleteHeartbeats is all or nothing: every id must be the tenant's and every group empty.
 * DescribeHeartbeats lists by HeartbeatIds or by Filters — `Name` (the exact name) and
 * `VlanId` — never both; CurrentNum is counted live.
 */
import type {
  CreateHeartbeatRequest, DeleteHeartbeatsRequest, DescribeHeartbeatsRequest, UpdateHeartbeatRequest,
} from '../../generated/bms.ts';
import { normalizeId } from '../../shared/ids.ts';
import { deleteGroups, findGroups, listGroups, membersOf, renameGroup, type GroupQuery } from '../../store/repos/heartbeats.ts';
import type { BmsServiceDeps } from '../bms-deps.ts';
import { distinctIds } from '../instances/lookups.ts';
import type { Handler } from '../types.ts';
import { blankName, heartbeatNotFound, heartbeatsInUse, idsWithFilters, noIds } from './errors.ts';
import { createGroup, rowLock, vlanFilterValue } from './vlan-pool.ts';
import { heartbeatView } from './views.ts';

function nameParam(path: string, raw: string): string {
  if (raw.trim() === '') throw blankName(path);
  return raw;
}

export function createHeartbeat({ store, logger }: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateHeartbeatRequest;
    const name = nameParam('Name', p.Name);
    const group = await store.transaction((tx) => createGroup(tx, store.dialect, {
      accountUin: ctx.principal.accountUin, region: ctx.region, name, createdAt: ctx.now, updatedAt: ctx.now,
    }));
    logger?.info({ heartbeatId: group.id, vlanId: group.vlanId, region: group.region }, 'heartbeat group created');
    return { HeartbeatId: group.id, VlanId: String(group.vlanId) };
  };
}

export function updateHeartbeat({ store }: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as UpdateHeartbeatRequest;
    const name = nameParam('Name', p.Name);
    const id = normalizeId(p.HeartbeatId);
    await store.transaction(async (tx) => {
      const [group] = await findGroups(tx, ctx.principal.accountUin, ctx.region, [id]);
      if (!group) throw heartbeatNotFound(p.HeartbeatId);
      await renameGroup(tx, group.id, name, ctx.now);
    });
    return {};
  };
}

export function deleteHeartbeats({ store }: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DeleteHeartbeatsRequest;
    const ids = distinctIds('HeartbeatIds', p.HeartbeatIds);
    if (ids.length === 0) throw noIds('HeartbeatIds');
    await store.transaction(async (tx) => {
      // Locked (PostgreSQL) so that a concurrent ModifyHeartbeat cannot add a member after the check.
      const found = new Set((await findGroups(tx, ctx.principal.accountUin, ctx.region, ids, rowLock(store.dialect, 'update'))).map((g) => g.id));
      const missing = ids.find((id) => !found.has(id));
      if (missing) throw heartbeatNotFound(missing);
      const members = await membersOf(tx, ids);
      const busy = ids.filter((id) => members.has(id)).map((id) => ({ id, members: members.get(id)! }));
      if (busy.length > 0) throw heartbeatsInUse(busy);
      await deleteGroups(tx, ids);
    });
    return {};
  };
}

export function describeHeartbeats({ store }: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeHeartbeatsRequest;
    if (p.HeartbeatIds?.length && p.Filters?.length) throw idsWithFilters();
    const names: string[][] = [];
    const vlanIds: number[][] = [];
    const instanceIds: string[][] = [];
    (p.Filters ?? []).forEach((f, i) => {
      if (f.Name === 'Name') names.push(f.Values);
      else if (f.Name === 'InstanceId') instanceIds.push(f.Values.map((v) => normalizeId(v.trim())));
      else vlanIds.push(f.Values.map((v, j) => vlanFilterValue(`Filters.${i}.Values.${j}`, v))); // 'VlanId' (the validator admits no other)
    });
    const query: GroupQuery = { accountUin: ctx.principal.accountUin, region: ctx.region, names, vlanIds, instanceIds };
    if (p.HeartbeatIds?.length) query.ids = p.HeartbeatIds.map(normalizeId);
    const { total, items } = await listGroups(store.db, query, { offset: p.Offset ?? 0, limit: p.Limit ?? 20 });
    return { TotalCount: total, HeartbeatSet: items.map(heartbeatView) };
  };
}
