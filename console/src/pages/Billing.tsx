/**
 * 费用: the account's balance (DescribeUserAccount, arrears said plainly), a month's cost so far
 * per product and per instance (DescribeBillSummaryByProduct / ByResource), the last six months
 * as a chart (DescribeBillFeeTrend, ECharts loaded only with this page), the month's account
 * water (DescribeAccountWater: recharges and deductions with the balance after each), each month's detail as
 * CSV (DescribeBillDownloadList) and the balance warning (CreateWarning / DescribeWarning). All
 * through the `bill` actions SDK users call; a user without bill permission sees CAM's refusal.
 * Bill months and times are UTC+8, as the vendor's bills are.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, MessagePlugin } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import type { TrendPoint } from '../BillTrendChart.tsx';
import { useApp } from '../context.tsx';
import { CheckField, SelectField, TextField } from '../ui.tsx';

const BillTrendChart = lazy(() => import('../BillTrendChart.tsx'));

const CST_MS = 8 * 3600_000;
/** The bill month (YYYY-MM, UTC+8) `ms` falls in, and the `count` months ending with it, newest first. */
export function billMonths(ms: number, count: number): string[] {
  const d = new Date(ms + CST_MS);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
}
const monthBounds = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { BeginTime: `${month}-01 00:00:00`, EndTime: `${month}-${String(last).padStart(2, '0')} 23:59:59` };
};

interface Account { Balance: string; Debt: string; Status: string }
interface ProductRow { ProductCode: string; ProductCodeName: string; RealTotalCost: string; RealTotalCostRatio: string }
interface ResourceRow { ResourceId: string; ResourceName: string; ProductCode: string; ProductCodeName: string; ZoneName: string; FeeBeginTime: string; FeeEndTime: string; RealTotalCost: string }
interface DownloadRow { MonthName: string; BillStatus: number; RealTotalCost: string; DownloadUrl: string }
interface Water { BillNo: string; WaterType: string; TranAmt: string; Balance: string; CreateTime: string; Remark: string; RelationId: string }
interface Warning { Status: number; BalanceThreshold: string; WarningSet?: Array<{ Time: string; Balance: string; BalanceThreshold: string }> }

const WATER_ROWS = 20;
const describe = (e: unknown) => (e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));

