/**
 * The heartbeat VLAN allocator — pure logic, no I/O.
 *
 * A heartbeat network group (心跳网络组) is one isolated layer-2 segment: every member's
 * heartbeat port sits in the group's VLAN on its top-of-rack switch. The rules:
 *
 *   - A VLAN id is an integer 2–4094. VLAN 1 is the switches' default (untagged) VLAN, where a
 *     heartbeat port sits while it belongs to no group; 0 and 4095 are reserved by 802.1Q.
 *   - Operators give each zone a range of VLAN ids (`SetHeartbeatVlanRange` in the operator
 *     API): the VLANs they have trunked on that zone's switches for heartbeat groups. A zone
 *     with no configured range uses `DEFAULT_VLAN_RANGE`, 2000–2999.
 *   - **A group's VLAN is region-wide.** The API gives a group no zone, and its members may sit
 *     in several zones of the region (an instance can join at any time, from any zone), so the
 *     VLAN must be usable on every switch of the region: it is taken from the *shared range* —
 *     the intersection of every zone's range. Two groups of a region never share a VLAN (the
 *     store's UNIQUE(region, vlan_id) enforces it, see src/store/repos/heartbeats.ts).
 *   - When the zones' ranges do not overlap, there is no shared range: no group can be created
 *     (ResourceInsufficient, naming the ranges) until the operator makes them overlap. Groups
 *     that exist always keep their VLAN inside every zone's range, because an operator cannot
 *     shrink a range below a VLAN in use.
 *   - Allocation takes the smallest free id of the shared range, so results are predictable.
 *
 * The store does the race-free part (insert, and on a clash move on to the next free id); this
 * module only answers "which ids are allowed" and "which is the smallest free one".
 */

export const VLAN_MIN = 2;
export const VLAN_MAX = 4094;

/** A closed range of VLAN ids, `first` ≤ `last`. */
export interface VlanRange {
  first: number;
  last: number;
}

/** The range a zone uses until the operator configures one. */
export const DEFAULT_VLAN_RANGE: Readonly<VlanRange> = Object.freeze({ first: 2000, last: 2999 });

/** Whether `n` may be a heartbeat group's VLAN id (an integer 2–4094). */
export function isVlanId(n: number): boolean {
  return Number.isInteger(n) && n >= VLAN_MIN && n <= VLAN_MAX;
}

/** Why `r` cannot be a zone's range, or undefined when it can. */
export type VlanRangeProblem =
  | { problem: 'outside'; min: number; max: number }
  | { problem: 'reversed' };

export function checkVlanRange(r: VlanRange): VlanRangeProblem | undefined {
  if (!isVlanId(r.first) || !isVlanId(r.last)) return { problem: 'outside', min: VLAN_MIN, max: VLAN_MAX };
  if (r.first > r.last) return { problem: 'reversed' };
  return undefined;
}

/**
 * Each zone's range: the configured one, or the default for a zone without one. Configured
 * ranges of zones not in `zones` (another region's) are ignored.
 */
export function zoneRanges(zones: readonly string[], configured: ReadonlyMap<string, VlanRange>): Map<string, VlanRange> {
  return new Map(zones.map((z) => [z, configured.get(z) ?? { ...DEFAULT_VLAN_RANGE }]));
}

/**
 * The ids every range allows (their intersection), clipped to 2–4094; undefined when they do
 * not overlap. No ranges at all (a region without zones) shares the default range.
 */
export function sharedRange(ranges: Iterable<VlanRange>): VlanRange | undefined {
  let first = VLAN_MIN;
  let last = VLAN_MAX;
  let any = false;
  for (const r of ranges) {
    any = true;
    first = Math.max(first, r.first);
    last = Math.min(last, r.last);
  }
  if (!any) ({ first, last } = DEFAULT_VLAN_RANGE);
  return first <= last ? { first, last } : undefined;
}

/**
 * The smallest id of `range` not in `inUse` and above `after` (if given), or undefined when
 * every such id is taken. Ids outside 2–4094 are never returned, whatever the range says.
 */
export function smallestFreeVlan(range: VlanRange, inUse: Iterable<number>, after?: number): number | undefined {
  const taken = new Set(inUse);
  const from = Math.max(range.first, VLAN_MIN, after === undefined ? -Infinity : Math.floor(after) + 1);
  const to = Math.min(range.last, VLAN_MAX);
  for (let v = from; v <= to; v++) if (!taken.has(v)) return v;
  return undefined;
}

/** How many ids of `range` are free (for messages and the operator's view). */
export function freeCount(range: VlanRange, inUse: Iterable<number>): number {
  const used = new Set([...inUse].filter((v) => v >= range.first && v <= range.last));
  return Math.max(0, range.last - range.first + 1 - used.size);
}

/** The ids of `inUse` that `range` would leave out (refusing a shrink below them). */
export function outsideRange(range: VlanRange, inUse: Iterable<number>): number[] {
  return [...new Set(inUse)].filter((v) => v < range.first || v > range.last).sort((a, b) => a - b);
}

export const formatRange = (r: VlanRange) => `${r.first}–${r.last}`;
