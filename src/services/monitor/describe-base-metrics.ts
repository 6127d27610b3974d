/**
 * DescribeBaseMetrics (monitor 2018-07-24): the metrics of QCE/BMS with their unit, the periods
 * each is kept at (with avg/max/min for every one), what they mean, and their dimension.
 */
import type { DescribeBaseMetricsRequest } from '../../generated/monitor.ts';
import { METRICS, MONITOR_DIMENSION, MONITOR_NAMESPACE, PERIODS } from '../../shared/metrics.ts';
import type { Handler } from '../types.ts';
import { checkNamespace } from './get-monitor-data.ts';

export function describeBaseMetrics(): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeBaseMetricsRequest;
    checkNamespace(p.Namespace);
    const name = p.MetricName?.trim().toLowerCase();
    const dims = (p.Dimensions ?? []).map((d) => d.trim().toLowerCase());
    const dimsOk = dims.every((d) => d === MONITOR_DIMENSION.toLowerCase());
    const MetricSet = METRICS.filter((m) => dimsOk && (!name || m.name.toLowerCase() === name)).map((m) => ({
      Namespace: MONITOR_NAMESPACE,
      MetricName: m.name,
      Unit: m.unit,
      UnitCname: m.unitZh,
      Period: PERIODS.map((x) => x.period),
      Periods: PERIODS.map((x) => ({ Period: String(x.period), StatType: ['avg', 'max', 'min'] })),
      Meaning: { En: m.en, Zh: m.zh },
      Dimensions: [{ Dimensions: [MONITOR_DIMENSION] }],
    }));
    return { MetricSet };
  };
}
