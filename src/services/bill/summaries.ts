/**
 * bill: what the usage records add up to — per resource (DescribeBillDetailByResource,
 * DescribeBillSummaryByResource), per product, region or tag value, and per month
 * (DescribeBillFeeTrend). Every figure is a sum of stored records (integer cents) whose period
 * began in the asked range, shown as yuan; a ratio is a percentage with two decimals, halves up.
 * Nothing is paid by voucher: VoucherPayAmount is always 0.00 and PayableAmount = RealTotalCost.
 */
import { monthOf, monthRange } from '../../billing/bill-time.ts';
import { PRODUCT_NAMES } from '../../billing/csv.ts';
import { formatCents, ratedCents } from '../../billing/money.ts';
import { regionId } from '../../billing/regions.ts';
import { formatBillTime } from '../../billing/bill-time.ts';
import type {
  Conditions, DescribeBillDetailByResourceRequest, DescribeBillFeeTrendRequest, DescribeBillSummaryByProductRequest,
  DescribeBillSummaryByRegionRequest, DescribeBillSummaryByResourceRequest, DescribeBillSummaryByTagRequest,
} from '../../generated/bill.ts';
import * as bills from '../../store/repos/billing.ts';
import type { Store } from '../../store/store.ts';
import type { CallContext, Handler } from '../types.ts';
import { payerOf, timeRange } from './params.ts';

type Row = bills.BillingRecordRow;
const COMPONENTS: Record<string, { code: string; name: string }> = {
  bms: { code: 'sv_bms_time', name: '使用时长 usage time' }, eip: { code: 'sv_eip_traffic', name: '公网流量 traffic out' },
};
const sum = (rows: Row[]) => rows.reduce((n, r) => n + r.amount_cents, 0);
const ratio = (part: number, total: number) => (total <= 0 ? '0.00' : formatCents(ratedCents(part, 10_000, total)));
const cost = (cents: number) => ({ RealTotalCost: formatCents(cents), PayableAmount: formatCents(cents), VoucherPayAmount: '0.00' });

async function recordsIn(store: Store, ctx: CallContext, payer: string | undefined, begin: string, end: string, conditions?: Conditions): Promise<Row[]> {
  const uin = payerOf(ctx, payer);
  const rows = await bills.listRecords(store.db, { accountUin: uin, ...timeRange(begin, end) });
  return rows.filter((r) => matches(r, conditions));
}

function matches(r: Row, c: Conditions | undefined): boolean {
  if (!c) return true;
  if (c.ProductCodes?.length && !c.ProductCodes.includes(r.product)) return false;
  if (c.RegionIds?.length && !c.RegionIds.includes(regionId(r.region))) return false;
  if (c.RegionId !== undefined && c.RegionId !== regionId(r.region)) return false;
  const kw = c.ResourceKeyword?.trim().toLowerCase();
  if (kw && !r.resource_id.toLowerCase().includes(kw) && !r.resource_name.toLowerCase().includes(kw)) return false;
  return true;
}

function groupBy(rows: Row[], key: (r: Row) => string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r); else out.set(k, [r]);
  }
  return out;
}

async function regionNames(store: Store): Promise<Map<string, string>> {
  const rows = await store.db.selectFrom('regions').select(['region', 'name']).execute();
  return new Map(rows.map((r) => [r.region, r.name]));
}

/** The `count` months (YYYY-MM, UTC+8) ending with the month `end` falls in, oldest first. */
function monthsEnding(end: number, count: number): string[] {
  const [y, m] = monthOf(end).split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

async function monthlyCosts(store: Store, uin: string, months: string[], filter: (r: Row) => boolean): Promise<Array<{ month: string; cents: number }>> {
  const from = monthRange(months[0]!)!.from;
  const to = monthRange(months.at(-1)!)!.to;
  const rows = (await bills.listRecords(store.db, { accountUin: uin, from, to })).filter(filter);
  const byMonth = groupBy(rows, (r) => monthOf(r.period_start));
  return months.map((month) => ({ month, cents: sum(byMonth.get(month) ?? []) }));
}

export function describeBillDetailByResource({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillDetailByResourceRequest;
    const rows = (await recordsIn(store, ctx, p.PayerUin, p.BeginTime, p.EndTime))
      .filter((r) => r.resource_id === p.ResourceId && (p.ProductCode === undefined || r.product === p.ProductCode)
        && (p.RegionId === undefined || regionId(r.region) === p.RegionId));
    const total = sum(rows);
    const items = [...groupBy(rows, (r) => r.product)].map(([product, rs]) => ({
      UsedAmount: String(rs.reduce((n, r) => n + r.quantity, 0)), BillingItemCode: COMPONENTS[product]!.code, BillingItemCodeName: COMPONENTS[product]!.name,
      RealTotalCost: formatCents(sum(rs)), RealTotalCostRatio: ratio(sum(rs), total),
    }));
    const end = timeRange(p.BeginTime, p.EndTime).to - 1;
    const trend = await monthlyCosts(store, ctx.principal.accountUin, monthsEnding(end, 6), (r) => r.resource_id === p.ResourceId);
    const average = Math.round(trend.reduce((n, t) => n + t.cents, 0) / trend.length);
    return {
      Ready: 1, Total: cost(total), BillingItemDetail: items,
      RealTotalCostTrend: { Detail: trend.map((t) => ({ Month: t.month, RealTotalCost: formatCents(t.cents) })), Average: formatCents(average) },
    };
  };
}

export function describeBillSummaryByProduct({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillSummaryByProductRequest;
    const rows = await recordsIn(store, ctx, p.PayerUin, p.BeginTime, p.EndTime);
    const total = sum(rows);
    const overview = [...groupBy(rows, (r) => r.product)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([product, rs]) => ({
      ProductCode: product, ProductCodeName: PRODUCT_NAMES[product] ?? product, RealTotalCost: formatCents(sum(rs)), RealTotalCostRatio: ratio(sum(rs), total), TagValue: '',
    }));
    return { Ready: 1, SummaryTotal: { RealTotalCost: formatCents(total) }, SummaryOverview: overview };
  };
}

export function describeBillSummaryByRegion({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillSummaryByRegionRequest;
    const rows = await recordsIn(store, ctx, p.PayerUin, p.BeginTime, p.EndTime);
    const total = sum(rows);
    const names = await regionNames(store);
    const overview = [...groupBy(rows, (r) => r.region)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, rs]) => ({
      RegionId: String(regionId(region)), RegionName: names.get(region) ?? region, RealTotalCost: formatCents(sum(rs)), RealTotalCostRatio: ratio(sum(rs), total),
    }));
    return { Ready: 1, SummaryOverview: overview };
  };
}