export function Billing() {
  const { t } = useApp();
  const months = useMemo(() => billMonths(Date.now(), 6), []);
  const [month, setMonth] = useState(months[0]!);
  const [account, setAccount] = useState<Account | undefined>();
  const [products, setProducts] = useState<{ total: string; rows: ProductRow[] } | undefined>();
  const [resources, setResources] = useState<ResourceRow[] | undefined>();
  const [trend, setTrend] = useState<TrendPoint[] | undefined>();
  const [downloads, setDownloads] = useState<DownloadRow[] | undefined>();
  const [warning, setWarning] = useState<Warning | undefined>();
  const [water, setWater] = useState<{ total: string; rows: Water[] } | undefined>();
  const [errors, setErrors] = useState<string[]>([]);
  const [warnOn, setWarnOn] = useState(false);
  const [threshold, setThreshold] = useState('');
  const [warnError, setWarnError] = useState<string | undefined>();

  const load = useCallback(() => {
    const range = monthBounds(month);
    const newest = monthBounds(months[0]!);
    const failures: string[] = [];
    const step = <T,>(p: Promise<T>, apply: (v: T) => void) => p.then(apply, (e) => { failures.push(describe(e)); });
    void Promise.all([
      step(call<Account>('bill', 'DescribeUserAccount'), setAccount),
      step(call<{ SummaryTotal: { RealTotalCost: string }; SummaryOverview: ProductRow[] }>('bill', 'DescribeBillSummaryByProduct', range),
        (r) => setProducts({ total: r.SummaryTotal.RealTotalCost, rows: r.SummaryOverview })),
      step(call<{ Data: ResourceRow[] }>('bill', 'DescribeBillSummaryByResource', { ...range, Limit: 100, Offset: 0 }), (r) => setResources(r.Data)),
      step(call<{ Detail: TrendPoint[] }>('bill', 'DescribeBillFeeTrend', newest), (r) => setTrend(r.Detail)),
      step(call<{ DownloadList: DownloadRow[] }>('bill', 'DescribeBillDownloadList', { BeginMonth: months.at(-1), EndMonth: months[0] }),
        (r) => setDownloads([...r.DownloadList].reverse())),
      // The month's account water: the API pages it oldest first; its last page is asked for, shown newest first.
      step((async () => {
        const span = { StartTime: range.BeginTime.slice(0, 10).replace(/-/g, ''), EndTime: range.EndTime.slice(0, 10).replace(/-/g, '') };
        const first = await call<{ AllNum: string; WaterSet: Water[] }>('bill', 'DescribeAccountWater', { ...span, Offset: 0, Limit: WATER_ROWS });
        const total = Number(first.AllNum);
        const last = total > WATER_ROWS ? await call<{ AllNum: string; WaterSet: Water[] }>('bill', 'DescribeAccountWater', { ...span, Offset: total - WATER_ROWS, Limit: WATER_ROWS }) : first;
        return { total: last.AllNum, rows: [...last.WaterSet].reverse() };
      })(), setWater),
      step(call<Warning>('bill', 'DescribeWarning'), (w) => {
        setWarning(w);
        setWarnOn(w.Status === 1);
        setThreshold(w.Status === 1 ? w.BalanceThreshold : '');
      }),
    ]).then(() => setErrors([...new Set(failures)]));
  }, [month, months]);
  useEffect(() => load(), [load]);

  /** The product's name in the page's language (the API answers the vendor's Chinese name). */
  const productName = (code: string, fallback: string) => (code === 'bms' ? t('billing.product.bms') : code === 'eip' ? t('billing.product.eip') : fallback);

  const saveWarning = async () => {
    setWarnError(undefined);
    const text = threshold.trim();
    try {
      await call('bill', 'CreateWarning', { Status: warnOn ? 1 : 0, BalanceThreshold: text === '' ? 0 : Number(text) });
      void MessagePlugin.success(t('common.done'));
      load();
    } catch (e) {
      setWarnError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <div data-testid="billing">
      <h2 className="page-title">{t('nav.billing')}</h2>
      <div className="toolbar">
        <SelectField inline label={t('billing.month')} value={month} onChange={setMonth} options={months.map((m) => ({ value: m, label: m }))} testId="bill-month" />
        <Button variant="text" onClick={load}>{t('common.refresh')}</Button>
      </div>
      <p className="muted">{t('billing.note')}</p>
      {errors.map((e) => <div key={e} data-testid="billing-error"><Alert theme="error" message={e} /></div>)}

      <section className="panel" aria-labelledby="bill-balance-h">
        <h3 id="bill-balance-h" className="panel-title">{t('billing.balance')}</h3>
        {account && <>
          <p className="big-figure"><span data-testid="balance">{account.Balance}</span> {t('billing.unit')}</p>
          {account.Status === '2' && <div data-testid="arrears"><Alert theme="warning" message={t('billing.arrears', { debt: account.Debt })} /></div>}
        </>}
        {products && <p>{month === months[0] ? t('billing.mtd') : t('billing.monthTotal', { month })}: <strong data-testid="month-total">{products.total}</strong> {t('billing.unit')}</p>}
      </section>

      <div className="bill-grid">
        <section className="panel" aria-labelledby="bill-product-h">
          <h3 id="bill-product-h" className="panel-title">{t('billing.byProduct')}</h3>
          <table className="bms-table" data-testid="bill-products">
            <thead><tr><th scope="col">{t('billing.product')}</th><th scope="col">{t('billing.cost')}</th><th scope="col">{t('billing.ratio')}</th></tr></thead>
            <tbody>
              {products?.rows.length === 0 && <tr><td colSpan={3} className="muted">{t('common.empty')}</td></tr>}
              {products?.rows.map((p) => (
                <tr key={p.ProductCode} data-testid="bill-product-row" data-code={p.ProductCode}>
                  <td>{productName(p.ProductCode, p.ProductCodeName)}</td><td data-testid="cost">{p.RealTotalCost}</td><td>{p.RealTotalCostRatio}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="panel" aria-labelledby="bill-trend-h">
          <h3 id="bill-trend-h" className="panel-title">{t('billing.trend')}</h3>
          {trend && <Suspense fallback={<p>{t('common.loading')}</p>}><BillTrendChart points={trend} /></Suspense>}
        </section>
      </div>

      <section className="panel" aria-labelledby="bill-resource-h" style={{ overflowX: 'auto' }}>
        <h3 id="bill-resource-h" className="panel-title">{t('billing.byInstance')}</h3>
        <table className="bms-table" data-testid="bill-resources">
          <thead><tr>
            <th scope="col">{t('billing.resource')}</th><th scope="col">{t('billing.product')}</th><th scope="col">{t('common.zone')}</th>
            <th scope="col">{t('billing.period')}</th><th scope="col">{t('billing.cost')}</th>
          </tr></thead>
          <tbody>
            {resources?.length === 0 && <tr><td colSpan={5} className="muted">{t('common.empty')}</td></tr>}
            {resources?.map((r) => (
              <tr key={r.ResourceId} data-testid="bill-resource-row" data-id={r.ResourceId}>
                <td>{r.ResourceId}<div className="muted">{r.ResourceName}</div></td><td>{productName(r.ProductCode, r.ProductCodeName)}</td><td>{r.ZoneName}</td>
                <td>{r.FeeBeginTime} – {r.FeeEndTime}</td><td data-testid="cost">{r.RealTotalCost}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="bill-water-h" style={{ overflowX: 'auto' }}>
        <h3 id="bill-water-h" className="panel-title">{t('billing.water')}</h3>
        {water && <p className="muted" data-testid="water-total">{t('billing.waterCount', { n: water.total, shown: water.rows.length })}</p>}
        <table className="bms-table" data-testid="bill-water">
          <thead><tr>
            <th scope="col">{t('detail.task.time')}</th><th scope="col">{t('common.type')}</th><th scope="col">{t('billing.amount')}</th>
            <th scope="col">{t('billing.balanceAfter')}</th><th scope="col">{t('billing.relation')}</th>
          </tr></thead>
          <tbody>
            {water?.rows.length === 0 && <tr><td colSpan={5} className="muted">{t('common.empty')}</td></tr>}
            {water?.rows.map((w) => (
              <tr key={w.BillNo} data-testid="water-row" data-id={w.BillNo}>
                <td>{w.CreateTime}</td><td>{t(w.WaterType === 'Deduct' ? 'billing.deduct' : 'billing.recharge')}</td>
                <td data-testid="water-amount">{w.WaterType === 'Deduct' ? '-' : '+'}{w.TranAmt}</td><td data-testid="water-balance">{w.Balance}</td>
                <td>{w.RelationId || w.Remark || '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="bill-download-h">
        <h3 id="bill-download-h" className="panel-title">{t('billing.downloads')}</h3>
        <table className="bms-table" data-testid="bill-downloads">
          <thead><tr><th scope="col">{t('billing.month')}</th><th scope="col">{t('common.status')}</th><th scope="col">{t('billing.cost')}</th><th scope="col">{t('common.actions')}</th></tr></thead>
          <tbody>
            {downloads?.map((d) => (
              <tr key={d.MonthName} data-testid="bill-download-row" data-month={d.MonthName}>
                <td>{d.MonthName}</td><td>{t(d.BillStatus === 4 ? 'billing.closed' : 'billing.open')}</td><td>{d.RealTotalCost}</td>
                <td><a href={d.DownloadUrl} download={`bms-bill-${d.MonthName}.csv`} data-testid="bill-csv">{t('billing.download')}<span className="sr-only"> {d.MonthName}</span></a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="bill-warning-h" data-testid="bill-warning">
        <h3 id="bill-warning-h" className="panel-title">{t('billing.warning')}</h3>
        {warning && <p data-testid="warning-state">{t('billing.warningState', { state: t(warning.Status === 1 ? 'billing.on' : 'billing.off'), threshold: warning.BalanceThreshold })}</p>}
        <CheckField label={t('billing.warningOn')} checked={warnOn} onChange={setWarnOn} testId="warning-on" />
        <div style={{ maxWidth: 320 }}>
          <TextField label={t('billing.threshold')} value={threshold} onChange={setThreshold} error={warnError} testId="warning-threshold" onEnter={() => void saveWarning()} />
        </div>
        <Button onClick={() => void saveWarning()} data-testid="warning-save">{t('billing.save')}</Button>
        <h4 className="panel-subtitle">{t('billing.notices')}</h4>
        <table className="bms-table" data-testid="bill-notices">
          <thead><tr><th scope="col">{t('detail.task.time')}</th><th scope="col">{t('billing.noticeBalance')}</th><th scope="col">{t('billing.threshold')}</th></tr></thead>
          <tbody>
            {(warning?.WarningSet ?? []).length === 0 && <tr><td colSpan={3} className="muted">{t('common.empty')}</td></tr>}
            {(warning?.WarningSet ?? []).map((n, i) => (
              <tr key={`${n.Time}-${i}`} data-testid="bill-notice-row"><td>{n.Time}</td><td>{n.Balance}</td><td>{n.BalanceThreshold}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
