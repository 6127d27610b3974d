/**
 * Conformance cases for metered usage: EIP traffic per hour (written by monitoring, read by
 * billing). Writing an hour again replaces its total, so replays never add twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR_MS, listEipTrafficHours, putEipTrafficHour, type EipTrafficHour } from '../repos/eip-traffic.ts';
import { T0 } from './fixtures.ts';
import { freshStore, type StoreHarness } from './harness.ts';

const HOUR0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;

function hour(eipId: string, n: number, bytesOut: number, accountUin = '100001'): EipTrafficHour {
  return { eipId, hourStart: HOUR0 + n * HOUR_MS, accountUin, region: 'ap-guangzhou', isp: 'BGP', address: '198.51.100.7', bytesOut };
}

export function defineMeteringCases(h: StoreHarness): void {
  test('eip traffic: an hour written twice keeps the last total; ranges are half-open and per account', async (t) => {
    const { db } = await freshStore(t, h);
    await putEipTrafficHour(db, hour('eip-a', 0, 10), T0);
    await putEipTrafficHour(db, hour('eip-a', 0, 25), T0 + 1);
    await putEipTrafficHour(db, hour('eip-a', 1, 2 ** 40), T0 + 2); // beyond 32 bits
    await putEipTrafficHour(db, hour('eip-b', 1, 7, '100002'), T0 + 3);

    assert.deepEqual(await listEipTrafficHours(db, { from: HOUR0, to: HOUR0 + 2 * HOUR_MS }), [
      hour('eip-a', 0, 25), hour('eip-a', 1, 2 ** 40), hour('eip-b', 1, 7, '100002'),
    ]);
    assert.deepEqual(await listEipTrafficHours(db, { from: HOUR0 + HOUR_MS, to: HOUR0 + 2 * HOUR_MS, accountUin: '100002' }), [
      hour('eip-b', 1, 7, '100002'),
    ]);
    assert.deepEqual(await listEipTrafficHours(db, { from: HOUR0, to: HOUR0 + HOUR_MS, accountUin: '100002' }), []);
  });

  test('eip traffic: an hour start that is not on the hour is refused', async (t) => {
    const { db } = await freshStore(t, h);
    await assert.rejects(putEipTrafficHour(db, { ...hour('eip-a', 0, 1), hourStart: HOUR0 + 1 }, T0), RangeError);
    assert.deepEqual(await listEipTrafficHours(db, { from: 0, to: Number.MAX_SAFE_INTEGER }), []);
  });
}
