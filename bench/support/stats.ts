/**
 * Bench support: reading the environment, summarising rounds, printing numbers.
 *
 * Benchmarks run on a shared, noisy machine, so every figure is the MEDIAN over rounds; these
 * are the few helpers every bench needs for that and for printing it the same way.
 */

/** A positive integer from the environment (`fallback` when unset or empty); throws on anything else. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** A comma-separated list of positive integers from the environment (`fallback` when unset or empty). */
export function positiveInts(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must be positive integers separated by commas, got "${raw}"`);
  return values;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A number with thousands separators and a fixed number of decimals. */
export const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Megabytes (2^20 bytes), one decimal. */
export const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MB`;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
