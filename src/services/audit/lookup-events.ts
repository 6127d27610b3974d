/**
 * LookUpEvents (audit 2019-03-19, after Tencent CloudAudit): a tenant's own audit trail.
 *
 * The same entries the operator sees with DescribeAuditEvents — every mutating call of the
 * account, successful or not, and every secret revealed to it — scoped to the caller's account
 * by construction (the account comes from the signature, never from a parameter). Newest
 * first; `NextToken` is an opaque cursor (the position of the last event returned), so pages
 * stay stable while new events arrive.
 */
import type { Event, LookupAttribute, LookUpEventsRequest } from '../../generated/audit.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import { findAuditEntries, type AuditEntry, type AuditQuery } from '../../store/repos/audit.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';

const ATTRIBUTES = ['RequestId', 'EventName', 'ResourceType', 'ResourceName', 'AccessKeyId', 'Username', 'ReadOnly'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

export function lookUpEvents({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as LookUpEventsRequest;
    if (p.EndTime < p.StartTime) throw invalidParameterValue('EndTime', `it is before StartTime (${p.StartTime})`, `早于 StartTime（${p.StartTime}）`);
    const account = ctx.principal.accountUin;
    const query: AuditQuery = { from: p.StartTime * 1000, to: p.EndTime * 1000 + 999, accountUin: account };
    const seen = new Set<string>();
    (p.LookupAttributes ?? []).forEach((a, i) => applyAttribute(query, a, `LookupAttributes.${i}`, account, seen));
    if (p.NextToken !== undefined && p.NextToken !== '') query.before = decodeToken(p.NextToken);
    const max = p.MaxResults ?? 10;
    const entries = await findAuditEntries(store.db, query, { limit: max + 1 });
    const page = entries.slice(0, max);
    const last = page.at(-1);
    const more = entries.length > max && last !== undefined;
    return { NextToken: more ? encodeToken(last) : null, Events: page.map(eventView), ListOver: !more };
  };
}

function applyAttribute(q: AuditQuery, a: LookupAttribute, path: string, account: string, seen: Set<string>): void {
  const key = ATTRIBUTES.find((k) => k.toLowerCase() === a.AttributeKey.trim().toLowerCase());
  if (!key) {
    throw invalidParameterValue(`${path}.AttributeKey`, `"${a.AttributeKey}" is not supported; use one of ${ATTRIBUTES.join(', ')}`,
      `不支持 "${a.AttributeKey}"，可选：${ATTRIBUTES.join('、')}`);
  }
  if (seen.has(key)) throw invalidParameterValue(`${path}.AttributeKey`, `${key} is given twice`, `${key} 重复`);
  seen.add(key);
  const value = (a.AttributeValue ?? '').trim();
  if (value === '') return;
  narrow(q, key, value, `${path}.AttributeValue`, account);
}

function narrow(q: AuditQuery, key: Attribute, value: string, path: string, account: string): void {
  switch (key) {
    case 'RequestId': q.requestId = value; break;
    case 'EventName': q.action = value; break;
    case 'ResourceType': q.service = value; break;
    case 'ResourceName': q.resourceId = value; break;
    case 'AccessKeyId': q.secretId = value; break;
    case 'Username': q.userUin = value.toLowerCase() === 'root' ? account : value; break;
    case 'ReadOnly': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw invalidParameterValue(path, `"${value}" is not true or false`, `"${value}" 不是 true 或 false`);
      q.kind = v === 'true' ? 'secret-read' : 'call';
    }
  }
}

function encodeToken(e: AuditEntry): string {
  return Buffer.from(JSON.stringify([e.at, e.id])).toString('base64url');
}

function decodeToken(token: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(at) && typeof id === 'string') return { at: at as number, id };
  } catch {
    // fall through to the error below
  }
  throw invalidParameterValue('NextToken', 'it is not a token returned by LookUpEvents', '不是 LookUpEvents 返回的 NextToken');
}

function eventView(e: AuditEntry): Event {
  const source = e.service ? `${e.service}.tencentcloudapi.com` : '';
  const username = e.userUin === e.accountUin ? 'root' : e.userUin;
  return {
    EventId: e.id,
    Username: username,
    EventTime: String(Math.floor(e.at / 1000)),
    CloudAuditEvent: JSON.stringify({
      eventVersion: 1, eventType: e.kind === 'call' ? 'ApiCall' : 'SecretRead', eventTime: isoTime(e.at),
      userIdentity: { accountId: e.accountUin, principalId: e.userUin, secretId: e.secretId, type: username === 'root' ? 'root' : 'subAccount' },
      eventSource: source, eventName: e.action, eventRegion: e.region, sourceIPAddress: e.sourceIp, requestID: e.requestId,
      resourceIds: e.resourceIds, errorCode: e.resultCode, ...(e.repeatOf ? { repeatOf: e.repeatOf } : {}),
    }),
    ErrorCode: e.resultCode === 'Success' ? 0 : 1,
    EventName: e.action,
    SecretId: e.secretId,
    EventSource: source,
    RequestID: e.requestId,
    ResourceRegion: e.region,
    AccountID: Number(e.accountUin),
    SourceIPAddress: e.sourceIp,
    Resources: { ResourceType: e.service, ResourceName: e.resourceIds.join(',') },
    EventRegion: e.region,
  };
}
