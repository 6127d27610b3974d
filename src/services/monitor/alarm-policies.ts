/**
 * CreateAlarmPolicy, DescribeAlarmPolicies, DescribeAlarmHistories (monitor 2018-07-24, the
 * vendor's field names where they fit). A policy's rules are thresholds on QCE/BMS metrics; it
 * watches the instances it names and those carrying its tags, of the caller's account only
 * (an instance id of anyone else is ResourceNotFound, as everywhere). Its webhook secret is
 * made here, sealed at rest and shown once, in CreateAlarmPolicy's answer. Judging and
 * notifying is src/monitoring/alarms.ts.
 */
import { randomBytes } from 'node:crypto';
import type {
  AlarmPolicyRule, CreateAlarmPolicyRequest, DescribeAlarmHistoriesRequest, DescribeAlarmPoliciesRequest,
} from '../../generated/monitor.ts';
import type { SecretSealer } from '../../flows/deps.ts';
import { invalidParameterValue, limitExceeded, resourceNotFound } from '../../shared/errors.ts';
import { newId, normalizeId } from '../../shared/ids.ts';
import { MONITOR_NAMESPACE } from '../../shared/metrics.ts';
import { countPolicies, insertPolicy, policyBindings, watchedInstances, type AlarmRule, type Operator } from '../../store/repos/alarms.ts';
import { containsIgnoringCase } from '../../store/repos/list-conditions.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { metricNamed } from './get-monitor-data.ts';

export const MAX_POLICIES = 300;
const RULE_PERIODS = [60, 300, 3600];
const NOTICE_FREQUENCIES = [0, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function checkPolicyNamespace(ns: string): void {
  const v = ns.trim().toUpperCase();
  if (v !== MONITOR_NAMESPACE && v !== 'BMS') {
    throw invalidParameterValue('Namespace', `"${ns}" is not an alarm namespace of this service; use ${MONITOR_NAMESPACE}`, `"${ns}" 不是本服务的告警策略类型，请使用 ${MONITOR_NAMESPACE}`);
  }
}

function ruleOf(r: AlarmPolicyRule, i: number): AlarmRule {
  const path = `Condition.Rules.${i}`;
  const metric = metricNamed(r.MetricName, `${path}.MetricName`);
  if (!RULE_PERIODS.includes(r.Period)) {
    throw invalidParameterValue(`${path}.Period`, `${r.Period} is not an alarm period; one of ${RULE_PERIODS.join(', ')}`, `${r.Period} 不是支持的告警统计周期，可选：${RULE_PERIODS.join('、')}`);
  }
  const threshold = Number(r.Value);
  if (r.Value.trim() === '' || !Number.isFinite(threshold)) throw invalidParameterValue(`${path}.Value`, `"${r.Value}" is not a number`, `"${r.Value}" 不是数字`);
  const noticeFrequency = r.NoticeFrequency ?? 0;
  if (!NOTICE_FREQUENCIES.includes(noticeFrequency)) {
    throw invalidParameterValue(`${path}.NoticeFrequency`, `${noticeFrequency} is not a notice interval; one of ${NOTICE_FREQUENCIES.join(', ')}`,
      `${noticeFrequency} 不是支持的告警间隔，可选：${NOTICE_FREQUENCIES.join('、')}`);
  }
  return { metric: metric.name, period: r.Period, operator: r.Operator as Operator, threshold, continuePeriod: r.ContinuePeriod ?? 1, noticeFrequency };
}

export function createAlarmPolicy({ store, box }: { store: Store; box: SecretSealer }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateAlarmPolicyRequest;
    checkPolicyNamespace(p.Namespace);
    const rules = p.Condition.Rules.map(ruleOf);
    let webhookUrl: string | null = null;
    if (p.WebhookUrl !== undefined && p.WebhookUrl.trim() !== '') {
      let u: URL | undefined;
      try {
        u = new URL(p.WebhookUrl.trim());
      } catch { /* reported below */ }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
        throw invalidParameterValue('WebhookUrl', `"${p.WebhookUrl}" is not an http(s) URL`, `"${p.WebhookUrl}" 不是 http(s) 地址`);
      }
      webhookUrl = u.toString();
    }
    const account = ctx.principal.accountUin;
    const instanceIds = [...new Set((p.InstanceIds ?? []).map((id) => normalizeId(id.trim())))];
    if (instanceIds.length > 0) {
      const mine = new Set((await store.db.selectFrom('instances').select('id').where('id', 'in', instanceIds)
        .where('account_uin', '=', account).where('deleted_at', 'is', null).execute()).map((r) => r.id));
      const foreign = instanceIds.find((id) => !mine.has(id));
      if (foreign) throw resourceNotFound('instance', foreign);
    }
    const tags = (p.TagInstances ?? []).map((t) => ({ key: t.Key, value: t.Value }));
    if (await countPolicies(store.db, account) >= MAX_POLICIES) {
      throw limitExceeded(`An account has at most ${MAX_POLICIES} alarm policies.`, `每个账号最多 ${MAX_POLICIES} 个告警策略。`);
    }
    const id = newId('policy');
    const secret = randomBytes(32).toString('base64url');
    await store.transaction((tx) => insertPolicy(tx, {
      id, accountUin: account, region: ctx.region, name: p.PolicyName, remark: p.Remark ?? '', enable: p.Enable ?? 1, projectId: p.ProjectId ?? -1,
      rules, noticeIds: p.NoticeIds ?? [], webhookUrl, webhookSecretEnc: box.seal(secret, id), lastEditUin: ctx.principal.userUin, now: ctx.now,
      instanceIds, tags,
    }));
    return { PolicyId: id, OriginId: id, WebhookSecret: secret };
  };
}

