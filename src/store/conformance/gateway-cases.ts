/**
 * Conformance cases for the gateway's tables and the region catalogue: request repeats
 * (including a 50-way race on one key), settings, regions and zones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as regions from '../repos/regions.ts';
import * as repeats from '../repos/request-repeats.ts';
import * as settings from '../repos/settings.ts';
import { GUANGZHOU, GUANGZHOU_3, GUANGZHOU_4, SHANGHAI, SHANGHAI_2, T0 } from './fixtures.ts';
import { assertConflict, freshStore, type StoreHarness } from './harness.ts';

export function defineGatewayCases(h: StoreHarness): void {
  test('request repeats: claimed once; a live record is reported, an expired one or a lapsed claim taken over', async (t) => {
    const { db } = await freshStore(t, h);
    const ttl = 5 * 60_000;
    const claim = (key: string, requestId: string, now: number, lease = 60_000) =>
      repeats.claimRepeat(db, { key, requestId, expiresAt: now + ttl, leaseUntil: now + lease }, now);
    assert.deepEqual(await claim('sig-a', 'r1', T0), { state: 'claimed' });
    assert.deepEqual(await claim('sig-a', 'r2', T0 + 10), { state: 'running', requestId: 'r1' });
    await repeats.completeRepeat(db, 'sig-a', 'r2', '{"not":"mine"}'); // only the claim's own request completes it
    assert.deepEqual(await claim('sig-a', 'r2', T0 + 20), { state: 'running', requestId: 'r1' });
    await repeats.completeRepeat(db, 'sig-a', 'r1', '{"TaskId":7}');
    assert.deepEqual(await claim('sig-a', 'r3', T0 + 30), { state: 'done', requestId: 'r1', answer: '{"TaskId":7}' });
    assert.deepEqual(await claim('sig-a', 'r4', T0 + ttl), { state: 'claimed' }, 'taken over once expired');
    assert.deepEqual(await claim('sig-b', 'r5', T0, 100), { state: 'claimed' });
    assert.deepEqual(await claim('sig-b', 'r6', T0 + 100), { state: 'claimed' }, 'a claim whose lease lapsed without an answer is taken over');
    await repeats.releaseRepeat(db, 'sig-b', 'r5'); // the lapsed claimant releasing does not undo the new claim
    assert.deepEqual(await claim('sig-b', 'r7', T0 + 200), { state: 'running', requestId: 'r6' });
    await repeats.releaseRepeat(db, 'sig-b', 'r6');
    assert.deepEqual(await claim('sig-b', 'r8', T0 + 300), { state: 'claimed' }, 'a released (failed) request is judged anew');
  });

  test('request repeats: purgeExpiredRepeats deletes only expired records', async (t) => {
    const { db } = await freshStore(t, h);
    await repeats.claimRepeat(db, { key: 'old', requestId: 'a', expiresAt: T0 + 10, leaseUntil: T0 + 10 }, T0);
    await repeats.claimRepeat(db, { key: 'new', requestId: 'b', expiresAt: T0 + 1000, leaseUntil: T0 + 1000 }, T0);
    assert.equal(await repeats.purgeExpiredRepeats(db, T0 + 10), 1);
    assert.equal(await repeats.purgeExpiredRepeats(db, T0 + 10), 0);
    assert.equal((await repeats.findRepeat(db, 'new'))?.request_id, 'b');
  });

  test('request repeats: 50 concurrent claims of one key, exactly one wins', async (t) => {
    const { db } = await freshStore(t, h);
    const attempts = Array.from({ length: 50 }, (_, i) => repeats.claimRepeat(db, { key: 'sig-race', requestId: `r${i}`, expiresAt: T0 + 60_000, leaseUntil: T0 + 60_000 }, T0));
    const answers = await Promise.all(attempts);
    assert.equal(answers.filter((a) => a.state === 'claimed').length, 1);
    assert.equal(answers.filter((a) => a.state === 'running').length, 49);
  });

  test('settings: get, set, overwrite', async (t) => {
    const { db } = await freshStore(t, h);
    assert.equal(await settings.getSetting(db, 'bootstrap.done'), undefined);
    await settings.setSetting(db, 'bootstrap.done', 'no');
    await settings.setSetting(db, 'bootstrap.done', 'yes');
    await settings.setSetting(db, 'unicode', '广州 ✓');
    assert.equal(await settings.getSetting(db, 'bootstrap.done'), 'yes');
    assert.equal(await settings.getSetting(db, 'unicode'), '广州 ✓');
  });

  test('regions and zones round trip; upserts update in place', async (t) => {
    const { db } = await freshStore(t, h);
    await regions.upsertRegion(db, SHANGHAI);
    await regions.upsertRegion(db, GUANGZHOU);
    for (const z of [SHANGHAI_2, GUANGZHOU_4, GUANGZHOU_3]) await regions.upsertZone(db, z);

    assert.deepEqual(await regions.listRegions(db), [GUANGZHOU, SHANGHAI]);
    assert.deepEqual(await regions.listZones(db), [GUANGZHOU_3, GUANGZHOU_4, SHANGHAI_2]);
    assert.deepEqual(await regions.listZones(db, 'ap-shanghai'), [SHANGHAI_2]);
    assert.deepEqual(await regions.listZones(db, 'ap-nowhere'), []);

    const closed = { ...GUANGZHOU_4, state: 'UNAVAILABLE' };
    await regions.upsertZone(db, closed);
    await regions.upsertRegion(db, { ...SHANGHAI, name: '上海' });
    assert.deepEqual(await regions.listZones(db, 'ap-guangzhou'), [GUANGZHOU_3, closed]);
    assert.equal((await regions.listRegions(db))[1]?.name, '上海');
    assert.equal(typeof (await regions.listZones(db))[0]?.zoneId, 'number');

    await assertConflict(regions.upsertZone(db, { ...GUANGZHOU_3, zone: 'ap-guangzhou-9' }), 'zones', ['zone_id']);
  });
}
