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
 *
 * The daily check (`checkFinishedDays`, run after each biller run) reconciles every day of the
 * past week that has been over for an hour (the power sync's last readings of it are in) and was
 * not checked yet: the result is stored under the day (billing_reconciliations), so one process
 * checks a day once however many run, and each finding is logged as a warning for the operator.
 * DescribeBillingReconciliation shows any day's, with any tolerance, on demand.
 */
import type { Kysely } from 'kysely';
import { checkedDays, recordCheckedDay } from '../store/repos/billing.ts';
import { powerTotals } from '../store/repos/power-observations.ts';
import { billableSpans } from '../store/repos/state-history.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { formatBillTime, parseBillTime } from './bill-time.ts';

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

const DAY_MS = 86_400_000;
/** A day is checked once it has been over this long. */
export const SETTLE_MS = 3_600_000;
/** How far back the daily check catches up (a service down for longer checks only the last week). */
const CATCH_UP_DAYS = 7;
export const DEFAULT_TOLERANCE_SECONDS = 3600;

export interface DailyCheck { day: string; findings: Finding[] }

/** Checks the finished, unchecked days of the past week; returns the days this call checked. */
export async function checkFinishedDays(
  store: Store, now: number, logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void },
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Promise<DailyCheck[]> {
  const settledDay = parseBillTime(formatBillTime(now - SETTLE_MS).slice(0, 10))!; // start of the day (UTC+8) still settling
  const days = Array.from({ length: CATCH_UP_DAYS }, (_, k) => settledDay - (CATCH_UP_DAYS - k) * DAY_MS).map((from) => ({ from, day: formatBillTime(from).slice(0, 10) }));
  const done = await checkedDays(store.db, days.map((d) => d.day));
  const checked: DailyCheck[] = [];
  for (const d of days.filter((x) => !done.has(x.day))) {
    const findings = await reconcileDay(store.db, { from: d.from, to: d.from + DAY_MS }, toleranceSeconds);
    const won = await store.transaction((tx) => recordCheckedDay(tx, { day: d.day, checkedAt: now, toleranceSeconds, findings }));
    if (!won) continue; // another process checked it meanwhile
    checked.push({ day: d.day, findings });
    for (const f of findings) logger?.warn({ day: d.day, ...f }, 'billing reconciliation: billed time differs from the power-on time observed');
    logger?.info({ day: d.day, findings: findings.length, toleranceSeconds }, 'billing reconciliation checked a day');
  }
  return checked;
}
