/**
 * Alarms: judging the policies' rules against the stored series, and notifying by webhook.
 *
 * Every closed bucket of a rule's period is judged once, in order, per (policy, rule, instance)
 * — `alarm_states.last_bucket` remembers how far — on the bucket's average. `ContinuePeriod`
 * breaching buckets in a row open one alarm (a history entry `ALARM` and a webhook delivery);
 * while it stays open nothing new is opened, and a repeat notice goes out only when
 * `NoticeFrequency` seconds (the silence time; 0 = never) have passed since the last; the first
 * bucket back within the threshold closes it (`OK`, with its own delivery). A bucket without
 * data resets the count but leaves an open alarm open. One (policy, instance) is judged in one
 * transaction together with the deliveries it records, so a crash neither loses nor doubles one.
 *
 * Deliveries are POSTed as JSON with `X-BMS-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret,
 * t + "." + body)>` (the policy's own secret, sealed at rest). A 2xx answer is DELIVERED; anything
 * else is retried with exponential backoff (10 s, 20 s, 40 s, … up to 10 min) until
 * `MAX_ATTEMPTS`, then FAILED — every attempt's outcome is on the delivery row, shown in the
 * alarm history. A delivery is claimed by moving its next attempt forward first, so two
 * processes never send it at once.
 */
import { createHmac } from 'node:crypto';
import type { SecretSealer } from '../flows/deps.ts';
import { newId } from '../shared/ids.ts';
import { dequantize, METRIC_BY_NAME } from '../shared/metrics.ts';
import {
  alarmStateOf, alarmStillOpen, claimDelivery, closeAlarm, dueDeliveries, enabledPolicies, openAlarm, queueDelivery, recordDeliveryAttempt, saveAlarmState,
  watchedInstances, type AlarmRule, type Operator,
} from '../store/repos/alarms.ts';
import { readSeries } from '../store/repos/metrics.ts';
import type { Store } from '../store/store.ts';

export const MAX_ATTEMPTS = 6;
export const BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 600_000;
/** A bucket is judged this long after it closed, so the samples of its last seconds are in. */
export const JUDGE_LAG_S = 20;
const CLAIM_MS = 60_000;

export const compare = (v: number, op: Operator, t: number): boolean =>
  op === 'gt' ? v > t : op === 'ge' ? v >= t : op === 'lt' ? v < t : op === 'le' ? v <= t : op === 'eq' ? v === t : v !== t;

const OPERATOR_TEXT: Record<Operator, string> = { gt: '>', ge: '>=', lt: '<', le: '<=', eq: '=', ne: '!=' };

export async function evaluateAlarms(store: Store, nowMs: number): Promise<number> {
  const nowS = Math.floor(nowMs / 1000);
  const policies = await enabledPolicies(store.db);
  let opened = 0;
  for (const policy of policies) {
    const rules = JSON.parse(policy.rules) as AlarmRule[];
    for (const instanceId of await watchedInstances(store.db, policy)) {
      opened += await store.transaction(async (tx) => {
        let n = 0;
        for (const [ri, rule] of rules.entries()) {
          const metric = METRIC_BY_NAME.get(rule.metric.toLowerCase());
          if (!metric) continue;
          const P = rule.period;
          const lastClosed = Math.floor((nowS - JUDGE_LAG_S) / P) * P - P;
          const state = await alarmStateOf(tx, policy.id, ri, instanceId);
          const from = state ? Number(state.last_bucket) + P : lastClosed - P * (rule.continuePeriod - 1);
          if (from > lastClosed) continue;
          const points = new Map((await readSeries(tx, { instanceId, metric: metric.id, source: metric.source, period: P, from, to: lastClosed })).map((p) => [p.ts, p]));
          let breaches = state?.breaches ?? 0;
          let alarmId = state?.alarm_id ?? null;
          let lastNotified = state?.last_notified === null || state?.last_notified === undefined ? null : Number(state.last_notified);
          for (let b = from; b <= lastClosed; b += P) {
            const p = points.get(b);
            if (!p) {
              breaches = 0;
              continue;
            }
            const value = dequantize(metric, p.sum / p.count);
            const end = b + P;
            const shown = Math.round(value * 1000) / 1000;
            const content = `${metric.name} ${OPERATOR_TEXT[rule.operator]} ${rule.threshold} ${metric.unit} (${shown}) for ${rule.continuePeriod} × ${P} s`;
            if (compare(value, rule.operator, rule.threshold)) {
              breaches += 1;
              if (breaches < rule.continuePeriod) continue;
              if (!alarmId) {
                alarmId = newId('alarm');
                await openAlarm(tx, {
                  id: alarmId, account_uin: policy.account_uin, region: policy.region, policy_id: policy.id, policy_name: policy.name, instance_id: instanceId,
                  metric: metric.name, period: P, value: String(shown), content, status: 'ALARM', first_occur: end, last_occur: end,
                });
                await enqueue(tx, policy, alarmId, 'ALARM', { instanceId, metric: metric.name, period: P, value: shown, rule, time: end }, nowMs);
                lastNotified = end;
                n += 1;
              } else {
                await alarmStillOpen(tx, alarmId, end, String(shown));
                if (rule.noticeFrequency > 0 && lastNotified !== null && end - lastNotified >= rule.noticeFrequency) {
                  await enqueue(tx, policy, alarmId, 'ALARM', { instanceId, metric: metric.name, period: P, value: shown, rule, time: end }, nowMs);
                  lastNotified = end;
                }
              }
            } else {
              breaches = 0;
              if (alarmId) {
                await closeAlarm(tx, alarmId, b);
                await enqueue(tx, policy, alarmId, 'OK', { instanceId, metric: metric.name, period: P, value: shown, rule, time: b }, nowMs);
                alarmId = null;
                lastNotified = null;
              }
            }
          }
          await saveAlarmState(tx, { policy_id: policy.id, rule: ri, instance_id: instanceId, last_bucket: lastClosed, breaches, alarm_id: alarmId, last_notified: lastNotified });
        }
        return n;
      });
    }
  }
  return opened;
}

