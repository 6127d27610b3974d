/**
 * GetMonitorData (monitor 2018-07-24): one metric of up to 10 instances over a time range at one
 * period, as Tencent answers it — per instance its Dimensions, Timestamps (bucket starts, unix
 * seconds) and Values (averages); with SpecifyStatistics also AvgValues/MaxValues/MinValues.
 * An instance of another account, or of no one, is ResourceNotFound (worded the same); a range
 * of more than 1440 points per instance is LimitExceeded. Points past their period's retention
 * are never returned, even before the rollup job has deleted their chunk.
 */
import type { Dimension, GetMonitorDataRequest } from '../../generated/monitor.ts';
import { invalidParameterValue, limitExceeded, resourceNotFound } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { dequantize, METRIC_BY_NAME, METRICS, MONITOR_DIMENSION, MONITOR_NAMESPACE, PERIOD_BY_SECONDS, PERIODS } from '../../shared/metrics.ts';
import { readSeries } from '../../store/repos/metrics.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { ownedInstanceIds } from '../../store/repos/instances.ts';

export const MAX_POINTS = 1440;
const DEFAULT_SPAN_S = 3600;

export function checkNamespace(ns: string, path = 'Namespace'): void {
  if (ns.trim().toUpperCase() !== MONITOR_NAMESPACE) {
    throw invalidParameterValue(path, `"${ns}" is not a namespace of this service; use ${MONITOR_NAMESPACE}`, `"${ns}" 不是本服务的命名空间，请使用 ${MONITOR_NAMESPACE}`);
  }
}

export function metricNamed(name: string, path = 'MetricName') {
  const m = METRIC_BY_NAME.get(name.trim().toLowerCase());
  if (!m) {
    throw invalidParameterValue(path, `"${name}" is not a metric of ${MONITOR_NAMESPACE}; one of ${METRICS.map((x) => x.name).join(', ')}`,
      `"${name}" 不是 ${MONITOR_NAMESPACE} 的指标，可选：${METRICS.map((x) => x.name).join('、')}`);
  }
  return m;
}

/** Parses an ISO 8601 time (with offset, or taken as Beijing time without one) to unix seconds. */
export function parseTime(value: string, path: string): number {
  const v = value.trim();
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v.replace(' ', 'T')}+08:00`;
  const ms = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?/.test(v) ? Date.parse(withZone) : NaN;
  if (!Number.isFinite(ms)) {
    throw invalidParameterValue(path, `"${value}" is not a time like 2018-09-22T19:51:23+08:00`, `"${value}" 不是形如 2018-09-22T19:51:23+08:00 的时间`);
  }
  return Math.floor(ms / 1000);
}

/** Beijing time, ISO 8601 with its offset, as the request's examples write it. */
export function beijingTime(s: number): string {
  return new Date((s + 8 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

export function instanceIdOf(dimensions: Dimension[], path: string): string {
  let id: string | undefined;
  dimensions.forEach((d, i) => {
    if (d.Name.trim().toLowerCase() !== MONITOR_DIMENSION.toLowerCase()) {
      throw invalidParameterValue(`${path}.Dimensions.${i}.Name`, `"${d.Name}" is not a dimension of ${MONITOR_NAMESPACE}; use ${MONITOR_DIMENSION}`,
        `"${d.Name}" 不是 ${MONITOR_NAMESPACE} 的维度，请使用 ${MONITOR_DIMENSION}`);
    }
    id = normalizeId(d.Value.trim());
  });
  if (!id) throw invalidParameterValue(`${path}.Dimensions`, `it names no ${MONITOR_DIMENSION}`, `未指定 ${MONITOR_DIMENSION}`);
  return id;
}

export function getMonitorData({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as GetMonitorDataRequest;
    checkNamespace(p.Namespace);
    const metric = metricNamed(p.MetricName);
    const period = p.Period ?? 300;
    const def = PERIOD_BY_SECONDS.get(period);
    if (!def) {
      throw invalidParameterValue('Period', `${period} is not a period of ${metric.name}; one of ${PERIODS.map((x) => x.period).join(', ')}`,
        `${period} 不是 ${metric.name} 支持的统计周期，可选：${PERIODS.map((x) => x.period).join('、')}`);
    }
    const nowS = Math.floor(ctx.now / 1000);
    const end = p.EndTime ? parseTime(p.EndTime, 'EndTime') : nowS;
    const start = p.StartTime ? parseTime(p.StartTime, 'StartTime') : end - DEFAULT_SPAN_S;
    if (end < start) throw invalidParameterValue('EndTime', `it is before StartTime (${p.StartTime})`, `早于 StartTime（${p.StartTime}）`);
    const points = Math.floor(end / period) - Math.floor(start / period) + 1;
    if (points > MAX_POINTS) {
      throw limitExceeded(`The range asks for ${points} points of ${period} s per instance; at most ${MAX_POINTS} per call: narrow StartTime/EndTime or use a longer Period.`,
        `所选时间范围按 ${period} 秒周期有 ${points} 个数据点，单请求的数据点数限制为 ${MAX_POINTS} 个：请缩小时间范围或增大统计周期。`);
    }
    const ids = p.Instances.map((inst, i) => instanceIdOf(inst.Dimensions, `Instances.${i}`));
    const unique = [...new Set(ids)];
    const mine = await ownedInstanceIds(store.db, ctx.principal.accountUin, unique);
    const foreign = unique.find((id) => !mine.has(id));
    if (foreign) throw resourceNotFound('instance', foreign);
    // Oldest bucket still kept: its end plus the retention is after now.
    const oldest = Math.floor((nowS - def.retention) / period) * period;
    const from = Math.max(start, oldest);
    const stats = p.SpecifyStatistics ?? 0;
    const DataPoints = [];
    for (const id of unique) {
      const series = from > end ? [] : await readSeries(store.db, { instanceId: id, metric: metric.id, source: metric.source, period, from, to: end });
      const kept = series.filter((s) => s.ts >= start - (start % period) && s.ts + period + def.retention > nowS);
      const avg = kept.map((s) => dequantize(metric, s.sum / s.count));
      DataPoints.push({
        Dimensions: [{ Name: MONITOR_DIMENSION, Value: id }],
        Timestamps: kept.map((s) => s.ts),
        Values: avg,
        ...(stats & 1 ? { AvgValues: avg } : {}),
        ...(stats & 2 ? { MaxValues: kept.map((s) => dequantize(metric, s.max)) } : {}),
        ...(stats & 4 ? { MinValues: kept.map((s) => dequantize(metric, s.min)) } : {}),
      });
    }
    return { Period: period, MetricName: metric.name, DataPoints, StartTime: beijingTime(start), EndTime: beijingTime(end), Msg: '' };
  };
}