export function describeBillSummaryByTag({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillSummaryByTagRequest;
    const rows = await recordsIn(store, ctx, p.PayerUin, p.BeginTime, p.EndTime);
    const total = sum(rows);
    const resources = [...new Map(rows.map((r) => [r.resource_id, { product: r.product, resourceId: r.resource_id }])).values()];
    const tags = await bills.tagValues(store.db, payerOf(ctx, p.PayerUin), resources, p.TagKey);
    const overview = [...groupBy(rows, (r) => tags.get(r.resource_id) ?? '')].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, rs]) => ({
      ProductCode: '', ProductCodeName: '', RealTotalCost: formatCents(sum(rs)), RealTotalCostRatio: ratio(sum(rs), total), TagValue: value,
    }));
    return { Ready: 1, SummaryOverview: overview, SummaryTotal: { RealTotalCost: formatCents(total) } };
  };
}

export function describeBillSummaryByResource({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillSummaryByResourceRequest;
    const rows = await recordsIn(store, ctx, p.PayerUin, p.BeginTime, p.EndTime, p.Conditions);
    const names = await regionNames(store);
    const asc = p.Conditions?.OrderByCost === 'asc';
    const groups = [...groupBy(rows, (r) => r.resource_id)].map(([id, rs]) => ({ id, rs, cents: sum(rs) }))
      .sort((a, b) => (a.cents !== b.cents ? (asc ? a.cents - b.cents : b.cents - a.cents) : a.id < b.id ? -1 : 1));
    const page = groups.slice(p.Offset ?? 0, (p.Offset ?? 0) + (p.Limit ?? 100));
    const data = page.map(({ id, rs, cents }) => {
      const last = rs.at(-1)!;
      return {
        Id: id, PayerUin: last.account_uin, ProductCode: last.product, ProductCodeName: PRODUCT_NAMES[last.product] ?? last.product,
        SubProductCode: last.sub_product, SubProductCodeName: last.sub_product, ResourceId: id, ProjectId: '0', ResourceName: last.resource_name,
        ...cost(cents), RegionName: names.get(last.region) ?? last.region, PayModeName: '按量计费', PayMode: 'postPay', RegionId: String(regionId(last.region)),
        BillId: last.record_key, OwnerUin: last.account_uin, OperateUin: last.account_uin, ActionTypeName: '按量计费小时结', ZoneName: last.zone,
        PayTime: formatBillTime(last.deduct_due_at), FeeBeginTime: formatBillTime(rs[0]!.period_start), FeeEndTime: formatBillTime(last.period_end),
        ComponentConfig: last.sub_product, AccountName: '', TotalCost: formatCents(cents), OrderId: '', TotalDiscount: '1',
      };
    });
    const products = [...new Set(rows.map((r) => r.product))].sort();
    const regions = [...new Set(rows.map((r) => r.region))].sort();
    return {
      Ready: 1, Data: data, Total: { PayableAmount: formatCents(sum(rows)), VoucherPayAmount: '0.00', RealTotalCost: formatCents(sum(rows)) },
      RecordNum: p.NeedRecordNum === 1 ? groups.length : null,
      ConditionValue: p.NeedConditionValue === 1 ? null : {
        Product: products.map((c) => ({ ProductCode: c, ProductCodeName: PRODUCT_NAMES[c] ?? c })),
        Region: regions.map((r) => ({ RegionId: String(regionId(r)), RegionName: names.get(r) ?? r })),
        PayMode: rows.length ? [{ PayMode: 'postPay', PayModeName: '按量计费' }] : [],
      },
    };
  };
}

export function describeBillFeeTrend({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillFeeTrendRequest;
    const uin = payerOf(ctx, p.PayerUin);
    const end = timeRange(p.BeginTime, p.EndTime).to - 1;
    const months = monthsEnding(end, p.Conditions?.TimeRange === 12 ? 12 : 6);
    const trend = await monthlyCosts(store, uin, months, (r) => matches(r, p.Conditions));
    return {
      Ready: 1,
      Detail: trend.map((t) => ({
        Name: `${t.month.slice(0, 4)}年${Number(t.month.slice(5))}月`, ...cost(t.cents), Month: t.month,
      })),
    };
  };
}
