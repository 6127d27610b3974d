/**
 * The monitoring catalog: which metrics an instance has, how precisely each is kept, which
 * periods are rolled up and how long each is retained. Pure data, read by the store (codec
 * scale, windows), the ingest path, the rollup job and the `monitor` service alike.
 *
 * Names are Tencent's where Tencent has them (QCE bare metal: CpuUsage, MemUsage, MemUsed,
 * Lan/Wan in/out traffic, Lan packets, TcpCurrEstab); PowerWatts, InletTemp and BmcReachable
 * are ours — read out of band from the BMC. Each metric has a fixed numeric id (stored in the
 * database instead of its name — never renumber) and a number of decimals: values are stored
 * as integers `round(value × 10^decimals)`, so rollup sums are exact.
 */

export type MetricSource = 'agent' | 'bmc';

export interface MetricDef {
  id: number;
  name: string;
  unit: string;
  unitZh: string;
  decimals: number;
  source: MetricSource;
  en: string;
  zh: string;
}

export const METRICS: readonly MetricDef[] = [
  { id: 1, name: 'CpuUsage', unit: '%', unitZh: '%', decimals: 2, source: 'agent', en: 'CPU utilization', zh: 'CPU 使用率' },
  { id: 2, name: 'MemUsage', unit: '%', unitZh: '%', decimals: 2, source: 'agent', en: 'Memory utilization', zh: '内存使用率' },
  { id: 3, name: 'MemUsed', unit: 'MB', unitZh: 'MB', decimals: 0, source: 'agent', en: 'Memory used', zh: '内存使用量' },
  { id: 4, name: 'LanIntraffic', unit: 'Mbps', unitZh: 'Mbps', decimals: 3, source: 'agent', en: 'Private network inbound bandwidth', zh: '内网入带宽' },
  { id: 5, name: 'LanOuttraffic', unit: 'Mbps', unitZh: 'Mbps', decimals: 3, source: 'agent', en: 'Private network outbound bandwidth', zh: '内网出带宽' },
  { id: 6, name: 'WanIntraffic', unit: 'Mbps', unitZh: 'Mbps', decimals: 3, source: 'agent', en: 'Public network (EIP) inbound bandwidth', zh: '外网入带宽' },
  { id: 7, name: 'WanOuttraffic', unit: 'Mbps', unitZh: 'Mbps', decimals: 3, source: 'agent', en: 'Public network (EIP) outbound bandwidth', zh: '外网出带宽' },
  { id: 8, name: 'LanInpkg', unit: 'Count/s', unitZh: '个/秒', decimals: 1, source: 'agent', en: 'Private network inbound packets', zh: '内网入包量' },
  { id: 9, name: 'LanOutpkg', unit: 'Count/s', unitZh: '个/秒', decimals: 1, source: 'agent', en: 'Private network outbound packets', zh: '内网出包量' },
  { id: 10, name: 'TcpCurrEstab', unit: 'Count', unitZh: '个', decimals: 0, source: 'agent', en: 'TCP connections established', zh: 'TCP 连接数' },
  { id: 11, name: 'PowerWatts', unit: 'W', unitZh: '瓦', decimals: 0, source: 'bmc', en: 'Power drawn, read from the BMC', zh: '整机功耗（BMC）' },
  { id: 12, name: 'InletTemp', unit: '℃', unitZh: '℃', decimals: 1, source: 'bmc', en: 'Inlet temperature, read from the BMC', zh: '进风口温度（BMC）' },
  { id: 13, name: 'BmcReachable', unit: '1/0', unitZh: '1/0', decimals: 0, source: 'bmc', en: 'BMC reachable (1) or not (0)', zh: 'BMC 可达（1）或不可达（0）' },
];

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.name.toLowerCase(), m]));
export const METRIC_BY_ID: ReadonlyMap<number, MetricDef> = new Map(METRICS.map((m) => [m.id, m]));
export const AGENT_METRICS = METRICS.filter((m) => m.source === 'agent');
export const BMC_METRICS = METRICS.filter((m) => m.source === 'bmc');

export const MONITOR_NAMESPACE = 'QCE/BMS';
export const MONITOR_DIMENSION = 'InstanceId';

/** The raw sample interval (seconds): every source reports at most one value per series per slot. */
export const RAW_PERIOD = 10;

export interface PeriodDef {
  /** Seconds per point. */
  period: number;
  /** Seconds of points kept in one stored chunk (a multiple of `period`, aligned to the epoch). */
  window: number;
  /** Seconds a point is kept (and returned) after its bucket ends. */
  retention: number;
}

const DAY = 86_400;

export const PERIODS: readonly PeriodDef[] = [
  { period: 10, window: 600, retention: DAY },
  { period: 60, window: 6 * 3600, retention: 15 * DAY },
  { period: 300, window: DAY, retention: 31 * DAY },
  { period: 3600, window: DAY, retention: 93 * DAY },
  { period: 86400, window: 30 * DAY, retention: 186 * DAY },
];
export const PERIOD_BY_SECONDS: ReadonlyMap<number, PeriodDef> = new Map(PERIODS.map((p) => [p.period, p]));

/** Quantizes a value as the catalog keeps it. */
export const quantize = (m: MetricDef, value: number): number => Math.round(value * 10 ** m.decimals);
export const dequantize = (m: MetricDef, q: number): number => q / 10 ** m.decimals;
