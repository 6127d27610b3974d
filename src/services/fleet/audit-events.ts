/**
 * DescribeAuditEvents (operator API): the audit trail of every account.
 *
 * The gateway records every mutating call, successful or not (src/gateway/steps/audit.ts), and
 * services record every secret they reveal (`secret_reads`); this lists both, newest first,
 * filtered by account, action, resource and period. Tenants read their own account's entries
 * through the `audit` service's LookUpEvents.
 */
import type { AuditEvent, DescribeAuditEventsRequest } from '../../generated/bmsops.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import { countAuditEntries, findAuditEntries, type AuditEntry, type AuditQuery } from '../../store/repos/audit.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { pageOf } from './params.ts';

export function describeAuditEvents({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeAuditEventsRequest;
    const from = timeParam('StartTime', p.StartTime);
    const to = timeParam('EndTime', p.EndTime);
    if (to < from) throw invalidParameterValue('EndTime', `it is before StartTime (${p.StartTime})`, `早于 StartTime（${p.StartTime}）`);
    const query: AuditQuery = {
      from, to,
      ...(p.AccountUin !== undefined ? { accountUin: p.AccountUin } : {}),
      ...(p.Action !== undefined ? { action: p.Action } : {}),
      ...(p.ResourceId !== undefined ? { resourceId: p.ResourceId } : {}),
    };
    const [total, entries] = await Promise.all([countAuditEntries(store.db, query), findAuditEntries(store.db, query, pageOf(p))]);
    return { TotalCount: total, EventSet: entries.map(auditEventView) };
  };
}

/** A Datetime parameter as epoch milliseconds (a date alone is midnight UTC). */
function timeParam(path: string, raw: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(raw) || raw.length === 10 ? raw : `${raw}Z`);
  if (Number.isNaN(ms)) throw invalidParameterValue(path, `"${raw}" is not a valid time`, `"${raw}" 不是有效的时间`);
  return ms;
}

function auditEventView(e: AuditEntry): AuditEvent {
  return {
    EventId: e.id,
    EventType: e.kind === 'call' ? 'ApiCall' : 'SecretRead',
    EventTime: isoTime(e.at),
    AccountUin: e.accountUin,
    UserUin: e.userUin,
    SecretId: e.secretId,
    Service: e.service,
    Action: e.action,
    Region: e.region,
    ResourceIds: e.resourceIds,
    ResultCode: e.resultCode,
    RequestId: e.requestId,
    SourceIp: e.sourceIp,
  };
}
