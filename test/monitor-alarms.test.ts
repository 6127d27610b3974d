/**
 * Alarms end to end: policies made with the official SDK, samples stored through the ingest
 * path, the alarm job run at instants the test chooses (an injected clock, no sleeps), and a
 * loopback webhook that fails twice before it answers. One alarm per breach; repeats only after
 * the silence time; recovery closes it; every delivery's signature verifies with the policy's
 * secret; retries back off and their outcome is in DescribeAlarmHistories, including a webhook
 * that never answers (FAILED after its attempts).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../src/monitoring/ingest.ts';
import { JUDGE_LAG_S, MAX_ATTEMPTS } from '../src/monitoring/alarms.ts';
import { failure, sdk, waitFor, type Call } from './support/cloud.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let monitor: Call;
let instances: string[];
let hook: http.Server;
let hookUrl: string;
const received: Array<{ headers: http.IncomingHttpHeaders; body: string; answered: number }> = [];
const script = [500, 503]; // then 200
const B = Math.floor(Date.now() / 60_000) * 60 - 40 * 60; // 40 minutes ago, on a minute
const cpuAt = (minute: number) => (minute >= 5 && minute < 15) || (minute >= 20 && minute < 22) ? 95 : minute < 5 ? 50 : 30;

before(async () => {
  server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', BMS_SIM_METRICS_MS: '0', BMS_ALARM_EVAL_MS: '0', BMS_METRICS_ROLLUP_MS: '3600000' }, { rateLimiter: { take: () => true } });
  monitor = sdk(server.credentials.demo, 'monitor');
  const bms = sdk(server.credentials.demo);
  const listed = await waitFor('demo instances running', () => bms<{ InstanceSet: Array<{ InstanceId: string; Status: string }> }>('DescribeInstances', {}),
    (r) => r.InstanceSet.length >= 2 && r.InstanceSet.every((i) => i.Status === 'RUNNING'));
  instances = listed.InstanceSet.map((i) => i.InstanceId).sort();
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = script.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/alarms`;
  const samples = [];
  for (let t = B; t < B + 40 * 60; t += 10) samples.push({ ts: t, values: { CpuUsage: cpuAt(Math.floor((t - B) / 60)), MemUsage: 40 } });
  await ingest(server.store, [{ instanceId: instances[0]!, source: 'agent', samples: samples.slice(0, 200) }], Date.now());
  await ingest(server.store, [{ instanceId: instances[0]!, source: 'agent', samples: samples.slice(200) }], Date.now());
});
after(async () => {
  hook?.close();
  await server?.stop();
});

interface History { AlarmId: string; AlarmStatus: string; AlarmObject: string; PolicyId: string; FirstOccurTime: number; LastOccurTime: number; NoticeStatus: string; Content: string;
  Notices: Array<{ Event: string; Status: string; Attempts: number; LastHttpCode: number; LastError: string | null }>; MetricsInfo: Array<{ MetricName: string; Period: number; Value: string }> }

describe('alarm policies', () => {
  let policy: { PolicyId: string; WebhookSecret: string };
  let deaf: { PolicyId: string };

  it('CreateAlarmPolicy validates its rules and binds only the caller\'s instances', async () => {
    const base = { Module: 'monitor', PolicyName: 'cpu-hot', MonitorType: 'MT_QCE', Namespace: 'QCE/BMS', InstanceIds: [instances[0]], WebhookUrl: hookUrl };
    const rule = { MetricName: 'CpuUsage', Period: 60, Operator: 'gt', Value: '80', ContinuePeriod: 2, NoticeFrequency: 300 };
    for (const [bad, culprit] of [
      [{ ...rule, MetricName: 'Nope' }, /Rules\.0\.MetricName/], [{ ...rule, Period: 7 }, /Rules\.0\.Period/], [{ ...rule, Value: 'hot' }, /Rules\.0\.Value/],
      [{ ...rule, NoticeFrequency: 17 }, /NoticeFrequency/],
    ] as const) {
      const e = await failure(monitor('CreateAlarmPolicy', { ...base, Condition: { Rules: [bad] } }));
      assert.equal(e.code, 'InvalidParameterValue');
      assert.match(e.message, culprit);
    }
    assert.equal((await failure(monitor('CreateAlarmPolicy', { ...base, WebhookUrl: 'ftp://x', Condition: { Rules: [rule] } }))).code, 'InvalidParameterValue');
    assert.equal((await failure(monitor('CreateAlarmPolicy', { ...base, InstanceIds: ['bms-00000000'], Condition: { Rules: [rule] } }))).code, 'ResourceNotFound');
    policy = await monitor('CreateAlarmPolicy', { ...base, Condition: { IsUnionRule: 0, Rules: [rule] } });
    assert.match(policy.PolicyId, /^policy-/);
    assert.ok(policy.WebhookSecret.length >= 40);
    deaf = await monitor('CreateAlarmPolicy', { ...base, PolicyName: 'deaf', WebhookUrl: 'http://127.0.0.1:1/never', Condition: { Rules: [{ ...rule, Value: '90', ContinuePeriod: 1, NoticeFrequency: 0 }] } });
    const demo = server.credentials.demo;
    await sdk(demo, 'tag')('AddResourceTag', { TagKey: 'team', TagValue: 'db', Resource: `qcs::bms:${demo.Region}:uin/${demo.accountUin}:instance/${instances[1]}` });
    await monitor('CreateAlarmPolicy', { ...base, PolicyName: 'by-tag', InstanceIds: [], TagInstances: [{ Key: 'team', Value: 'db' }], WebhookUrl: '', Condition: { Rules: [{ ...rule, MetricName: 'MemUsage' }] } });
    const { TotalCount, Policies } = await monitor<{ TotalCount: number; Policies: Array<{ PolicyName: string; UseSum: number; InstanceIds: string[]; TagInstances: unknown[]; Condition: { Rules: Array<{ MetricName: string; Value: string; ContinuePeriod: number }> } }> }>('DescribeAlarmPolicies', { Module: 'monitor' });
    assert.equal(TotalCount, 3);
    const byName = new Map(Policies.map((p) => [p.PolicyName, p]));
    assert.deepEqual(byName.get('cpu-hot')!.InstanceIds, [instances[0]]);
    assert.equal(byName.get('cpu-hot')!.Condition.Rules[0]!.Value, '80');
    assert.equal(byName.get('by-tag')!.UseSum, 1);
    assert.deepEqual(byName.get('by-tag')!.TagInstances, [{ Key: 'team', Value: 'db' }]);
    assert.equal((await monitor<{ TotalCount: number }>('DescribeAlarmPolicies', { Module: 'monitor', PolicyName: 'DEA' })).TotalCount, 1);
  });

  it('fires once per breach, repeats only after the silence time, recovers, retries the webhook and records it', async () => {
    for (let m = 0; m < 40; m++) await server.alarms.runOnce((B + (m + 1) * 60 + JUDGE_LAG_S) * 1000);
    for (let k = 1; k <= 8; k++) await server.alarms.runOnce((B + 40 * 60 + JUDGE_LAG_S + k * 180) * 1000); // let the retries run out
    const { TotalCount, Histories } = await monitor<{ TotalCount: number; Histories: History[] }>('DescribeAlarmHistories', {
      Module: 'monitor', PolicyIds: [policy.PolicyId], StartTime: B, EndTime: B + 3600, Order: 'ASC',
    });
    assert.equal(TotalCount, 2, 'one alarm per breach');
    const [first, second] = Histories as [History, History];
    assert.equal(first.FirstOccurTime, B + 7 * 60, 'opened at the end of the second breaching minute');
    assert.equal(first.LastOccurTime, B + 15 * 60, 'closed by the first minute back under');
    assert.equal(second.FirstOccurTime, B + 22 * 60);
    assert.deepEqual(Histories.map((h) => h.AlarmStatus), ['OK', 'OK']);
    assert.equal(first.AlarmObject, instances[0]);
    assert.equal(first.MetricsInfo[0]!.MetricName, 'CpuUsage');
    assert.match(first.Content, /CpuUsage > 80/);
    // The first breach: its notice, one repeat 300 s later (not at every minute), and the recovery.
    assert.deepEqual(first.Notices.map((n) => n.Event), ['ALARM', 'ALARM', 'OK']);
    assert.deepEqual(second.Notices.map((n) => n.Event), ['ALARM', 'OK']);
    assert.deepEqual(first.Notices[0], { Event: 'ALARM', Status: 'DELIVERED', Attempts: 3, LastHttpCode: 200, LastError: null, NextAttemptTime: null });
    assert.ok(Histories.every((h) => h.NoticeStatus === 'DELIVERED'));
    // What the webhook saw: 5 distinct deliveries, the first tried three times; every signature verifies.
    assert.equal(received.length, 7);
    assert.deepEqual(received.slice(0, 3).map((r) => r.answered), [500, 503, 200]);
    assert.equal(new Set(received.map((r) => r.headers['x-bms-delivery'])).size, 5);
    for (const r of received) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-bms-signature']));
      assert.ok(m, `signature header ${r.headers['x-bms-signature']}`);
      assert.equal(createHmac('sha256', policy.WebhookSecret).update(`${m[1]}.${r.body}`).digest('hex'), m[2]);
      assert.notEqual(createHmac('sha256', 'another secret').update(`${m[1]}.${r.body}`).digest('hex'), m[2]);
    }
    const payload = JSON.parse(received[0]!.body);
    assert.equal(payload.Event, 'ALARM');
    assert.equal(payload.InstanceId, instances[0]);
    assert.equal(payload.PolicyId, policy.PolicyId);
    assert.equal(payload.Value, 95);
  });

  it('a webhook that never answers is retried with backoff, then FAILED, in the history', async () => {
    const { Histories } = await monitor<{ Histories: History[] }>('DescribeAlarmHistories', { Module: 'monitor', PolicyIds: [deaf.PolicyId], StartTime: B, EndTime: B + 3600, Order: 'ASC' });
    assert.equal(Histories.length, 2);
    const n = Histories[0]!.Notices[0]!;
    assert.equal(n.Status, 'FAILED');
    assert.equal(n.Attempts, MAX_ATTEMPTS);
    assert.equal(n.LastHttpCode, 0);
    assert.match(n.LastError!, /could not be reached/);
    assert.equal(Histories[0]!.NoticeStatus, 'FAILED');
    const rows = await server.store.db.selectFrom('alarm_deliveries').selectAll().where('policy_id', '=', deaf.PolicyId).execute();
    assert.ok(rows.every((r) => r.status === 'FAILED' && r.next_at === null));
  });

  it('the webhook secret is not stored in clear; a running evaluation judges each bucket once', async () => {
    const row = await server.store.db.selectFrom('alarm_policies').select('webhook_secret_enc').where('id', '=', policy.PolicyId).executeTakeFirstOrThrow();
    assert.ok(!row.webhook_secret_enc.includes(policy.WebhookSecret));
    const before = await server.store.db.selectFrom('alarm_deliveries').select('id').execute();
    await server.alarms.runOnce((B + 40 * 60 + JUDGE_LAG_S + 8 * 180) * 1000); // the same instant again
    assert.equal((await server.store.db.selectFrom('alarm_deliveries').select('id').execute()).length, before.length);
  });
});
