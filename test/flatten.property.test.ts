/**
 * Properties of flat parameters: flatten → unflatten restores the structure (with scalars as
 * the strings they travel as), whatever the nesting; form encoding → parseForm restores the
 * pairs, whatever the characters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { flatten, unflatten, type Nested } from '../src/gateway/protocol/flatten.ts';
import { parseForm } from '../src/gateway/protocol/form.ts';

const key = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,8}$/);
const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }));

// Non-empty containers only: empty ones vanish on the wire by design (official-sdk-wire §0.14).
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { minLength: 1, maxLength: 4 }),
    fc.dictionary(key, tie('value'), { minKeys: 1, maxKeys: 4 }),
  ),
}));
const request = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 });

/** The same value on ordinary objects (unflatten builds objects without a prototype). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const asStrings = (v: unknown): Nested =>
  Array.isArray(v) ? v.map(asStrings) : typeof v === 'object' && v !== null
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asStrings(x)]))
    : String(v);

describe('flat parameters', () => {
  it('unflatten(flatten(x)) equals x with scalars as strings', () => {
    fc.assert(fc.property(request, (req) => {
      assert.deepEqual(plain(unflatten(flatten(req))), asStrings(req));
    }), { numRuns: 500 });
  });

  it('unflatten places array elements by index, whatever the arrival order', () => {
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 30 }), fc.infiniteStream(fc.nat()), (items, seeds) => {
      const pairs = items.map((v, i) => [`InstanceIds.${i}`, v] as [string, string]);
      const shuffled = [...pairs].sort(() => (seeds.next().value % 3) - 1);
      assert.deepEqual(plain(unflatten(shuffled)), { InstanceIds: items });
    }), { numRuns: 200 });
  });

  it('form encoding round-trips any pairs (percent-encoded or with + for spaces)', () => {
    const pair = fc.tuple(fc.string({ minLength: 1 }), fc.string());
    fc.assert(fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), (pairs, plus) => {
      const enc = (s: string) => (plus ? encodeURIComponent(s).replace(/%20/g, '+') : encodeURIComponent(s));
      const raw = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
      assert.deepEqual(parseForm(raw), pairs);
    }), { numRuns: 500 });
  });

  it('inconsistent keys are InvalidParameter naming the key, never a crash', () => {
    assert.throws(() => unflatten([['A', '1'], ['A.B', '2']]), { code: 'InvalidParameter', message: /A/ });
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      assert.throws(() => unflatten([[`${name}.Limit`, '1']]), { code: 'InvalidParameter', message: new RegExp(`${name}.*not accepted as a parameter name`) });
      assert.throws(() => unflatten([[`Filters.0.${name}`, '1']]), { code: 'InvalidParameter' });
    }
    const rebuilt = unflatten([['Placement.Zone', 'z']]);
    assert.equal(Object.getPrototypeOf(rebuilt), null);
    assert.equal(Object.getPrototypeOf(rebuilt.Placement), null, 'decoded objects have no prototype');
    assert.throws(() => unflatten([['InstanceIds.1', 'x']]), { code: 'InvalidParameter', message: /InstanceIds\.0/ });
    assert.throws(() => unflatten([['X.0', 'a'], ['X.Name', 'b']]), { code: 'InvalidParameter' });
    assert.throws(() => unflatten([['A..B', '1']]), { code: 'InvalidParameter' });
    assert.throws(() => parseForm('A=%E6%B5'), { code: 'InvalidParameter', message: /A/ });
  });
});
