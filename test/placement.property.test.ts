/**
 * The spread-placement scheduler, property-tested over random fleets (zones × switches × racks
 * × servers, some free, some holding members) and group requests of 1–10 members: it never
 * breaks RACK / RACK_SAME_SW for the whole group, and it finds a placement exactly when a
 * brute-force search over every subset of the free servers finds one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  joinConflict, place, SPREAD_TYPES, type Candidate, type Member, type Placement, type Slot, type SpreadType,
} from '../src/network/placement.ts';

interface Server extends Slot { id: string; zone: string; flavor: 'a' | 'b'; free: boolean }

/** A fleet as the store holds it: every rack under exactly one switch, every switch in one zone. */
const fleet = (maxSwitches: number, maxRacks: number, maxServers: number) =>
  fc.array(fc.array(fc.array(fc.record({ flavor: fc.constantFrom('a' as const, 'b' as const), free: fc.boolean() }),
    { maxLength: maxServers }), { minLength: 1, maxLength: maxRacks }), { minLength: 1, maxLength: maxSwitches })
    .chain((switches) => fc.tuple(fc.constant(switches), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: switches.length, maxLength: switches.length })))
    .map(([switches, zoneOf]) => switches.flatMap((racks, s) => racks.flatMap((servers, r) => servers.map((x, i): Server => ({
      id: `srv-${s}-${r}-${i}`, zone: `zone-${zoneOf[s]}`, switchId: `sw-${s}`, rackId: `rack-${s}-${r}`, ...x,
    })))));

/** The whole group obeys the type (written independently of the scheduler). */
function obeys(type: SpreadType, slots: readonly Slot[]): boolean {
  const racks = new Set(slots.map((s) => s.rackId));
  const switches = new Set(slots.map((s) => s.switchId));
  if (type === 'SW') return switches.size === slots.length;
  if (racks.size !== slots.length) return false;
  return type === 'RACK' ? switches.size === slots.length : switches.size <= 1;
}

/** Brute force: is there any set of `count` distinct candidates that, with the members, obeys the type? */
function placementExists(type: SpreadType, candidates: readonly Candidate[], members: readonly Member[], count: number): boolean {
  const search = (from: number, chosen: Slot[]): boolean => {
    if (!obeys(type, [...members, ...chosen])) return false; // every subset of a valid group is valid: prune
    if (chosen.length === count) return true;
    for (let i = from; i < candidates.length; i++) if (search(i + 1, [...chosen, candidates[i]!])) return true;
    return false;
  };
  return search(0, []);
}

function checkPlacement(type: SpreadType, candidates: readonly Candidate[], members: readonly Member[], count: number, got: Placement): void {
  const exists = placementExists(type, candidates, members, count);
  assert.equal(got.ok, exists, `scheduler says ${got.ok ? 'placed' : JSON.stringify(got)}, brute force says ${exists}`);
  if (!got.ok) return;
  assert.equal(got.serverIds.length, count);
  assert.equal(new Set(got.serverIds).size, count, 'a server chosen twice');
  const byId = new Map(candidates.map((c) => [c.serverId, c]));
  const chosen = got.serverIds.map((id) => byId.get(id));
  assert.ok(chosen.every((c) => c !== undefined), 'chose a server that was not a candidate');
  assert.ok(obeys(type, [...members, ...(chosen as Candidate[])]), `${type} broken: ${JSON.stringify(chosen)} with members ${JSON.stringify(members)}`);
}

const wanted = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 10 }));
const spreadType = fc.constantFrom(...SPREAD_TYPES);

/** A launch into a group: the zone's free servers of one flavor, and members taken from the busy servers (often a valid group). */
const scenario = fc.tuple(fleet(4, 4, 3), spreadType, wanted, fc.integer({ min: 0, max: 1 }), fc.array(fc.nat(), { maxLength: 5 }), fc.boolean())
  .map(([servers, type, count, zone, picks, keepValid]) => {
    const candidates = servers.filter((s) => s.free && s.flavor === 'a' && s.zone === `zone-${zone}`)
      .map((s): Candidate => ({ serverId: s.id, rackId: s.rackId, switchId: s.switchId }));
    const busy = servers.filter((s) => !s.free);
    let members: Member[] = [];
    for (const p of busy.length ? picks : []) {
      const s = busy[p % busy.length]!;
      if (members.some((m) => m.instanceId === `bms-${s.id}`)) continue;
      const member = { instanceId: `bms-${s.id}`, rackId: s.rackId, switchId: s.switchId };
      if (!keepValid || obeys(type, [...members, member])) members = [...members, member];
    }
    return { type, candidates, members, count };
  });

