/**
 * The 健康 (health) tab of an instance: its in-band metrics (agent or simulated datacenter) and
 * the BMC's readings, from the `monitor` API's GetMonitorData — one line chart per group, over a
 * chosen range at the range's period. ECharts is loaded only with this tab (modular imports).
 */
import { useEffect, useRef, useState } from 'react';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Alert } from 'tdesign-react';
import { ApiError, call } from './api.ts';
import { useApp } from './context.tsx';
import type { MessageKey } from './i18n.ts';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Ranges offered, each at a period that keeps it within GetMonitorData's 1,440 points (the range's last `seconds`, its first bucket included). */
export const RANGES: Array<{ key: MessageKey; seconds: number; period: number }> = [
  { key: 'health.range.1h', seconds: 3600, period: 10 },
  { key: 'health.range.6h', seconds: 6 * 3600, period: 60 },
  { key: 'health.range.24h', seconds: 86400, period: 60 },
  { key: 'health.range.5d', seconds: 5 * 86400, period: 300 },
];

/** The charts: a title, a unit, and the metrics drawn together. */
export const GROUPS: Array<{ title: MessageKey; unit: string; metrics: string[] }> = [
  { title: 'health.cpu', unit: '%', metrics: ['CpuUsage'] },
  { title: 'health.mem', unit: '%', metrics: ['MemUsage'] },
  { title: 'health.lan', unit: 'Mbps', metrics: ['LanIntraffic', 'LanOuttraffic'] },
  { title: 'health.wan', unit: 'Mbps', metrics: ['WanIntraffic', 'WanOuttraffic'] },
  { title: 'health.pkg', unit: 'pkg/s', metrics: ['LanInpkg', 'LanOutpkg'] },
  { title: 'health.tcp', unit: '', metrics: ['TcpCurrEstab'] },
  { title: 'health.power', unit: 'W', metrics: ['PowerWatts'] },
  { title: 'health.temp', unit: '°C', metrics: ['InletTemp'] },
];

interface Series { metric: string; ts: number[]; values: Array<number | null>; from: number; to: number }

async function fetchSeries(instanceId: string, metric: string, seconds: number, period: number): Promise<Series> {
  const end = Math.floor(Date.now() / 1000);
  const r = await call<{ DataPoints: Array<{ Timestamps: number[]; Values: Array<number | null> }> }>('monitor', 'GetMonitorData', {
    Namespace: 'QCE/BMS', MetricName: metric, Period: period,
    StartTime: new Date((end - seconds + period) * 1000).toISOString(), EndTime: new Date(end * 1000).toISOString(),
    Instances: [{ Dimensions: [{ Name: 'InstanceId', Value: instanceId }] }],
  });
  const p = r.DataPoints[0];
  return { metric, ts: p?.Timestamps ?? [], values: p?.Values ?? [], from: end - seconds + period, to: end };
}

function Chart({ title, unit, series, from, to }: { title: string; unit: string; series: Series[]; from: number; to: number }) {
  const { lang } = useApp();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(el.current!);
    chart.setOption({
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 56, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'time', min: from * 1000, max: to * 1000 }, yAxis: { type: 'value', name: unit },
      series: series.map((s) => ({ name: s.metric, type: 'line', showSymbol: s.ts.length < 60, data: s.ts.map((t, i) => [t * 1000, s.values[i]]) })),
    });
    return () => chart.dispose();
  }, [series, unit, lang, from, to]);
  const latest = series.map((s) => `${s.metric} ${s.values.at(-1) ?? '-'}${unit ? ` ${unit}` : ''}`).join(' · ');
  return (
    <section className="panel health-chart" aria-label={title}>
      <h3 style={{ fontSize: 15, margin: 0 }}>{title}</h3>
      <div ref={el} role="img" aria-label={`${title}: ${latest}`} style={{ height: 200 }} />
      {series.map((s) => (
        <p key={s.metric} className="muted" data-testid={`health-${s.metric}`} data-points={s.ts.length} data-latest={s.values.at(-1) ?? ''}>
          {s.metric}: {s.values.at(-1) ?? '-'}{unit ? ` ${unit}` : ''} ({s.ts.length})
        </p>
      ))}
    </section>
  );
}

export default function HealthCharts({ instanceId }: { instanceId: string }) {
  const { t } = useApp();
  const [range, setRange] = useState(0);
  const [data, setData] = useState<Map<string, Series>>(new Map());
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 10_000); // new samples arrive every 10 s
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    let live = true;
    const { seconds, period } = RANGES[range]!;
    void Promise.all(GROUPS.flatMap((g) => g.metrics).map((m) => fetchSeries(instanceId, m, seconds, period)))
      .then((all) => { if (live) { setData(new Map(all.map((s) => [s.metric, s]))); setError(undefined); } })
      .catch((e) => { if (live) setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)); });
    return () => { live = false; };
  }, [instanceId, range, tick]);
  return (
    <div data-testid="health">
      <div className="toolbar">
        <label htmlFor="health-range">{t('health.range')}</label>
        <select id="health-range" className="native-select" value={range} onChange={(e) => setRange(Number(e.target.value))} data-testid="health-range">
          {RANGES.map((r, i) => <option key={r.key} value={i}>{t(r.key)}</option>)}
        </select>
      </div>
      {error && <Alert theme="error" message={error} />}
      {data.size > 0 && (
        <div className="health-grid">
          {GROUPS.map((g) => {
            const series = g.metrics.map((m) => data.get(m)).filter((x): x is Series => x !== undefined);
            const [first] = series;
            return first && <Chart key={g.title} title={t(g.title)} unit={g.unit} series={series} from={first.from} to={first.to} />;
          })}
        </div>
      )}
    </div>
  );
}
