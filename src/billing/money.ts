/**
 * Money without floating point.
 *
 * Every amount BMS bills is an integer number of cents (分, 0.01 yuan); prices are too (cents per
 * hour of a flavor, cents per GB of an ISP's traffic). A usage record's amount is
 * quantity × unit price ÷ unit — computed exactly in BigInt and rounded **once, to the nearest
 * cent, halves up** (the documented rounding rule). Balances and totals are sums of those
 * rounded amounts, so they never disagree with the records they add up.
 */

/** "12.5" → 1250, "-3.07" → -307. Up to two decimals; anything else is a RangeError naming it. */
export function parseCents(decimal: string): number {
  const m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(decimal.trim());
  if (!m) throw new RangeError(`"${decimal}" is not an amount such as 12.34`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** 1250 → "12.50", -307 → "-3.07". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** round_half_up(quantity × unitCents ÷ divisor) for non-negative inputs, exactly. */
export function ratedCents(quantity: number | bigint, unitCents: number, divisor: number | bigint): number {
  const n = BigInt(quantity) * BigInt(unitCents);
  const d = BigInt(divisor);
  if (n < 0n || d <= 0n) throw new RangeError('ratedCents takes a non-negative quantity and price and a positive divisor');
  return Number((n * 2n + d) / (d * 2n));
}

/** Seconds in an hour (flavor prices are per hour) and bytes in a GB (traffic prices are per GB: 1024³ bytes). */
export const SECONDS_PER_HOUR = 3600;
export const BYTES_PER_GB = 1024n ** 3n;