describe('spread placement scheduler', () => {
  it('never breaks the rule and places whenever a placement exists (brute-force oracle)', () => {
    fc.assert(fc.property(scenario, ({ type, candidates, members, count }) => {
      checkPlacement(type, candidates, members, count, place({ type, candidates, members, count }));
    }), { numRuns: 2000 });
  });

  it('stays correct and complete on inconsistent topologies (a rack seen under several switches)', () => {
    const slot = fc.record({ rackId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'), switchId: fc.constantFrom('s1', 's2', 's3', 's4') });
    const arbitrary = fc.record({
      type: spreadType,
      candidates: fc.array(slot, { maxLength: 12 }).map((xs) => xs.map((x, i): Candidate => ({ ...x, serverId: `srv-${String(i).padStart(2, '0')}` }))),
      members: fc.array(slot, { maxLength: 3 }).map((xs) => xs.map((x, i): Member => ({ ...x, instanceId: `bms-${i}` }))),
      count: wanted,
    });
    fc.assert(fc.property(arbitrary, ({ type, candidates, members, count }) => {
      checkPlacement(type, candidates, members, count, place({ type, candidates, members, count }));
    }), { numRuns: 2000 });
  });

  it('explains a shortfall with the numbers the oracle sees', () => {
    fc.assert(fc.property(scenario, ({ type, candidates, members, count }) => {
      const got = place({ type, candidates, members, count });
      if (got.ok) return;
      const s = got.shortfall;
      if (s.reason === 'members') {
        assert.ok(!obeys(type, members), 'blamed members that obey the rule');
        assert.ok(!obeys(type, [s.member, s.other]));
        return;
      }
      const usedRacks = new Set(members.map((m) => m.rackId));
      if (s.reason === 'switches') {
        const usedSwitches = new Set(members.map((m) => m.switchId));
        const usable = new Set(candidates.filter((c) => (s.type === 'SW' || !usedRacks.has(c.rackId)) && !usedSwitches.has(c.switchId)).map((c) => c.switchId));
        assert.equal(s.usable, usable.size);
        assert.ok(s.usable < s.needed);
        assert.equal(s.withFree, new Set(candidates.map((c) => c.switchId)).size);
        assert.equal(s.withFree - s.takenByMembers, usable.size);
      } else {
        const pinned = members[0]?.switchId ?? null;
        assert.equal(s.pinnedSwitch, pinned);
        const racksUnder = (sw: string) => new Set(candidates.filter((c) => c.switchId === sw && !usedRacks.has(c.rackId)).map((c) => c.rackId)).size;
        const switches = pinned ? [pinned] : [...new Set(candidates.map((c) => c.switchId))];
        const most = Math.max(0, ...switches.map(racksUnder));
        assert.equal(s.best?.racks ?? 0, most);
        assert.ok(most < s.needed);
      }
    }), { numRuns: 1000 });
  });

  it('joinConflict accepts a newcomer exactly when the grown group still obeys the rule', () => {
    const slot = fc.record({ rackId: fc.constantFrom('r1', 'r2', 'r3', 'r4'), switchId: fc.constantFrom('s1', 's2', 's3') });
    fc.assert(fc.property(spreadType, fc.array(slot, { maxLength: 4 }), slot, (type, xs, newcomer) => {
      const members = xs.map((x, i): Member => ({ ...x, instanceId: `bms-${i}` }));
      fc.pre(obeys(type, members));
      const conflict = joinConflict(type, members, newcomer);
      assert.equal(conflict === undefined, obeys(type, [...members, newcomer]));
      if (conflict) assert.ok(!obeys(type, [conflict.member, newcomer]), 'named a member that does not conflict');
    }), { numRuns: 2000 });
  });

  it('examples: the demo layout (4 switches × 6 racks)', () => {
    const candidates: Candidate[] = [];
    for (let s = 0; s < 4; s++) {
      for (let r = 0; r < 6; r++) {
        for (let u = 0; u < 3; u++) candidates.push({ serverId: `srv-${s}${r}${u}`, switchId: `sw-${s}`, rackId: `rack-${s}-${r}` });
      }
    }
    assert.equal(place({ type: 'RACK', candidates, members: [], count: 4 }).ok, true);
    assert.deepEqual(place({ type: 'RACK', candidates, members: [], count: 5 }),
      { ok: false, shortfall: { type: 'RACK', reason: 'switches', needed: 5, usable: 4, withFree: 4, takenByMembers: 0 } });
    assert.equal(place({ type: 'RACK_SAME_SW', candidates, members: [], count: 6 }).ok, true);
    assert.deepEqual(place({ type: 'RACK_SAME_SW', candidates, members: [], count: 7 }),
      { ok: false, shortfall: { type: 'RACK_SAME_SW', reason: 'racks', needed: 7, best: { switchId: 'sw-0', racks: 6 }, pinnedSwitch: null } });
    const members: Member[] = [{ instanceId: 'bms-1', switchId: 'sw-2', rackId: 'rack-2-0' }, { instanceId: 'bms-2', switchId: 'sw-2', rackId: 'rack-2-1' }];
    assert.deepEqual(place({ type: 'RACK_SAME_SW', candidates, members, count: 5 }),
      { ok: false, shortfall: { type: 'RACK_SAME_SW', reason: 'racks', needed: 5, best: { switchId: 'sw-2', racks: 4 }, pinnedSwitch: 'sw-2' } });
    const four = place({ type: 'RACK_SAME_SW', candidates, members, count: 4 });
    assert.ok(four.ok && four.serverIds.every((id) => id.startsWith('srv-2') && !id.startsWith('srv-20') && !id.startsWith('srv-21')));
    assert.deepEqual(place({ type: 'RACK', candidates, members: [members[0]!], count: 4 }),
      { ok: false, shortfall: { type: 'RACK', reason: 'switches', needed: 4, usable: 3, withFree: 4, takenByMembers: 1 } });
    assert.deepEqual(place({ type: 'RACK', candidates, members, count: 1 }),
      { ok: false, shortfall: { type: 'RACK', reason: 'members', on: 'same-switch', member: members[0], other: members[1] } });
  });
});
