/**
 * Parameters the bill actions share: the payer (only the caller's own account), a time range in
 * the vendor's bill time (UTC+8), a month, and money amounts as decimals.
 */
import { monthRange, parseBillTime } from '../../billing/bill-time.ts';
import { invalidParameterValue, resourceNotFound } from '../../shared/errors.ts';
import type { CallContext } from '../types.ts';

/** PayerUin, when given, must be the caller's account — another one is answered as not existing. */
export function payerOf(ctx: CallContext, payerUin: string | undefined): string {
  const own = ctx.principal.accountUin;
  if (payerUin !== undefined && payerUin.trim() !== '' && payerUin.trim() !== own) throw resourceNotFound('account', payerUin.trim());
  return own;
}

/** [BeginTime, EndTime] as a half-open range of epoch ms (EndTime's second included). */
export function timeRange(begin: string, end: string, names = ['BeginTime', 'EndTime']): { from: number; to: number } {
  const from = parseBillTime(begin);
  if (from === undefined) throw invalidParameterValue(names[0]!, `"${begin}" is not a time such as 2026-01-01 00:00:00`, `"${begin}" 不是形如 2026-01-01 00:00:00 的时间`);
  const last = parseBillTime(end);
  if (last === undefined) throw invalidParameterValue(names[1]!, `"${end}" is not a time such as 2026-01-31 23:59:59`, `"${end}" 不是形如 2026-01-31 23:59:59 的时间`);
  if (last < from) throw invalidParameterValue(names[1]!, `${end} is before ${names[0]} ${begin}`, `${end} 早于 ${names[0]} ${begin}`);
  return { from, to: last + 1000 };
}

/** The account water's compact times: 20150617 or 20150617111855 (UTC+8). */
export function compactTime(name: string, raw: string, endOfDay: boolean): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(raw.trim());
  const t = m && parseBillTime(`${m[1]}-${m[2]}-${m[3]} ${m[4] ?? (endOfDay ? '23' : '00')}:${m[5] ?? (endOfDay ? '59' : '00')}:${m[6] ?? (endOfDay ? '59' : '00')}`);
  if (t === undefined || t === null) throw invalidParameterValue(name, `"${raw}" is not a time such as 20260617 or 20260617111855`, `"${raw}" 不是形如 20260617 或 20260617111855 的时间`);
  return t;
}

export function monthParam(name: string, raw: string): { from: number; to: number; month: string } {
  const r = monthRange(raw);
  if (!r) throw invalidParameterValue(name, `"${raw}" is not a month such as 2026-01`, `"${raw}" 不是形如 2026-01 的月份`);
  const m = /^(\d{4})-?(\d{2})$/.exec(raw.trim())!;
  return { ...r, month: `${m[1]}-${m[2]}` };
}

/** A wire number (BalanceThreshold is a Float) as cents: at most two decimals, read from its decimal text. */
export function centsOfNumber(name: string, value: number): number {
  const text = String(value);
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m || !Number.isSafeInteger(Number(m[2]) * 100)) throw invalidParameterValue(name, `${text} is not an amount with at most two decimals`, `${text} 不是最多两位小数的金额`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}
