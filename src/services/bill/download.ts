/**
 * bill DescribeBillDownloadList: one item per month with the month's detail as CSV
 * (src/billing/csv.ts), linked as a `data:text/csv` URL — nothing to fetch from elsewhere, and no
 * second door into the API that would need its own authentication. A month still under way is
 * BillStatus 0 (its CSV holds what has been pushed so far); a past month is 4.
 */
import { formatBillTime, monthRange } from '../../billing/bill-time.ts';
import { monthCsv } from '../../billing/csv.ts';
import { formatCents } from '../../billing/money.ts';
import type { DescribeBillDownloadListRequest } from '../../generated/bill.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { listRecords } from '../../store/repos/billing.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { monthParam, payerOf } from './params.ts';

export function describeBillDownloadList({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillDownloadListRequest;
    const uin = payerOf(ctx, p.PayerUin);
    const first = monthParam('BeginMonth', p.BeginMonth);
    const last = monthParam('EndMonth', p.EndMonth);
    if (last.from < first.from) throw invalidParameterValue('EndMonth', `${p.EndMonth} is before BeginMonth ${p.BeginMonth}`, `${p.EndMonth} 早于 BeginMonth ${p.BeginMonth}`);
    const months: string[] = [];
    for (let d = new Date(`${first.month}-01T00:00:00Z`); d.toISOString().slice(0, 7) <= last.month; d.setUTCMonth(d.getUTCMonth() + 1)) {
      months.push(d.toISOString().slice(0, 7));
      if (months.length > 12) throw invalidParameterValue('EndMonth', 'at most 12 months at a time', '一次最多查询12个月');
    }
    const list = [];
    for (const month of months) {
      const range = monthRange(month)!;
      const cents = (await listRecords(store.db, { accountUin: uin, ...range })).reduce((n, r) => n + r.amount_cents, 0);
      const csv = await monthCsv(store.db, uin, month);
      const closed = ctx.now >= range.to;
      list.push({
        MonthName: month, BeginTime: formatBillTime(range.from), EndTime: formatBillTime(range.to - 1000), BillStatus: closed ? 4 : 0,
        PayableAmount: formatCents(cents), VoucherPayAmount: '0.00', DownloadUrl: `data:text/csv;charset=utf-8;base64,${Buffer.from(csv, 'utf8').toString('base64')}`,
        PeriodType: 'month', BillDate: 1, RealTotalCost: formatCents(cents), FileStatus: 1,
      });
    }
    return { DownloadList: list };
  };
}
