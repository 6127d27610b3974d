/** Address usage of the BMS subnets: a bar chart, ECharts loaded only with this page (modular imports). */
import { useEffect, useRef } from 'react';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useApp } from './context.tsx';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export default function UsageChart({ subnets }: { subnets: Array<Record<string, any>> }) {
  const { t } = useApp();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(el.current!);
    chart.setOption({
      tooltip: {}, legend: { bottom: 0 }, grid: { left: 120, right: 20, top: 10, bottom: 56 },
      yAxis: { type: 'category', data: subnets.map((s) => s.SubnetId) }, xAxis: { type: 'value' },
      series: [
        { name: t('vpc.used'), type: 'bar', stack: 'a', data: subnets.map((s) => (s.TotalIpAddressCount ?? 0) - (s.AvailableIpAddressCount ?? 0)) },
        { name: t('vpc.available'), type: 'bar', stack: 'a', data: subnets.map((s) => s.AvailableIpAddressCount ?? 0) },
      ],
    });
    return () => chart.dispose();
  }, [subnets, t]);
  return <div className="panel"><div ref={el} role="img" aria-label={t('vpc.usage')} style={{ height: Math.max(160, subnets.length * 36 + 90) }} /></div>;
}
