/** The 费用 page's trend: what each of the last months cost (DescribeBillFeeTrend), a bar chart; ECharts loaded only with this page (modular imports). */
import { useEffect, useRef } from 'react';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useApp } from './context.tsx';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface TrendPoint { Month: string; RealTotalCost: string }

export default function BillTrendChart({ points }: { points: TrendPoint[] }) {
  const { t } = useApp();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(el.current!);
    chart.setOption({
      tooltip: { trigger: 'axis' }, grid: { left: 72, right: 16, top: 28, bottom: 28 },
      xAxis: { type: 'category', data: points.map((p) => p.Month) }, yAxis: { type: 'value', name: t('billing.unit') },
      series: [{ name: t('billing.cost'), type: 'bar', barMaxWidth: 40, itemStyle: { color: '#0052d9' }, data: points.map((p) => Number(p.RealTotalCost)) }],
    });
    return () => chart.dispose();
  }, [points, t]);
  const summary = points.map((p) => `${p.Month} ${p.RealTotalCost}`).join(' · ');
  return <div ref={el} role="img" aria-label={`${t('billing.trend')}: ${summary}`} data-testid="trend-chart" style={{ height: 240 }} />;
}
