/**
 * A month's bill detail as CSV (what bill DescribeBillDownloadList links to).
 *
 * One line per usage record whose period began in the month (UTC+8), ordered by period start
 * then record key, every field derived from the stored record — so the same history always
 * yields the same bytes. Columns carry the vendor's detail field names (DetailDetailItem).
 * Fields are quoted only when they need to be (RFC 4180); lines end with CRLF.
 */
import { listRecords, type BillingRecordRow } from '../store/repos/billing.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { formatBillTime, monthRange } from './bill-time.ts';
import { formatCents } from './money.ts';

export const CSV_COLUMNS = [
  'PayerUin', 'ProductCode', 'ProductCodeName', 'ResourceId', 'ResourceName', 'SubProductCode', 'RegionId', 'ZoneName', 'PayMode',
  'FeeBeginTime', 'FeeEndTime', 'UsedAmount', 'UsedAmountUnit', 'SinglePrice', 'SinglePriceUnit', 'RealTotalCost', 'PayTime', 'BillId',
] as const;

export const PRODUCT_NAMES: Record<string, string> = { bms: '黑石物理服务器', eip: '弹性公网IP流量' };

export function csvLine(r: BillingRecordRow): string[] {
  const traffic = r.product === 'eip';
  return [
    r.account_uin, r.product, PRODUCT_NAMES[r.product] ?? r.product, r.resource_id, r.resource_name, r.sub_product, r.region, r.zone, 'postPay',
    formatBillTime(r.period_start), formatBillTime(r.period_end), String(r.quantity), traffic ? 'Byte' : 'Second',
    formatCents(r.unit_price_cents), traffic ? 'CNY/GB' : 'CNY/Hour', formatCents(r.amount_cents), formatBillTime(r.deduct_due_at), r.record_key,
  ];
}

const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);

export async function monthCsv(db: Kysely<Database>, accountUin: string, month: string): Promise<string> {
  const range = monthRange(month);
  if (!range) throw new RangeError(`"${month}" is not a month such as 2026-01`);
  const records = await listRecords(db, { accountUin, ...range });
  return [CSV_COLUMNS.join(','), ...records.map((r) => csvLine(r).map(quote).join(','))].map((l) => `${l}\r\n`).join('');
}
