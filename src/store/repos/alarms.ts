/**
 * Alarm policies, bindings, per-series state, history and webhook deliveries (migration 0042).
 */
import type { Kysely } from 'kysely';
import type { AlarmDeliveriesTable, AlarmHistoriesTable, AlarmPoliciesTable, AlarmStatesTable, Database } from '../schema.ts';
import { resourceTagged } from './resource-tags.ts';

type Db = Kysely<Database>;

export type Operator = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';

export interface AlarmRule {
  metric: string;
  period: number;
  operator: Operator;
  threshold: number;
  continuePeriod: number;
  /** Seconds between repeated notices of one open alarm; 0 = notify once. */
  noticeFrequency: number;
}

export interface NewPolicy {
  id: string; accountUin: string; region: string; name: string; remark: string; enable: number; projectId: number;
  rules: AlarmRule[]; noticeIds: string[]; webhookUrl: string | null; webhookSecretEnc: string; lastEditUin: string; now: number;
  instanceIds: string[]; tags: Array<{ key: string; value: string }>;
}

export async function insertPolicy(tx: Db, p: NewPolicy): Promise<void> {
  await tx.insertInto('alarm_policies').values({
    id: p.id, account_uin: p.accountUin, region: p.region, name: p.name, remark: p.remark, enable: p.enable, project_id: p.projectId,
    rules: JSON.stringify(p.rules), notice_ids: JSON.stringify(p.noticeIds), webhook_url: p.webhookUrl, webhook_secret_enc: p.webhookSecretEnc,
    last_edit_uin: p.lastEditUin, created_at: p.now, updated_at: p.now,
  }).execute();
  const rows = [
    ...p.instanceIds.map((id) => ({ policy_id: p.id, kind: 'instance' as const, instance_id: id, tag_key: '', tag_value: '' })),
    ...p.tags.map((t) => ({ policy_id: p.id, kind: 'tag' as const, instance_id: '', tag_key: t.key, tag_value: t.value })),
  ];
  if (rows.length > 0) await tx.insertInto('alarm_bindings').values(rows).onConflict((oc) => oc.doNothing()).execute();
}

export const countPolicies = async (db: Db, accountUin: string) =>
  Number((await db.selectFrom('alarm_policies').select((eb) => eb.fn.countAll<number>().as('n')).where('account_uin', '=', accountUin).executeTakeFirstOrThrow()).n);

export async function policyBindings(db: Db, policyIds: string[]) {
  if (policyIds.length === 0) return [];
  return db.selectFrom('alarm_bindings').selectAll().where('policy_id', 'in', policyIds).execute();
}

/** The live instances a policy watches: those bound by id, and those carrying a bound tag, of the policy's account. */
export async function watchedInstances(db: Db, policy: Pick<AlarmPoliciesTable, 'id' | 'account_uin'>): Promise<string[]> {
  const bindings = await policyBindings(db, [policy.id]);
  const ids = new Set<string>();
  const byId = bindings.filter((b) => b.kind === 'instance').map((b) => b.instance_id);
  if (byId.length > 0) {
    const rows = await db.selectFrom('instances').select('id').where('id', 'in', byId).where('account_uin', '=', policy.account_uin).where('deleted_at', 'is', null).execute();
    for (const r of rows) ids.add(r.id);
  }
  for (const t of bindings.filter((b) => b.kind === 'tag')) {
    for (const id of await instancesTagged(db, policy.account_uin, t.tag_key, t.tag_value)) ids.add(id);
  }
  return [...ids].sort();
}

/** The one place alarms read instance tags: the account's live instances carrying key=value (resource_tags, the tag service's table). */
export async function instancesTagged(db: Db, accountUin: string, key: string, value: string): Promise<string[]> {
  const rows = await db.selectFrom('instances').select('id')
    .where('account_uin', '=', accountUin).where('deleted_at', 'is', null)
    .where(resourceTagged('instance', 'instances.id', { keys: [key], values: [value] }))
    .orderBy('id').execute();
  return rows.map((r) => r.id);
}

export type HistoryRow = AlarmHistoriesTable;
export type DeliveryRow = AlarmDeliveriesTable;

// ---- the alarm job (src/monitoring/alarms.ts) ----------------------------------------------

export type PolicyRow = AlarmPoliciesTable;
export type AlarmState = AlarmStatesTable;

/** Every enabled policy, of every account. */
export async function enabledPolicies(db: Db): Promise<PolicyRow[]> {
  return db.selectFrom('alarm_policies').selectAll().where('enable', '=', 1).execute();
}

/** How far (policy, rule, instance) has been judged, if at all. */
export async function alarmStateOf(tx: Db, policyId: string, rule: number, instanceId: string): Promise<AlarmState | undefined> {
  return tx.selectFrom('alarm_states').selectAll().where('policy_id', '=', policyId).where('rule', '=', rule).where('instance_id', '=', instanceId).executeTakeFirst();
}

export async function saveAlarmState(tx: Db, s: AlarmState): Promise<void> {
  await tx.insertInto('alarm_states').values(s)
    .onConflict((oc) => oc.columns(['policy_id', 'rule', 'instance_id']).doUpdateSet({ last_bucket: s.last_bucket, breaches: s.breaches, alarm_id: s.alarm_id, last_notified: s.last_notified }))
    .execute();
}

/** A new open alarm in the history. */
export async function openAlarm(tx: Db, h: HistoryRow): Promise<void> {
  await tx.insertInto('alarm_histories').values(h).execute();
}

/** The open alarm is still breaching at `lastOccur`, with `value`. */
export async function alarmStillOpen(tx: Db, alarmId: string, lastOccur: number, value: string): Promise<void> {
  await tx.updateTable('alarm_histories').set({ last_occur: lastOccur, value }).where('id', '=', alarmId).execute();
}

/** The alarm recovered at `at`. */
export async function closeAlarm(tx: Db, alarmId: string, at: number): Promise<void> {
  await tx.updateTable('alarm_histories').set({ status: 'OK', last_occur: at }).where('id', '=', alarmId).execute();
}

export async function queueDelivery(tx: Db, d: DeliveryRow): Promise<void> {
  await tx.insertInto('alarm_deliveries').values(d).execute();
}

/** Up to `limit` pending deliveries due at `now`, oldest first, with their policy's webhook. */
export async function dueDeliveries(db: Db, now: number, limit: number) {
  return db.selectFrom('alarm_deliveries').innerJoin('alarm_policies', 'alarm_policies.id', 'alarm_deliveries.policy_id')
    .select(['alarm_deliveries.id', 'alarm_deliveries.payload', 'alarm_deliveries.attempts', 'alarm_deliveries.next_at', 'alarm_policies.id as policy_id', 'alarm_policies.webhook_url', 'alarm_policies.webhook_secret_enc'])
    .where('alarm_deliveries.status', '=', 'PENDING').where('alarm_deliveries.next_at', '<=', now).orderBy('alarm_deliveries.next_at').limit(limit).execute();
}

/** Claims a delivery by moving its next attempt to `until`, only if it is still as seen (`seenNextAt`): false when another process has it. */
export async function claimDelivery(db: Db, id: string, seenNextAt: number, until: number): Promise<boolean> {
  const r = await db.updateTable('alarm_deliveries').set({ next_at: until }).where('id', '=', id).where('status', '=', 'PENDING').where('next_at', '=', seenNextAt).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function recordDeliveryAttempt(db: Db, id: string, a: Pick<DeliveryRow, 'attempts' | 'last_http_code' | 'last_error' | 'status' | 'next_at'>): Promise<void> {
  await db.updateTable('alarm_deliveries').set(a).where('id', '=', id).execute();
}
