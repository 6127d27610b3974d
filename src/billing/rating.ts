/**
 * Rating: which usage periods of a resource are due, and what each costs — pure functions.
 *
 * An instance is billable from the moment it first reached RUNNING until its return began
 * (TERMINATING), as the lifecycle journal records them; everything in between is billed —
 * RUNNING, STOPPED (the server stays reserved), REBOOTING, RESETTING (a reinstall neither
 * pauses nor restarts billing: same server, same periods). Times are cut to whole seconds.
 * Its periods run every `periodMs` from its deployment: [from + k·P, from + (k+1)·P). A full
 * period is pushed when it ends; when the return begins, the last partial period
 * [from + k·P, until) is pushed at once. A CREATE_FAILED instance never reached RUNNING and has
 * no periods at all.
 *
 * A period is rated at the price in force at its start: a price change takes effect from each
 * resource's next period (the period under way keeps the price it started with).
 */
import { BYTES_PER_GB, ratedCents, SECONDS_PER_HOUR } from './money.ts';

export interface Period { start: number; end: number; final: boolean }

const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * The periods of a billable span that are due at `now` and not yet pushed (`pushedUntil`: the end
 * of the last pushed period, or null). `closed` is true when the span has nothing left to push.
 */
export function duePeriods(
  span: { from: number; until: number | null }, pushedUntil: number | null, now: number, periodMs: number,
): { periods: Period[]; closed: boolean } {
  const from = toSecond(span.from);
  const until = span.until === null ? null : Math.max(from, toSecond(span.until));
  const periods: Period[] = [];
  let start = pushedUntil ?? from;
  for (;;) {
    const end = start + periodMs;
    if (until !== null && until <= end) {
      if (until > start) periods.push({ start, end: until, final: true });
      return { periods, closed: true };
    }
    if (end > now) return { periods, closed: false };
    periods.push({ start, end, final: false });
    start = end;
  }
}

/** Billed seconds of a span up to `now` (what every pushed period of it adds up to once all are due). */
export function billableSeconds(span: { from: number; until: number | null }, now: number): number {
  const from = toSecond(span.from);
  const end = span.until === null ? toSecond(now) : Math.max(from, toSecond(span.until));
  return Math.max(0, (end - from) / 1000);
}

/** An instance period's amount: seconds × hourly price ÷ 3600, to the cent, halves up. */
export function instanceAmount(seconds: number, hourlyCents: number): number {
  return ratedCents(seconds, hourlyCents, SECONDS_PER_HOUR);
}

/** A traffic period's amount: bytes × price per GB ÷ 1024³, to the cent, halves up. */
export function trafficAmount(bytes: number, perGbCents: number): number {
  return ratedCents(bytes, perGbCents, BYTES_PER_GB);
}

/** The price in force at `at` from a history sorted by `from` ascending (undefined before the first). */
export function priceAt(history: ReadonlyArray<{ from: number; cents: number }>, at: number): number | undefined {
  let found: number | undefined;
  for (const h of history) {
    if (h.from > at) break;
    found = h.cents;
  }
  return found;
}
