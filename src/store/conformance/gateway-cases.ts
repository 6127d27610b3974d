/**
 * Conformance cases for the gateway's tables and the region catalogue: replay protection
 * (including a 50-way race on one signature), settings, regions and zones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as regions from '../repos/regions.ts';
import * as replays from '../repos/replays.ts';
import * as settings from '../repos/settings.ts';
import { GUANGZHOU, GUANGZHOU_3, GUANGZHOU_4, SHANGHAI, SHANGHAI_2, T0 } from './fixtures.ts';
import { assertConflict, freshStore, type StoreHarness } from './harness.ts';

export function defineGatewayCases(h: StoreHarness): void {
  test('replays: a signature is accepted once until it expires', async (t) => {
    const { db } = await freshStore(t, h);
    const ttl = 5 * 60_000;
    assert.equal(await replays.remember(db, 'sig-a', T0 + ttl, T0), true);
    assert.equal(await replays.remember(db, 'sig-a', T0 + 1000 + ttl, T0 + 1000), false);
    assert.equal(await replays.remember(db, 'sig-b', T0 + ttl, T0), true);
    assert.equal(await replays.remember(db, 'sig-a', T0 + ttl + ttl, T0 + ttl), true, 'accepted again once expired');
    assert.equal(await replays.remember(db, 'sig-a', T0 + ttl + ttl, T0 + ttl + 1), false, 'and remembered anew');
  });

  test('replays: purgeExpired deletes only expired records', async (t) => {
    const { db } = await freshStore(t, h);
    await replays.remember(db, 'old', T0 + 10, T0);
    await replays.remember(db, 'new', T0 + 1000, T0);
    assert.equal(await replays.purgeExpired(db, T0 + 10), 1);
    assert.equal(await replays.purgeExpired(db, T0 + 10), 0);
    assert.equal(await replays.remember(db, 'new', T0 + 2000, T0 + 500), false);
  });

  test('replays: 50 concurrent remember() of one signature, exactly one wins', async (t) => {
    const { db } = await freshStore(t, h);
    const attempts = Array.from({ length: 50 }, () => replays.remember(db, 'sig-race', T0 + 60_000, T0));
    const answers = await Promise.all(attempts);
    assert.equal(answers.filter(Boolean).length, 1);
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
