/**
 * Power-on time as the power sync observed it (migration 0050), for billing's reconciliation.
 *
 * Each reading of an instance's server closes the interval since the previous reading: that
 * interval counts as observed, and as powered on when the previous reading said on. Intervals
 * longer than `maxGapMs` (the sync was not running) are not counted at all — unobserved time is
 * shown as such rather than guessed. Totals are kept per instance and UTC hour.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

const HOUR = 3_600_000;

export async function observePower(db: Kysely<Database>, instanceId: string, on: boolean, now: number, maxGapMs = 15 * 60_000): Promise<void> {
  const last = await db.selectFrom('power_observation_last').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
  if (last && now > Number(last.at) && now - Number(last.at) <= maxGapMs) {
    const wasOn = Number(last.powered_on) === 1;
    for (let t = Number(last.at); t < now;) {
      const hour = t - (t % HOUR);
      const end = Math.min(now, hour + HOUR);
      await db.insertInto('power_observation_hours').values({ instance_id: instanceId, hour_start: hour, on_ms: wasOn ? end - t : 0, observed_ms: end - t })
        .onConflict((oc) => oc.columns(['instance_id', 'hour_start']).doUpdateSet({
          on_ms: sql`power_observation_hours.on_ms + excluded.on_ms`, observed_ms: sql`power_observation_hours.observed_ms + excluded.observed_ms`,
        })).execute();
      t = end;
    }
  }
  if (!last || now > Number(last.at)) {
    await db.insertInto('power_observation_last').values({ instance_id: instanceId, at: now, powered_on: on ? 1 : 0 })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet({ at: now, powered_on: on ? 1 : 0 })).execute();
  }
}

/** Observed and powered-on milliseconds per instance over the hours in [from, to). */
export async function powerTotals(db: Kysely<Database>, from: number, to: number): Promise<Map<string, { onMs: number; observedMs: number }>> {
  const rows = await db.selectFrom('power_observation_hours').selectAll().where('hour_start', '>=', from).where('hour_start', '<', to).execute();
  const out = new Map<string, { onMs: number; observedMs: number }>();
  for (const r of rows) {
    const t = out.get(r.instance_id) ?? { onMs: 0, observedMs: 0 };
    t.onMs += Number(r.on_ms);
    t.observedMs += Number(r.observed_ms);
    out.set(r.instance_id, t);
  }
  return out;
}