const ruleView = (r: AlarmRule) => ({
  MetricName: r.metric, Period: r.period, Operator: r.operator, Value: String(r.threshold), ContinuePeriod: r.continuePeriod,
  NoticeFrequency: r.noticeFrequency, IsPowerNotice: 0, Description: metricNamed(r.metric).en, Unit: metricNamed(r.metric).unit,
});

export function describeAlarmPolicies({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeAlarmPoliciesRequest;
    let q = store.db.selectFrom('alarm_policies').selectAll().where('account_uin', '=', ctx.principal.accountUin);
    if (p.PolicyName?.trim()) q = q.where(containsIgnoringCase('alarm_policies.name', p.PolicyName.trim()));
    if (p.Enable && p.Enable.length > 0) q = q.where('enable', 'in', p.Enable);
    if (p.MonitorTypes && p.MonitorTypes.length > 0 && !p.MonitorTypes.some((t) => t.toUpperCase() === 'MT_QCE')) return { TotalCount: 0, Policies: [] };
    if (p.Namespaces && p.Namespaces.length > 0 && !p.Namespaces.some((n) => ['QCE/BMS', 'BMS'].includes(n.trim().toUpperCase()))) return { TotalCount: 0, Policies: [] };
    const all = await q.orderBy('created_at', 'desc').orderBy('id').execute();
    const size = p.PageSize ?? 20;
    const page = all.slice(((p.PageNumber ?? 1) - 1) * size, (p.PageNumber ?? 1) * size);
    const bindings = await policyBindings(store.db, page.map((x) => x.id));
    const Policies = [];
    for (const x of page) {
      const mine = bindings.filter((b) => b.policy_id === x.id);
      Policies.push({
        PolicyId: x.id, PolicyName: x.name, Remark: x.remark, MonitorType: 'MT_QCE', Enable: Number(x.enable), UseSum: (await watchedInstances(store.db, x)).length,
        ProjectId: Number(x.project_id), Namespace: MONITOR_NAMESPACE,
        Condition: { IsUnionRule: 0, Rules: (JSON.parse(x.rules) as AlarmRule[]).map(ruleView) },
        NoticeIds: JSON.parse(x.notice_ids) as string[],
        InstanceIds: mine.filter((b) => b.kind === 'instance').map((b) => b.instance_id),
        TagInstances: mine.filter((b) => b.kind === 'tag').map((b) => ({ Key: b.tag_key, Value: b.tag_value })),
        WebhookUrl: x.webhook_url, OriginId: x.id, LastEditUin: x.last_edit_uin,
        UpdateTime: Math.floor(Number(x.updated_at) / 1000), InsertTime: Math.floor(Number(x.created_at) / 1000),
      });
    }
    return { TotalCount: all.length, Policies };
  };
}

