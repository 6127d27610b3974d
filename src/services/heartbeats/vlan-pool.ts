/**
 * The region's heartbeat VLANs: each zone's range, the range they share, and race-free
 * allocation of a group's VLAN from it (the rule is src/network/vlans.ts's).
 *
 * Allocation inserts the group with the smallest free VLAN and, when a concurrent allocator
 * got there first (the insert comes back empty), tries the next free one above it — inside
 * one transaction, on any number of processes. The zone rows are share-locked meanwhile (on
 * PostgreSQL), so an operator's range change — which takes them exclusively — waits for
 * in-flight allocations and then sees their VLANs.
 */
import { sharedRange, smallestFreeVlan, zoneRanges, type VlanRange } from '../../network/vlans.ts';
import { newId } from '../../shared/ids.ts';
import { lockZones, tryInsertGroup, vlanRanges, vlansInUse, type HeartbeatGroup, type RowLock } from '../../store/repos/heartbeats.ts';
import { listZones } from '../../store/repos/regions.ts';
import type { StoreDialect, Tx } from '../../store/store.ts';
import { badVlanFilter, rangesDisjoint, vlansExhausted } from './errors.ts';

export interface RegionVlans {
  /** Each zone's range (configured, or the default). */
  zones: Map<string, VlanRange>;
  /** What every zone allows; undefined when the ranges do not overlap. */
  shared: VlanRange | undefined;
}

/** A row lock on PostgreSQL; nothing on SQLite, whose transactions already run one at a time. */
export const rowLock = (dialect: StoreDialect, mode: 'share' | 'update'): RowLock => (dialect === 'postgres' ? mode : undefined);

/** The region's ranges, locking its zone rows with `lock` first (see `lockZones`). */
export async function regionVlans(db: Tx, region: string, lock?: RowLock): Promise<RegionVlans> {
  const zones = (await listZones(db, region)).map((z) => z.zone);
  await lockZones(db, zones, lock);
  const ranges = zoneRanges(zones, await vlanRanges(db, zones));
  return { zones: ranges, shared: sharedRange(ranges.values()) };
}

/** Creates a group on the smallest free VLAN of the region's shared range; run it inside a transaction. */
export async function createGroup(
  tx: Tx, dialect: StoreDialect, g: Omit<HeartbeatGroup, 'id' | 'vlanId'>,
): Promise<HeartbeatGroup> {
  const { zones, shared } = await regionVlans(tx, g.region, rowLock(dialect, 'share'));
  if (!shared) throw rangesDisjoint(g.region, zones);
  const inUse = (await vlansInUse(tx, g.region)).map((v) => v.vlanId);
  for (let after: number | undefined; ;) {
    const vlanId = smallestFreeVlan(shared, inUse, after);
    if (vlanId === undefined) throw vlansExhausted(shared, g.region);
    const group = { ...g, id: newId('HA'), vlanId };
    if (await tryInsertGroup(tx, group)) return group;
    after = vlanId; // taken by a concurrent CreateHeartbeat: the next one up
  }
}

/** A VLAN ID given as a filter value (a String on the wire); InvalidParameterValue naming `path` otherwise. */
export function vlanFilterValue(path: string, raw: string): number {
  const s = raw.trim();
  if (!/^\d{1,4}$/.test(s)) throw badVlanFilter(path, raw);
  return Number(s);
}