interface Occurrence { instanceId: string; metric: string; period: number; value: number; rule: AlarmRule; time: number }

async function enqueue(
  tx: Store['db'], policy: { id: string; name: string; region: string; webhook_url: string | null }, alarmId: string, event: 'ALARM' | 'OK', o: Occurrence, nowMs: number,
): Promise<void> {
  if (!policy.webhook_url) return;
  const payload = {
    AlarmId: alarmId, Event: event, PolicyId: policy.id, PolicyName: policy.name, Region: policy.region, Namespace: 'QCE/BMS',
    InstanceId: o.instanceId, MetricName: o.metric, Period: o.period, Value: o.value, Operator: o.rule.operator, Threshold: o.rule.threshold,
    ContinuePeriod: o.rule.continuePeriod, Time: o.time,
  };
  await queueDelivery(tx, {
    id: newId('notice'), alarm_id: alarmId, policy_id: policy.id, event, payload: JSON.stringify(payload), status: 'PENDING',
    attempts: 0, next_at: nowMs, last_http_code: 0, last_error: null, created_at: nowMs,
  });
}

/** The signature header value for a body sent at `t` (unix seconds). */
export const signature = (secret: string, t: number, body: string) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number }>;

/** Sends every delivery that is due; returns how many were attempted. */
export async function deliverDue(store: Store, box: SecretSealer, nowMs: number, send: Fetch = fetch as unknown as Fetch, timeoutMs = 5_000): Promise<number> {
  const due = await dueDeliveries(store.db, nowMs, 50);
  let attempted = 0;
  for (const d of due) {
    if (!(await claimDelivery(store.db, d.id, Number(d.next_at), nowMs + CLAIM_MS))) continue; // another process has it
    attempted += 1;
    let code = 0;
    let error: string | null = null;
    if (!d.webhook_url) error = 'the policy has no webhook';
    else {
      try {
        const t = Math.floor(nowMs / 1000);
        const secret = box.open(d.webhook_secret_enc, d.policy_id);
        const r = await send(d.webhook_url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'bms-alarm/1', 'X-BMS-Signature': signature(secret, t, d.payload), 'X-BMS-Delivery': d.id },
          body: d.payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
        code = r.status;
        if (code < 200 || code >= 300) error = `the webhook answered HTTP ${code}`;
      } catch (e) {
        error = `the webhook could not be reached: ${(e as Error).message}`.slice(0, 300);
      }
    }
    const attempts = Number(d.attempts) + 1;
    const delivered = error === null;
    const failed = !delivered && attempts >= MAX_ATTEMPTS;
    await recordDeliveryAttempt(store.db, d.id, {
      attempts, last_http_code: code, last_error: error,
      status: delivered ? 'DELIVERED' : failed ? 'FAILED' : 'PENDING',
      next_at: delivered || failed ? null : nowMs + Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** (attempts - 1)),
    });
  }
  return attempted;
}

export interface AlarmJob {
  runOnce(nowMs?: number): Promise<{ opened: number; attempted: number }>;
  stop(): void;
}

export function startAlarmJob(o: { store: Store; box: SecretSealer; clock: () => number; logger: { warn(o: object, m?: string): void }; intervalMs: number }): AlarmJob {
  let running: Promise<{ opened: number; attempted: number }> | undefined;
  const runOnce = (nowMs?: number) => {
    running ??= (async () => {
      const now = nowMs ?? o.clock();
      const opened = await evaluateAlarms(o.store, now);
      const attempted = await deliverDue(o.store, o.box, now);
      return { opened, attempted };
    })().finally(() => { running = undefined; });
    return running;
  };
  const timer = o.intervalMs > 0 ? setInterval(() => void runOnce().catch((err) => o.logger.warn({ err }, 'alarm evaluation failed')), o.intervalMs) : undefined;
  timer?.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
