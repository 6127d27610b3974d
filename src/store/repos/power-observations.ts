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

export interface PowerObservation {
  instanceId: string;
  on: boolean;
}

export async function observePower(db: Kysely<Database>, instanceId: string, on: boolean, now: number, maxGapMs = 15 * 60_000): Promise<void> {
  await observePowerMany(db, [{ instanceId, on }], now, maxGapMs);
}

/** Records one reading per instance, all at `now`, in three statements whatever their number. */
export async function observePowerMany(db: Kysely<Database>, readings: readonly PowerObservation[], now: number, maxGapMs = 15 * 60_000): Promise<void> {
  if (readings.length === 0) return;
  const ids = [...new Set(readings.map((r) => r.instanceId))];
  const lastRows = await db.selectFrom('power_observation_last').selectAll().where('instance_id', 'in', ids).execute();
  const last = new Map(lastRows.map((r) => [r.instance_id, r]));
  const hours = new Map<string, { instance_id: string; hour_start: number; on_ms: number; observed_ms: number }>();
  const latest = new Map<string, { instance_id: string; at: number; powered_on: 0 | 1 }>();
  const seen = new Set<string>();
  for (const r of readings) {
    if (seen.has(r.instanceId)) continue; // one reading per instance and instant
    seen.add(r.instanceId);
    const prev = last.get(r.instanceId);
    if (prev && now <= Number(prev.at)) continue; // already observed at or after this instant
    latest.set(r.instanceId, { instance_id: r.instanceId, at: now, powered_on: r.on ? 1 : 0 });
    if (!prev || now - Number(prev.at) > maxGapMs) continue; // unobserved time is not counted
    const wasOn = Number(prev.powered_on) === 1;
    for (let t = Number(prev.at); t < now;) {
      const hour = t - (t % HOUR);
      const end = Math.min(now, hour + HOUR);
      const key = `${r.instanceId}|${hour}`;
      const h = hours.get(key) ?? { instance_id: r.instanceId, hour_start: hour, on_ms: 0, observed_ms: 0 };
      h.on_ms += wasOn ? end - t : 0;
      h.observed_ms += end - t;
      hours.set(key, h);
      t = end;
    }
  }
  if (hours.size > 0) {
    await db.insertInto('power_observation_hours').values([...hours.values()])
      .onConflict((oc) => oc.columns(['instance_id', 'hour_start']).doUpdateSet({
        on_ms: sql`power_observation_hours.on_ms + excluded.on_ms`, observed_ms: sql`power_observation_hours.observed_ms + excluded.observed_ms`,
      })).execute();
  }
  if (latest.size > 0) {
    await db.insertInto('power_observation_last').values([...latest.values()])
      .onConflict((oc) => oc.column('instance_id').doUpdateSet({ at: sql`excluded.at`, powered_on: sql`excluded.powered_on` })).execute();
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
