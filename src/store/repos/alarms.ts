/**
 * Alarm policies, bindings, per-series state, history and webhook deliveries (migration 0042).
 */
import type { Kysely } from 'kysely';
import type { AlarmDeliveriesTable, AlarmHistoriesTable, AlarmPoliciesTable, Database } from '../schema.ts';
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
