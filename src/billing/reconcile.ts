/**
 * The daily reconciliation: billed seconds against the power-on time the power sync observed.
 *
 * For one day (UTC+8), each instance billable during it is billed for the overlap of its
 * billable span (first RUNNING → TERMINATING, from the lifecycle journal — what its records
 * charge) with the day. The power sync's readings give the seconds its server was seen on, and
 * how much of the day was observed at all. Where the two differ by more than the tolerance, the
 * instance is listed: a billed instance whose server was found off for hours (stopped by the
 * tenant — billed by design — or powered off behind our back) is a finding for the operator to
 * look at, not something silently ignored.
 */
import type { Kysely } from 'kysely';
import { powerTotals } from '../store/repos/power-observations.ts';
import { billableSpans } from '../store/repos/state-history.ts';
import type { Database } from '../store/schema.ts';

export interface Finding {
  instanceId: string; accountUin: string; billedSeconds: number; poweredOnSeconds: number; observedSeconds: number; differenceSeconds: number;
}

export async function reconcileDay(db: Kysely<Database>, day: { from: number; to: number }, toleranceSeconds: number): Promise<Finding[]> {
  const power = await powerTotals(db, day.from, day.to);
  const findings: Finding[] = [];
  for (const s of await billableSpans(db)) {
    const from = Math.max(day.from, Math.floor(s.from / 1000) * 1000);
    const to = Math.min(day.to, s.until === null ? day.to : Math.floor(s.until / 1000) * 1000);
    const billed = Math.max(0, Math.floor((to - from) / 1000));
    const p = power.get(s.instanceId) ?? { onMs: 0, observedMs: 0 };
    const on = Math.floor(p.onMs / 1000);
    if (billed === 0 && on === 0) continue;
    if (Math.abs(billed - on) > toleranceSeconds) {
      findings.push({
        instanceId: s.instanceId, accountUin: s.accountUin, billedSeconds: billed, poweredOnSeconds: on,
        observedSeconds: Math.floor(p.observedMs / 1000), differenceSeconds: billed - on,
      });
    }
  }
  return findings.sort((a, b) => b.differenceSeconds - a.differenceSeconds || (a.instanceId < b.instanceId ? -1 : 1));
}
