/**
 * Spread placement (分散置放) — pure logic, no I/O.
 *
 * Bare metal cannot migrate, so a spread placement group's promise must hold from the moment
 * a server is chosen. A group has one of three types:
 *   - `RACK`: every member on a different rack AND under a different switch — losing one
 *     rack's power or one top-of-rack switch takes down at most one member;
 *   - `RACK_SAME_SW`: every member on a different rack, all under the same switch — rack-level
 *     fault isolation while keeping the members one switch hop apart;
 *   - `SW` (switch level, the vendor's third type): every member under a different switch —
 *     losing one switch takes down at most one member (racks are not looked at: a rack hangs
 *     under one switch, so different switches mean different racks anyway).
 *
 * `place` picks `count` servers among the free `candidates` so that the whole group (the
 * current `members` plus the new ones) obeys the type, or explains why that is impossible.
 * It is complete — it finds a placement whenever one exists:
 *   - RACK: a new member needs a switch and a rack no member uses, and no two new members may
 *     share either. That is a matching between unused switches and unused racks (an edge where
 *     a free server sits on that rack under that switch); Kuhn's augmenting paths find a
 *     maximum matching, so if any placement exists one of size `count` is found. (In a real
 *     fleet a rack hangs under exactly one switch and this is simply "one server per unused
 *     switch", but the matching needs no such assumption.)
 *   - SW: one free server under each switch no member uses, in switch-id order — complete,
 *     since a placement exists exactly when enough such switches have a free server.
 *   - RACK_SAME_SW: every member shares one switch, so the members (if any) fix it; otherwise
 *     any switch will do, and the one with the most usable racks (free server, rack unused by a
 *     member) is tried — it succeeds if any switch can, and leaves the group most room to grow.
 * Members that already break the rule (impossible through the API) make every placement
 * impossible, and are reported as such.
 *
 * Choices are deterministic (candidates are considered in server-id order).
 */

export const SPREAD_TYPES = ['RACK', 'RACK_SAME_SW', 'SW'] as const;
export type SpreadType = (typeof SPREAD_TYPES)[number];

/** Where a machine sits: its rack and the switch above it. */
export interface Slot {
  rackId: string;
  switchId: string;
}

/** A free server that may be taken. */
export interface Candidate extends Slot {
  serverId: string;
}

/** A current member of the group, where its server sits. */
export interface Member extends Slot {
  instanceId: string;
}

export interface PlacementRequest {
  type: SpreadType;
  candidates: readonly Candidate[];
  members: readonly Member[];
  count: number;
}

/** Why two machines cannot both be in a group: same rack, same switch (RACK, SW), different switches (RACK_SAME_SW). */
export type ConflictKind = 'same-rack' | 'same-switch' | 'other-switch';

/** Why no placement exists — data for a message, not words. */
export type Shortfall =
  | {
    type: 'RACK' | 'SW'; reason: 'switches'; needed: number;
    /** How many new members fit at most. */
    usable: number;
    /** Switches with any free candidate. */
    withFree: number;
    /** Of those, the ones ruled out because the members use the switch (or every rack of it with a candidate). */
    takenByMembers: number;
  }
  | {
    type: 'RACK_SAME_SW'; reason: 'racks'; needed: number;
    /** The switch with the most usable racks (null when no candidate is usable at all). */
    best: { switchId: string; racks: number } | null;
    /** The members' switch, which every new member must share (null without members). */
    pinnedSwitch: string | null;
  }
  | { type: SpreadType; reason: 'members'; on: ConflictKind; member: Member; other: Member };

export type Placement = { ok: true; serverIds: string[] } | { ok: false; shortfall: Shortfall };

/** Picks `count` servers for new members of the group, or says why none can be picked. */
export function place(req: PlacementRequest): Placement {
  const broken = membersConflict(req.type, req.members);
  if (broken) return { ok: false, shortfall: { type: req.type, reason: 'members', ...broken } };
  if (req.count <= 0) return { ok: true, serverIds: [] };
  const candidates = [...req.candidates].sort((a, b) => compare(a.serverId, b.serverId));
  if (req.type === 'RACK') return placeAcrossSwitches(candidates, req.members, req.count);
  if (req.type === 'SW') return placeOnePerSwitch(candidates, req.members, req.count);
  return placeUnderOneSwitch(candidates, req.members, req.count);
}

/** How `a` and `b` conflict in a group of `type`, if they do. */
export function conflictBetween(type: SpreadType, a: Slot, b: Slot): ConflictKind | undefined {
  if (type === 'SW') return a.switchId === b.switchId ? 'same-switch' : undefined;
  if (a.rackId === b.rackId) return 'same-rack';
  if (type === 'RACK' && a.switchId === b.switchId) return 'same-switch';
  if (type === 'RACK_SAME_SW' && a.switchId !== b.switchId) return 'other-switch';
  return undefined;
}

