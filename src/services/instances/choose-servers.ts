/**
 * Which servers a launch takes: free servers of the flavor in the zone, taken with conditional
 * updates so that no two launches can take one server (on PostgreSQL the candidates are read
 * `FOR UPDATE SKIP LOCKED`, so concurrent launches pass each other instead of queueing).
 *
 * With a spread placement group (GroupId), the group's row is locked first, so launches into
 * one group (and joins, and its deletion) run one after another and each sees the members the
 * previous one added. The members' racks and switches and the free candidates go to the
 * scheduler (src/network/placement.ts), which picks servers keeping the group's rule for the
 * whole group, or explains why none exist (ResourceInsufficient). Only the chosen servers are
 * then locked `FOR UPDATE SKIP LOCKED` — locking every candidate would make concurrent launches
 * of the same flavor skip them all and fail for nothing; if another launch is taking one of the
 * chosen, it is dropped from the candidates and the choice is made again.
 */
import { place, type Candidate, type SpreadType } from '../../network/placement.ts';
import { ApiError } from '../../shared/errors.ts';
import { lockGroup } from '../../store/repos/placement-groups.ts';
import type { Store, Tx } from '../../store/store.ts';
import { groupNotFound, noPlacement } from '../placement/errors.ts';
import { placedMembers } from '../placement/members.ts';
import { groupIdParam } from '../placement/params.ts';
import type { Flavor } from './launch-checks.ts';

export interface ServerChoice {
  store: Store;
  tx: Tx;
  accountUin: string;
  flavor: Flavor;
  zone: string;
  /** The new instances' ids, one server each. */
  instanceIds: string[];
  groupId?: string | undefined;
  now: number;
}

/** Takes one server per instance id and returns their ids, in order; or throws ResourceInsufficient. */
export async function chooseServers(c: ServerChoice): Promise<string[]> {
  if (c.groupId) return chooseInGroup(c, c.groupId);
  let q = c.tx.selectFrom('servers').select('id').where('flavor_id', '=', c.flavor.id).where('zone', '=', c.zone)
    .where('state', '=', 'available').orderBy('id').limit(c.instanceIds.length);
  if (c.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
  const free = (await q.execute()).map((r) => r.id);
  if (free.length < c.instanceIds.length) throw notEnoughServers(c.flavor, c.zone, c.instanceIds.length, free.length);
  await takeServers(c, free);
  return free;
}

/** Takes servers keeping the spread placement group's rule for the whole group (see the top of this file). */
async function chooseInGroup(c: ServerChoice, rawGroupId: string): Promise<string[]> {
  const groupId = groupIdParam('GroupId', rawGroupId);
  const zone = await c.tx.selectFrom('zones').select('region').where('zone', '=', c.zone).executeTakeFirst();
  const group = zone && (await lockGroup(c.tx, { accountUin: c.accountUin, region: zone.region }, groupId));
  if (!group) throw groupNotFound(groupId);
  const members = await placedMembers(c.tx, c.accountUin, groupId);
  let candidates = await freeCandidates(c);
  for (;;) {
    const placement = place({ type: group.type as SpreadType, candidates, members, count: c.instanceIds.length });
    if (!placement.ok) {
      throw noPlacement(placement.shortfall, {
        groupId, flavorName: c.flavor.name, zone: c.zone, members: members.length, membersZone: members[0]?.zone ?? null,
      });
    }
    const held = await lockFree(c, placement.serverIds);
    if (held.size === placement.serverIds.length) {
      await takeServers(c, placement.serverIds);
      return placement.serverIds;
    }
    candidates = candidates.filter((x) => held.has(x.serverId) || !placement.serverIds.includes(x.serverId));
  }
}

async function freeCandidates(c: ServerChoice): Promise<Candidate[]> {
  const rows = await c.tx.selectFrom('servers').select(['id', 'rack_id', 'switch_id']).where('flavor_id', '=', c.flavor.id)
    .where('zone', '=', c.zone).where('state', '=', 'available').orderBy('id').execute();
  return rows.map((r) => ({ serverId: r.id, rackId: r.rack_id, switchId: r.switch_id }));
}

/** Which of `ids` are still free and now held by this transaction (on PostgreSQL, skipping those another launch holds). */
async function lockFree(c: ServerChoice, ids: readonly string[]): Promise<Set<string>> {
  let q = c.tx.selectFrom('servers').select('id').where('id', 'in', ids).where('state', '=', 'available');
  if (c.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
  return new Set((await q.execute()).map((r) => r.id));
}

/** Marks `serverIds[i]` allocated to `instanceIds[i]`; a server someone else took meanwhile fails the launch. */
export async function takeServers(c: ServerChoice, serverIds: string[]): Promise<void> {
  for (let i = 0; i < c.instanceIds.length; i++) {
    const taken = await c.tx.updateTable('servers').set({ state: 'allocated', instance_id: c.instanceIds[i]!, updated_at: c.now })
      .where('id', '=', serverIds[i]!).where('state', '=', 'available').executeTakeFirst();
    if (taken.numUpdatedRows !== 1n) throw notEnoughServers(c.flavor, c.zone, c.instanceIds.length, i);
  }
}

export function notEnoughServers(flavor: Flavor, zone: string, wanted: number, free: number): ApiError {
  return new ApiError('ResourceInsufficient', {
    en: `Only ${free} servers of flavor ${flavor.id} (${flavor.name}) are free in zone ${zone}; ${wanted} were requested.`,
    zh: `可用区 ${zone} 中套餐 ${flavor.id}（${flavor.name}）仅剩 ${free} 台空闲服务器，请求 ${wanted} 台。`,
  });
}
