/**
 * Which servers a launch takes: free servers of the flavor in the zone, taken with conditional
 * updates so that no two launches can take one server (on PostgreSQL the candidates are read
 * `FOR UPDATE SKIP LOCKED`, so concurrent launches pass each other instead of queueing).
 * With a spread placement group, the candidates must also satisfy the group's constraint —
 * that choice is made by the placement capability.
 */
import type { Kysely } from 'kysely';
import { ApiError, unsupportedOperation } from '../../shared/errors.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { Flavor } from './launch-checks.ts';

export interface ServerChoice {
  store: Store;
  tx: Kysely<Database>;
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
  if (c.groupId) {
    throw unsupportedOperation('Spread placement groups (GroupId) are not available in this deployment yet.', '当前部署暂不支持分散置放群组（GroupId）。');
  }
  let q = c.tx.selectFrom('servers').select('id').where('flavor_id', '=', c.flavor.id).where('zone', '=', c.zone)
    .where('state', '=', 'available').orderBy('id').limit(c.instanceIds.length);
  if (c.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
  const free = (await q.execute()).map((r) => r.id);
  if (free.length < c.instanceIds.length) throw notEnoughServers(c.flavor, c.zone, c.instanceIds.length, free.length);
  await takeServers(c, free);
  return free;
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