export function describeAlarmHistories({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeAlarmHistoriesRequest;
    const nowS = Math.floor(ctx.now / 1000);
    const end = p.EndTime ?? nowS;
    const start = p.StartTime ?? end - 86_400;
    if (end < start) throw invalidParameterValue('EndTime', `it is before StartTime (${start})`, `早于 StartTime（${start}）`);
    if (p.MonitorTypes && p.MonitorTypes.length > 0 && !p.MonitorTypes.some((t) => t.toUpperCase() === 'MT_QCE')) return { TotalCount: 0, Histories: [] };
    let q = store.db.selectFrom('alarm_histories').selectAll().where('account_uin', '=', ctx.principal.accountUin)
      .where('first_occur', '>=', start).where('first_occur', '<=', end);
    if (p.AlarmStatus && p.AlarmStatus.length > 0) q = q.where('status', 'in', p.AlarmStatus.map((s) => s.toUpperCase() as 'ALARM' | 'OK'));
    if (p.PolicyIds && p.PolicyIds.length > 0) q = q.where('policy_id', 'in', p.PolicyIds.map((id) => normalizeId(id.trim())));
    if (p.MetricNames && p.MetricNames.length > 0) q = q.where('metric', 'in', p.MetricNames.map((n) => metricNamed(n, 'MetricNames').name));
    if (p.AlarmObject?.trim()) q = q.where(containsIgnoringCase('alarm_histories.instance_id', p.AlarmObject.trim()));
    if (p.PolicyName?.trim()) q = q.where(containsIgnoringCase('alarm_histories.policy_name', p.PolicyName.trim()));
    const asc = p.Order === 'ASC';
    const all = await q.orderBy('first_occur', asc ? 'asc' : 'desc').orderBy('id').execute();
    const size = p.PageSize ?? 20;
    const page = all.slice(((p.PageNumber ?? 1) - 1) * size, (p.PageNumber ?? 1) * size);
    const deliveries = page.length === 0 ? [] : await store.db.selectFrom('alarm_deliveries').selectAll().where('alarm_id', 'in', page.map((h) => h.id)).orderBy('created_at').orderBy('id').execute();
    const policies = new Set(page.length === 0 ? [] : (await store.db.selectFrom('alarm_policies').select('id').where('id', 'in', page.map((h) => h.policy_id)).execute()).map((r) => r.id));
    const Histories = page.map((h) => {
      const mine = deliveries.filter((d) => d.alarm_id === h.id);
      const status = mine.length === 0 ? 'NONE' : mine.some((d) => d.status === 'PENDING') ? 'PENDING' : mine.some((d) => d.status === 'FAILED') ? 'FAILED' : 'DELIVERED';
      return {
        AlarmId: h.id, MonitorType: 'MT_QCE', Namespace: MONITOR_NAMESPACE, AlarmObject: h.instance_id, Content: h.content,
        FirstOccurTime: Number(h.first_occur), LastOccurTime: Number(h.last_occur), AlarmStatus: h.status, PolicyId: h.policy_id, PolicyName: h.policy_name,
        Region: h.region, PolicyExists: policies.has(h.policy_id) ? 1 : 0,
        MetricsInfo: [{ QceNamespace: MONITOR_NAMESPACE, MetricName: h.metric, Period: Number(h.period), Value: h.value, Description: metricNamed(h.metric).en }],
        Dimensions: JSON.stringify({ InstanceId: h.instance_id }),
        NoticeStatus: status,
        Notices: mine.map((d) => ({
          Event: d.event, Status: d.status, Attempts: Number(d.attempts), LastHttpCode: Number(d.last_http_code), LastError: d.last_error,
          NextAttemptTime: d.next_at === null ? null : Math.floor(Number(d.next_at) / 1000),
        })),
      };
    });
    return { TotalCount: all.length, Histories };
  };
}
