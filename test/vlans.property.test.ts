/**
 * The heartbeat VLAN allocator, property-tested against brute-force oracles (fast-check): the
 * smallest free id, the range every zone shares, range checks, and exhaustion.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  checkVlanRange, DEFAULT_VLAN_RANGE, freeCount, isVlanId, outsideRange, sharedRange, smallestFreeVlan, VLAN_MAX, VLAN_MIN, zoneRanges,
  type VlanRange,
} from '../src/network/vlans.ts';

/** Ranges clustered in a small window so that they overlap, touch and miss each other often. */
const vlanIn = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
const rangeIn = (lo: number, hi: number) => fc.tuple(vlanIn(lo, hi), vlanIn(lo, hi))
  .map(([a, b]): VlanRange => ({ first: Math.min(a, b), last: Math.max(a, b) }));
const range = fc.oneof(rangeIn(VLAN_MIN, 60), rangeIn(4040, VLAN_MAX), rangeIn(VLAN_MIN, VLAN_MAX));
const used = fc.array(vlanIn(0, 4100), { maxLength: 80 });
const ids = (r: VlanRange) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i);

describe('smallestFreeVlan', () => {
  it('is the smallest id of the range that is not in use (oracle: scan every id)', () => {
    fc.assert(fc.property(range, used, (r, inUse) => {
      const oracle = ids(r).find((v) => !inUse.includes(v));
      assert.equal(smallestFreeVlan(r, inUse), oracle);
    }));
  });

  it('with `after`, is the smallest free id above it', () => {
    fc.assert(fc.property(range, used, vlanIn(0, 4100), (r, inUse, after) => {
      const oracle = ids(r).find((v) => v > after && !inUse.includes(v));
      assert.equal(smallestFreeVlan(r, inUse, after), oracle);
    }));
  });

  it('never answers an id outside 2–4094, whatever the range says', () => {
    fc.assert(fc.property(fc.integer({ min: -50, max: 4200 }), fc.integer({ min: -50, max: 4200 }), used, (a, b, inUse) => {
      const v = smallestFreeVlan({ first: Math.min(a, b), last: Math.max(a, b) }, inUse);
      return v === undefined || isVlanId(v);
    }));
    assert.equal(smallestFreeVlan({ first: 0, last: 1 }, []), undefined);
    assert.equal(smallestFreeVlan({ first: 4095, last: 5000 }, []), undefined);
    assert.equal(smallestFreeVlan({ first: 0, last: 3 }, [2]), 3);
  });

  it('allocating until exhausted hands out every free id of the range exactly once, in ascending order', () => {
    fc.assert(fc.property(rangeIn(VLAN_MIN, 120), used, (r, initial) => {
      const inUse = [...initial];
      const handed: number[] = [];
      for (let v = smallestFreeVlan(r, inUse); v !== undefined; v = smallestFreeVlan(r, inUse)) {
        handed.push(v);
        inUse.push(v);
      }
      assert.deepEqual(handed, ids(r).filter((v) => !initial.includes(v)));
      assert.equal(handed.length, freeCount(r, initial));
      assert.equal(freeCount(r, inUse), 0);
    }));
  });

  it('skipping ids taken by a concurrent allocator (retry above the clash) still ends on a free id or exhaustion', () => {
    fc.assert(fc.property(rangeIn(VLAN_MIN, 80), used, used, (r, seen, concurrent) => {
      // The allocator knows `seen`; `concurrent` were taken meanwhile and are discovered on insert.
      const taken = new Set([...seen, ...concurrent]);
      let after: number | undefined;
      let got: number | undefined;
      for (;;) {
        const v = smallestFreeVlan(r, seen, after);
        if (v === undefined || !taken.has(v)) { got = v; break; }
        after = v;
      }
      assert.equal(got, ids(r).find((v) => !taken.has(v)));
    }));
  });
});

describe('sharedRange (the VLANs every zone allows)', () => {
  it('holds exactly the ids in every range, or is undefined when they do not overlap (oracle: scan 1–4095)', () => {
    fc.assert(fc.property(fc.array(range, { minLength: 1, maxLength: 5 }), (ranges) => {
      const shared = sharedRange(ranges);
      const inAll = (v: number) => ranges.every((r) => v >= r.first && v <= r.last);
      const oracle = Array.from({ length: 4095 }, (_, i) => i + 1).filter(inAll);
      if (oracle.length === 0) return shared === undefined;
      return shared !== undefined && shared.first === oracle[0] && shared.last === oracle.at(-1) && oracle.length === shared.last - shared.first + 1;
    }));
  });

  it('of no ranges is the default 2000–2999; zones without a configured range use it', () => {
    assert.deepEqual(sharedRange([]), DEFAULT_VLAN_RANGE);
    assert.deepEqual(DEFAULT_VLAN_RANGE, { first: 2000, last: 2999 });
    const zones = zoneRanges(['z1', 'z2', 'z3'], new Map([['z2', { first: 2500, last: 3500 }], ['elsewhere', { first: 5, last: 6 }]]));
    assert.deepEqual([...zones], [['z1', DEFAULT_VLAN_RANGE], ['z2', { first: 2500, last: 3500 }], ['z3', DEFAULT_VLAN_RANGE]]);
    assert.deepEqual(sharedRange(zones.values()), { first: 2500, last: 2999 });
  });

  it('is disjoint-safe: ranges that only touch share one id, ranges that miss share none', () => {
    assert.deepEqual(sharedRange([{ first: 100, last: 200 }, { first: 200, last: 300 }]), { first: 200, last: 200 });
    assert.equal(sharedRange([{ first: 100, last: 199 }, { first: 200, last: 300 }]), undefined);
  });
});

describe('range checks', () => {
  it('a range is valid iff 2 ≤ first ≤ last ≤ 4094 (integers)', () => {
    const anyInt = fc.integer({ min: -10, max: 4200 });
    fc.assert(fc.property(anyInt, anyInt, (first, last) => {
      const ok = first >= VLAN_MIN && last <= VLAN_MAX && first <= last;
      return (checkVlanRange({ first, last }) === undefined) === ok;
    }));
    assert.deepEqual(checkVlanRange({ first: 1, last: 10 }), { problem: 'outside', min: 2, max: 4094 });
    assert.deepEqual(checkVlanRange({ first: 10, last: 4095 }), { problem: 'outside', min: 2, max: 4094 });
    assert.deepEqual(checkVlanRange({ first: 10, last: 9 }), { problem: 'reversed' });
    assert.equal(checkVlanRange({ first: 2.5, last: 9 })?.problem, 'outside');
    for (const v of [0, 1, 4095, 1.5, Number.NaN]) assert.equal(isVlanId(v), false, String(v));
    for (const v of [2, 100, 4094]) assert.equal(isVlanId(v), true, String(v));
  });

  it('outsideRange lists, once and sorted, the ids in use that a new range would leave out', () => {
    fc.assert(fc.property(range, used, (r, inUse) => {
      const oracle = [...new Set(inUse.filter((v) => v < r.first || v > r.last))].sort((a, b) => a - b);
      assert.deepEqual(outsideRange(r, inUse), oracle);
    }));
  });
});
