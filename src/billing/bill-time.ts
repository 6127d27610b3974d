/**
 * Bill time: the vendor's bills speak China Standard Time (UTC+8, no daylight saving) in the
 * form "2018-09-01 00:00:00", and a bill month is a calendar month in that zone.
 */
const CST_MS = 8 * 3600_000;

/** epoch ms → "YYYY-MM-DD HH:mm:ss" in UTC+8. */
export function formatBillTime(ms: number): string {
  return new Date(ms + CST_MS).toISOString().replace('T', ' ').slice(0, 19);
}

/** "YYYY-MM-DD HH:mm:ss" (or "YYYY-MM-DD") in UTC+8 → epoch ms; undefined when not such a time. */
export function parseBillTime(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1);
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const back = new Date(ms);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return undefined;
  return ms - CST_MS;
}

/** The month "YYYY-MM" (UTC+8) as [start, end) epoch ms; undefined when malformed. */
export function monthRange(month: string): { from: number; to: number } | undefined {
  const m = /^(\d{4})-?(\d{2})$/.exec(month.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { from: Date.UTC(y, mo, 1) - CST_MS, to: Date.UTC(y, mo + 1, 1) - CST_MS };
}

/** The month "YYYY-MM" (UTC+8) that `ms` falls in. */
export function monthOf(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 7);
}
