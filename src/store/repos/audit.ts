/**
 * The audit trail: every mutating call (`audit_events`, written by the gateway's audit step)
 * and every secret read (`secret_reads`, written by the service that reveals the secret), read
 * back as one time-ordered list of entries.
 *
 * An event's resource ids are kept twice: as a JSON array on the row (to show them) and one
 * row each in `audit_resources` (to find events by resource with an index, not a scan). Rows
 * are only ever added. They hold ids, codes and addresses — never a parameter value, never a
 * secret.
 *
 * Reading merges both tables with UNION ALL, newest first (`at` descending, then `id`), with the
 * same filters applied to each side. A secret read appears as the action that revealed it
 * (kind `bmc-account` → bms DescribeOutbandInfo) with result "Success".
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';

export interface NewAuditEvent {
  id: string;
  at: number;
  accountUin: string;
  userUin: string;
  secretId: string;
  service: string;
  action: string;
  region: string;
  resourceIds: string[];
  resultCode: string;
  requestId: string;
  sourceIp: string;
  /** Set on a repeat that was answered without executing: the RequestId whose answer it got. */
  repeatOf?: string;
}

export type AuditEntryKind = 'call' | 'secret-read';

export interface AuditEntry extends NewAuditEvent {
  kind: AuditEntryKind;
}

/** Which action revealed a secret of each `secret_reads.kind`. */
export const SECRET_READ_ACTIONS: Readonly<Record<string, { service: string; action: string }>> = {
  'bmc-account': { service: 'bms', action: 'DescribeOutbandInfo' },
  'api-key': { service: 'cam', action: 'CreateAccessKey' },
  'temporary-credentials': { service: 'sts', action: 'GetFederationToken' },
};

export interface AuditQuery {
  /** Inclusive bounds, epoch milliseconds. */
  from: number;
  to: number;
  accountUin?: string;
  service?: string;
  action?: string;
  resourceId?: string;
  requestId?: string;
  secretId?: string;
  userUin?: string;
  kind?: AuditEntryKind;
  /** Keyset paging: only entries strictly older than this one (in the list's order). */
  before?: { at: number; id: string };
}

/** Records one call; run it in a transaction so the event and its resource index agree. */
export async function recordAuditEvent(db: Kysely<Database>, e: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values({
    id: e.id, at: e.at, account_uin: e.accountUin, user_uin: e.userUin, secret_id: e.secretId, service: e.service,
    action: e.action, region: e.region, resource_ids: JSON.stringify(e.resourceIds), result_code: e.resultCode,
    request_id: e.requestId, source_ip: e.sourceIp, ...(e.repeatOf ? { repeat_of: e.repeatOf } : {}),
  }).execute();
  const ids = [...new Set(e.resourceIds)];
  if (ids.length > 0) await db.insertInto('audit_resources').values(ids.map((r) => ({ resource_id: r, event_id: e.id }))).execute();
}

/** Entries matching `q`, newest first. */
export async function findAuditEntries(db: Kysely<Database>, q: AuditQuery, page: { offset?: number; limit: number }): Promise<AuditEntry[]> {
  const { rows } = await sql<Row>`
    select * from (${callsQuery(q)} union all ${readsQuery(q)}) entries
    order by at desc, id desc
    limit ${page.limit} offset ${page.offset ?? 0}`.execute(db);
  return rows.map(toEntry);
}

/** How many entries match `q` (paging aside). */
export async function countAuditEntries(db: Kysely<Database>, q: Omit<AuditQuery, 'before'>): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select (select count(*) from audit_events where ${where(callConditions(q))})
         + (select count(*) from secret_reads where ${where(readConditions(q))}) as n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

interface Row {
  id: string;
  source: AuditEntryKind;
  at: number | string;
  account_uin: string;
  user_uin: string;
  secret_id: string;
  service: string;
  action: string;
  region: string;
  resource_ids: string;
  result_code: string;
  request_id: string;
  source_ip: string;
  secret_kind: string;
  repeat_of: string | null;
}

function callsQuery(q: AuditQuery): RawBuilder<unknown> {
  return sql`select id, 'call' as source, at, account_uin, user_uin, secret_id, service, action, region, resource_ids, result_code,
      request_id, source_ip, '' as secret_kind, repeat_of
    from audit_events where ${where(callConditions(q))}`;
}

function readsQuery(q: AuditQuery): RawBuilder<unknown> {
  return sql`select id, 'secret-read' as source, at, account_uin, user_uin, secret_id, '' as service, '' as action, '' as region,
      resource_id as resource_ids, 'Success' as result_code, request_id, source_ip, kind as secret_kind, null as repeat_of
    from secret_reads where ${where(readConditions(q))}`;
}

function commonConditions(q: AuditQuery): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [sql`at >= ${q.from}`, sql`at <= ${q.to}`];
  if (q.accountUin !== undefined) c.push(sql`account_uin = ${q.accountUin}`);
  if (q.requestId !== undefined) c.push(sql`request_id = ${q.requestId}`);
  if (q.secretId !== undefined) c.push(sql`secret_id = ${q.secretId}`);
  if (q.userUin !== undefined) c.push(sql`user_uin = ${q.userUin}`);
  if (q.before) c.push(sql`(at < ${q.before.at} or (at = ${q.before.at} and id < ${q.before.id}))`);
  return c;
}

function callConditions(q: AuditQuery): RawBuilder<unknown>[] {
  if (q.kind === 'secret-read') return [sql`1 = 0`];
  const c = commonConditions(q);
  if (q.service !== undefined) c.push(sql`service = ${q.service}`);
  if (q.action !== undefined) c.push(sql`action = ${q.action}`);
  if (q.resourceId !== undefined) c.push(sql`id in (select event_id from audit_resources where resource_id = ${q.resourceId})`);
  return c;
}

function readConditions(q: AuditQuery): RawBuilder<unknown>[] {
  if (q.kind === 'call') return [sql`1 = 0`];
  const c = commonConditions(q);
  if (q.service !== undefined || q.action !== undefined) {
    const kinds = Object.entries(SECRET_READ_ACTIONS)
      .filter(([, a]) => (q.service === undefined || a.service === q.service) && (q.action === undefined || a.action === q.action))
      .map(([kind]) => kind);
    c.push(kinds.length === 0 ? sql`1 = 0` : sql`kind in (${sql.join(kinds)})`);
  }
  if (q.resourceId !== undefined) c.push(sql`resource_id = ${q.resourceId}`);
  return c;
}

const where = (conditions: RawBuilder<unknown>[]) => sql.join(conditions, sql` and `);

function toEntry(r: Row): AuditEntry {
  const read = r.source === 'secret-read';
  const revealedBy = read ? SECRET_READ_ACTIONS[r.secret_kind] ?? { service: '', action: `ReadSecret:${r.secret_kind}` } : undefined;
  return {
    id: r.id, kind: r.source, at: Number(r.at), accountUin: r.account_uin, userUin: r.user_uin, secretId: r.secret_id,
    service: revealedBy?.service ?? r.service, action: revealedBy?.action ?? r.action, region: r.region,
    resourceIds: read ? [r.resource_ids] : (JSON.parse(r.resource_ids) as string[]), resultCode: r.result_code,
    requestId: r.request_id, sourceIp: r.source_ip, ...(r.repeat_of ? { repeatOf: r.repeat_of } : {}),
  };
}