/** The first member a machine at `newcomer` could not join the group beside, and why. */
export function joinConflict(type: SpreadType, members: readonly Member[], newcomer: Slot): { on: ConflictKind; member: Member } | undefined {
  for (const member of members) {
    const on = conflictBetween(type, newcomer, member);
    if (on) return { on, member };
  }
  return undefined;
}

/** Two members that already break the group's rule, if any. */
export function membersConflict(type: SpreadType, members: readonly Member[]): { on: ConflictKind; member: Member; other: Member } | undefined {
  for (let i = 1; i < members.length; i++) {
    const found = joinConflict(type, members.slice(0, i), members[i]!);
    if (found) return { ...found, other: members[i]! };
  }
  return undefined;
}

function placeAcrossSwitches(candidates: readonly Candidate[], members: readonly Member[], count: number): Placement {
  const usedRacks = new Set(members.map((m) => m.rackId));
  const usedSwitches = new Set(members.map((m) => m.switchId));
  const serverAt = new Map<string, string>(); // `${switch}\n${rack}` → first free server there
  const racksOf = new Map<string, string[]>(); // usable switch → its usable racks
  for (const c of candidates) {
    if (usedRacks.has(c.rackId) || usedSwitches.has(c.switchId)) continue;
    const key = `${c.switchId}\n${c.rackId}`;
    if (serverAt.has(key)) continue;
    serverAt.set(key, c.serverId);
    racksOf.set(c.switchId, [...(racksOf.get(c.switchId) ?? []), c.rackId]);
  }
  const switchOfRack = maxMatching(racksOf, count);
  if (switchOfRack.size >= count) {
    return { ok: true, serverIds: [...switchOfRack].map(([rack, sw]) => serverAt.get(`${sw}\n${rack}`)!) };
  }
  const withFree = new Set(candidates.map((c) => c.switchId)).size;
  return {
    ok: false,
    shortfall: { type: 'RACK', reason: 'switches', needed: count, usable: switchOfRack.size, withFree, takenByMembers: withFree - racksOf.size },
  };
}

function placeOnePerSwitch(candidates: readonly Candidate[], members: readonly Member[], count: number): Placement {
  const usedSwitches = new Set(members.map((m) => m.switchId));
  const serverOf = new Map<string, string>(); // usable switch → its first free server
  for (const c of candidates) if (!usedSwitches.has(c.switchId) && !serverOf.has(c.switchId)) serverOf.set(c.switchId, c.serverId);
  if (serverOf.size >= count) {
    return { ok: true, serverIds: [...serverOf].sort(([a], [b]) => compare(a, b)).slice(0, count).map(([, server]) => server) };
  }
  const withFree = new Set(candidates.map((c) => c.switchId)).size;
  return { ok: false, shortfall: { type: 'SW', reason: 'switches', needed: count, usable: serverOf.size, withFree, takenByMembers: withFree - serverOf.size } };
}

/**
 * A maximum matching of switches to racks (each switch at most one rack, each rack at most one
 * switch), stopping once `limit` pairs are found: rack → switch.
 */
function maxMatching(racksOf: ReadonlyMap<string, readonly string[]>, limit: number): Map<string, string> {
  const switchOfRack = new Map<string, string>();
  const augment = (sw: string, seen: Set<string>): boolean => {
    for (const rack of racksOf.get(sw) ?? []) {
      if (seen.has(rack)) continue;
      seen.add(rack);
      const holder = switchOfRack.get(rack);
      if (holder === undefined || augment(holder, seen)) {
        switchOfRack.set(rack, sw);
        return true;
      }
    }
    return false;
  };
  for (const sw of [...racksOf.keys()].sort(compare)) {
    if (switchOfRack.size >= limit) break;
    augment(sw, new Set());
  }
  return switchOfRack;
}

function placeUnderOneSwitch(candidates: readonly Candidate[], members: readonly Member[], count: number): Placement {
  const usedRacks = new Set(members.map((m) => m.rackId));
  const pinnedSwitch = members[0]?.switchId ?? null;
  const racksBySwitch = new Map<string, Map<string, string>>(); // switch → usable rack → first free server
  for (const c of candidates) {
    if (usedRacks.has(c.rackId) || (pinnedSwitch !== null && c.switchId !== pinnedSwitch)) continue;
    const racks = racksBySwitch.get(c.switchId) ?? new Map<string, string>();
    if (!racks.has(c.rackId)) racks.set(c.rackId, c.serverId);
    racksBySwitch.set(c.switchId, racks);
  }
  let best: { switchId: string; racks: Map<string, string> } | undefined;
  for (const [switchId, racks] of [...racksBySwitch].sort(([a], [b]) => compare(a, b))) {
    if (!best || racks.size > best.racks.size) best = { switchId, racks };
  }
  if (best && best.racks.size >= count) {
    return { ok: true, serverIds: [...best.racks].sort(([a], [b]) => compare(a, b)).slice(0, count).map(([, server]) => server) };
  }
  return {
    ok: false,
    shortfall: {
      type: 'RACK_SAME_SW', reason: 'racks', needed: count, pinnedSwitch,
      best: best ? { switchId: best.switchId, racks: best.racks.size } : null,
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
