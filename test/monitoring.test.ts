/**
 * Monitoring through the front door: the official Node SDK's `monitor` calls against the demo
 * instances. The simulated datacenter fills three hours of samples through the ingest path (the
 * test moves the sample time, not the wall clock), the rollup job compacts them, and every
 * metric answers at every period; another tenant's instance is ResourceNotFound; CAM checks
 * monitor:GetMonitorData on the instance resource; Tencent's limits are enforced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountWithRoot, createApiKey } from '../src/iam/accounts.ts';
import { compactionCutoff } from '../src/monitoring/ingest.ts';
import { AGENT_METRICS, BMC_METRICS, METRICS } from '../src/shared/metrics.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let monitor: Call;
let instances: string[];
const HOURS = 3;
let nowS: number;

interface DataPoint { Dimensions: Array<{ Name: string; Value: string }>; Timestamps: number[]; Values: number[]; AvgValues?: number[]; MaxValues?: number[]; MinValues?: number[] }
interface MonitorData { Period: number; MetricName: string; DataPoints: DataPoint[]; StartTime: string; EndTime: string }

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const dims = (id: string) => ({ Dimensions: [{ Name: 'InstanceId', Value: id }] });

before(async () => {
  // Filling the hours takes a while: keep idle connections open so the SDK's pooled socket is not reset meanwhile.
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_SIM_METRICS_MS: '0', BMS_METRICS_ROLLUP_MS: '3600000', BMS_HTTP_KEEP_ALIVE_TIMEOUT_MS: '600000' }, { rateLimiter: { take: () => true } });
  const bms = sdk(server.credentials.demo);
  monitor = sdk(server.credentials.demo, 'monitor');
  const listed = await waitFor('demo instances running', () => bms<{ InstanceSet: Array<{ InstanceId: string; Status: string }> }>('DescribeInstances', {}),
    (r) => r.InstanceSet.length >= 2 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
  instances = listed.InstanceSet.map((i) => i.InstanceId).sort();
  await sdk(server.credentials.operator, 'bmsops')('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/29' });
  const vpc = sdk(server.credentials.demo, 'vpc');
  const { AddressSet } = await vpc<{ AddressSet: string[] }>('AllocateAddresses', {});
  await vpc('AssociateAddress', { AddressId: AddressSet[0], InstanceId: instances[0] });
  nowS = Math.floor(Date.now() / 1000);
  for (let t = nowS - HOURS * 3600; t <= nowS; t += 10) await server.simMetrics.runOnce(t * 1000);
  await server.rollups.runOnce();
});
after(async () => server?.stop());

describe('monitor GetMonitorData through the official SDK', () => {
  for (const metric of AGENT_METRICS) {
    it(`${metric.name} answers at every period`, async () => {
      for (const Period of [10, 60, 300, 3600, 86400]) {
        const span = Period === 10 ? 2 * 3600 : HOURS * 3600;
        const r = await monitor<MonitorData>('GetMonitorData', {
          Namespace: 'QCE/BMS', MetricName: metric.name, Period, StartTime: iso(nowS - span), EndTime: iso(nowS), Instances: [dims(instances[0]!)],
        });
        assert.equal(r.Period, Period);
        assert.equal(r.MetricName, metric.name);
        const dp = r.DataPoints[0]!;
        assert.deepEqual(dp.Dimensions, [{ Name: 'InstanceId', Value: instances[0] }]);
        assert.ok(dp.Timestamps.length > 0, `${metric.name} at ${Period} s has points`);
        assert.equal(dp.Values.length, dp.Timestamps.length);
        if (Period <= 300) assert.ok(dp.Timestamps.length >= Math.floor(span / Period) - 1, `${metric.name} at ${Period} s: ${dp.Timestamps.length} points`);
        for (const ts of dp.Timestamps) assert.equal(ts % Period, 0);
        for (const v of dp.Values) assert.ok(v >= 0 && Number.isFinite(v));
        if (metric.unit === '%') for (const v of dp.Values) assert.ok(v <= 100);
      }
    });
  }

  it('PowerWatts, InletTemp and BmcReachable come from the BMC with the power-state sync, at every period', async () => {
    await server.powerSync.runOnce();
    const at = Math.floor(Date.now() / 1000);
    for (const metric of BMC_METRICS) {
      for (const Period of [10, 60, 300, 3600, 86400]) {
        const r = await monitor<MonitorData>('GetMonitorData', {
          Namespace: 'QCE/BMS', MetricName: metric.name, Period, StartTime: iso(at - 120), EndTime: iso(at + 10), Instances: instances.map(dims),
        });
        for (const dp of r.DataPoints) assert.ok(dp.Values.length >= 1, `${metric.name} at ${Period} s for ${dp.Dimensions[0]!.Value}`);
      }
    }
    const last = async (name: string) => (await monitor<MonitorData>('GetMonitorData', {
      Namespace: 'QCE/BMS', MetricName: name, Period: 10, StartTime: iso(at - 120), EndTime: iso(at + 60), Instances: [dims(instances[0]!)],
    })).DataPoints[0]!.Values.at(-1)!;
    assert.ok((await last('PowerWatts')) > 50, 'a running server draws power');
    const temp = await last('InletTemp');
    assert.ok(temp > 15 && temp < 35, `inlet ${temp} ℃`);
    assert.equal(await last('BmcReachable'), 1);
    // The BMC stops answering: the next pass records it unreachable (and no sensor values).
    const { server_id } = await server.store.db.selectFrom('instances').select('server_id').where('id', '=', instances[0]!).executeTakeFirstOrThrow();
    await server.sim.lab.injectFault(server_id!, { kind: 'bmc-unreachable' });
    server.skew.ms += 10_000;
    try {
      await server.powerSync.runOnce();
      assert.equal(await last('BmcReachable'), 0);
    } finally {
      await server.sim.lab.clearFaults(server_id!);
      server.skew.ms -= 10_000;
    }
  });

  it('a 60 s point is the avg/max/min of its six 10 s points, across compacted and pending samples', async () => {
    const q = async (Period: number, from: number, to: number) => (await monitor<MonitorData>('GetMonitorData', {
      Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period, StartTime: iso(from), EndTime: iso(to), Instances: [dims(instances[0]!)], SpecifyStatistics: 7,
    })).DataPoints[0]!;
    for (const minute of [Math.floor((nowS - 7200) / 60) * 60, Math.floor((nowS - 60) / 60) * 60 - 60]) {
      const raw = await q(10, minute, minute + 59);
      const one = await q(60, minute, minute);
      assert.equal(raw.Values.length, 6);
      const avg = raw.Values.reduce((a, b) => a + b, 0) / 6;
      assert.ok(Math.abs(one.AvgValues![0]! - avg) < 1e-9, `avg ${one.AvgValues![0]} vs ${avg}`);
      assert.equal(one.MaxValues![0], Math.max(...raw.Values));
      assert.equal(one.MinValues![0], Math.min(...raw.Values));
      assert.deepEqual(one.Values, one.AvgValues);
    }
  });

  it('several instances at once; without SpecifyStatistics only Values', async () => {
    const r = await monitor<MonitorData>('GetMonitorData', {
      Namespace: 'qce/bms', MetricName: 'memused', Period: 300, StartTime: iso(nowS - 3600), EndTime: iso(nowS), Instances: instances.map(dims),
    });
    assert.equal(r.MetricName, 'MemUsed');
    assert.deepEqual(r.DataPoints.map((d) => d.Dimensions[0]!.Value), instances);
    for (const d of r.DataPoints) {
      assert.ok(d.Values.length >= 11);
      assert.equal(d.MaxValues, undefined);
    }
  });

  it('WAN traffic only where an EIP is bound; the EIP hours are metered for billing', async () => {
    const wan = await monitor<MonitorData>('GetMonitorData', {
      Namespace: 'QCE/BMS', MetricName: 'WanOuttraffic', Period: 300, StartTime: iso(nowS - 3600), EndTime: iso(nowS), Instances: instances.map(dims),
    });
    assert.ok(wan.DataPoints[0]!.Values.length > 0);
    assert.equal(wan.DataPoints[1]!.Values.length, 0);
    const hours = await server.store.db.selectFrom('eip_traffic_hours').selectAll().execute();
    assert.ok(hours.length >= 2, 'closed hours metered');
    for (const h of hours) {
      assert.equal(Number(h.hour_start) % 3_600_000, 0);
      const at = Number(h.hour_start) / 1000;
      const hour = await monitor<MonitorData>('GetMonitorData', {
        Namespace: 'QCE/BMS', MetricName: 'WanOuttraffic', Period: 3600, StartTime: iso(at), EndTime: iso(at), Instances: [dims(instances[0]!)], SpecifyStatistics: 1,
      });
      const raw = await monitor<MonitorData>('GetMonitorData', {
        Namespace: 'QCE/BMS', MetricName: 'WanOuttraffic', Period: 10, StartTime: iso(at), EndTime: iso(at + 3599), Instances: [dims(instances[0]!)],
      });
      const bytes = raw.DataPoints[0]!.Values.reduce((a, v) => a + v * 10 * 125_000, 0);
      // An hour still open is metered up to the last compacted window, and rewritten as it grows.
      if (at + 3600 <= compactionCutoff(nowS)) assert.ok(Math.abs(Number(h.bytes_out) - bytes) <= 1 + bytes * 1e-9, `${h.bytes_out} vs ${bytes}`);
      else assert.ok(Number(h.bytes_out) <= bytes + 1);
      assert.ok(hour.DataPoints[0]!.Values.length === 1);
    }
  });

  it('a STOPPED instance reports nothing', async () => {
    const bms = sdk(server.credentials.demo);
    await bms('StopInstances', { InstanceIds: [instances[1]] });
    await waitFor('stopped', () => bms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: [instances[1]] }), (r) => r.InstanceSet[0]?.Status === 'STOPPED');
    const before = await server.store.db.selectFrom('metric_inbox').select('ts').where('instance_id', '=', instances[1]!).execute();
    await server.simMetrics.runOnce(Date.now() + 10_000);
    const afterStop = await server.store.db.selectFrom('metric_inbox').select('ts').where('instance_id', '=', instances[1]!).execute();
    assert.equal(afterStop.length, before.length);
    const running = await server.store.db.selectFrom('metric_inbox').select('ts').where('instance_id', '=', instances[0]!).where('ts', '>', nowS).execute();
    assert.ok(running.length >= 1);
  });

  it('another tenant\'s instance, or one that never existed, is ResourceNotFound worded alike', async () => {
    const { root } = await createAccountWithRoot(server.store.db, 'Tenant B', 'tenant', Date.now());
    const key = await createApiKey(server.store.db, server.box, root.id, Date.now());
    const other = sdk({ ...server.credentials.demo, SecretId: key.secretId, SecretKey: key.secretKey }, 'monitor');
    const ask = (m: Call, id: string) => m('GetMonitorData', { Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period: 60, Instances: [dims(id)] });
    const foreign = await failure(ask(other, instances[0]!));
    assert.equal(foreign.code, 'ResourceNotFound');
    const none = await failure(ask(other, 'bms-00000000'));
    assert.equal(none.code, 'ResourceNotFound');
    assert.equal(foreign.message.replace(instances[0]!, 'X'), none.message.replace('bms-00000000', 'X'));
  });

  it('Tencent\'s limits: 10 instances, 1440 points; bad period, namespace, metric, dimension, times', async () => {
    const base = { Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period: 60, Instances: [dims(instances[0]!)] };
    const tooMany = await failure(monitor('GetMonitorData', { ...base, Instances: Array.from({ length: 11 }, () => dims(instances[0]!)) }));
    assert.match(tooMany.code, /^InvalidParameter/);
    assert.match(tooMany.message, /Instances/);
    const points = await failure(monitor('GetMonitorData', { ...base, Period: 10, StartTime: iso(nowS - 86400), EndTime: iso(nowS) }));
    assert.equal(points.code, 'LimitExceeded');
    assert.match(points.message, /1440/);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ Period: 7 }, /Period/], [{ Namespace: 'QCE/CVM' }, /Namespace/], [{ MetricName: 'DiskUsage' }, /MetricName/],
      [{ Instances: [{ Dimensions: [{ Name: 'unInstanceId', Value: instances[0] }] }] }, /Instances\.0\.Dimensions\.0\.Name/],
      [{ StartTime: 'yesterday' }, /StartTime/], [{ StartTime: iso(nowS), EndTime: iso(nowS - 60) }, /EndTime/],
    ];
    for (const [bad, culprit] of cases) {
      const e = await failure(monitor('GetMonitorData', { ...base, ...bad }));
      assert.equal(e.code, 'InvalidParameterValue', JSON.stringify(bad));
      assert.match(e.message, culprit);
    }
  });

  it('DescribeBaseMetrics lists every metric with its unit, periods, statistics and dimension', async () => {
    const { MetricSet } = await monitor<{ MetricSet: Array<{ MetricName: string; Unit: string; Period: number[]; Periods: Array<{ Period: string; StatType: string[] }>; Dimensions: Array<{ Dimensions: string[] }>; Namespace: string }> }>(
      'DescribeBaseMetrics', { Namespace: 'QCE/BMS' });
    assert.deepEqual(MetricSet.map((m) => m.MetricName), METRICS.map((m) => m.name));
    for (const m of MetricSet) {
      assert.deepEqual(m.Period, [10, 60, 300, 3600, 86400]);
      assert.deepEqual(m.Periods[0], { Period: '10', StatType: ['avg', 'max', 'min'] });
      assert.deepEqual(m.Dimensions, [{ Dimensions: ['InstanceId'] }]);
      assert.equal(m.Namespace, 'QCE/BMS');
    }
    const one = await monitor<{ MetricSet: unknown[] }>('DescribeBaseMetrics', { Namespace: 'QCE/BMS', MetricName: 'TcpCurrEstab' });
    assert.equal(one.MetricSet.length, 1);
  });

  it('CAM: monitor:GetMonitorData is checked on each instance resource', async () => {
    const cam = sdk(server.credentials.demo, 'cam');
    const u = await cam<{ Uin: number; SecretId: string; SecretKey: string }>('AddUser', { Name: 'watcher', UseApi: 1 });
    const uin = server.credentials.demo.accountUin;
    const { PolicyId } = await cam<{ PolicyId: number }>('CreatePolicy', {
      PolicyName: 'watch-one', PolicyDocument: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: 'monitor:GetMonitorData', resource: `qcs::bms:ap-guangzhou:uin/${uin}:instance/${instances[0]}` }] }),
    });
    await cam('AttachUserPolicy', { PolicyId, AttachUin: u.Uin });
    await new Promise((r) => setTimeout(r, 1_100));
    const watcher = sdk({ ...server.credentials.demo, SecretId: u.SecretId, SecretKey: u.SecretKey }, 'monitor');
    const ok = await watcher<MonitorData>('GetMonitorData', { Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period: 300, Instances: [dims(instances[0]!)] });
    assert.ok(ok.DataPoints[0]!.Values.length > 0);
    const refused = await failure(watcher('GetMonitorData', { Namespace: 'QCE/BMS', MetricName: 'CpuUsage', Period: 300, Instances: [dims(instances[0]!), dims(instances[1]!)] }));
    assert.equal(refused.code, 'AuthFailure.UnauthorizedOperation');
    assert.match(refused.message, new RegExp(`monitor:GetMonitorData.*${instances[1]}`));
  });
});
