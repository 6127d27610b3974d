/**
 * Step: record every mutating call in the audit trail — after dispatch on success, and from the
 * pipeline's error handling on failure (a refused TerminateInstances matters as much as one
 * that ran).
 *
 * A call is audited once it is known who made it and which action it named (the signature is
 * verified and the action resolved); earlier failures (bad signature, unknown action) have no
 * trustworthy "who" and stay in the access log only. Read-only actions are not audited here;
 * reads that reveal a secret are recorded by the service that reveals it (`secret_reads`).
 *
 * What is kept: account, user, SecretId, time, service, action, region, result code, RequestId,
 * source address, and the resource ids — every string member of the validated input whose name
 * ends in `Id` or `Ids` (at any depth: `VirtualPrivateCloud.SubnetId`), plus those the call
 * returned (`BmsId` of RunInstances, `GroupId` of CreateDisasterRecoverGroup). Nothing else from the parameters, so a password
 * or a user-data blob can never reach an audit row. A failing audit write is logged, never
 * turned into the caller's error: the call itself has already happened.
 */
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';

const MAX_IDS = 100;
const MAX_DEPTH = 4;
/** What an id looks like; anything else (a sentence, a blob) is not recorded. */
const ID_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const NOT_RESOURCES = new Set(['RequestId', 'ClientToken']);

export function audit(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (!ex.action?.mutating) return; // reads are not audited: no promise, no microtask
  return recordAudit(ex, 'Success', deps);
}

/** Records `ex` with `resultCode` when it is an authenticated call of a mutating action. */
export async function recordAudit(ex: Exchange, resultCode: string, deps: GatewayDeps): Promise<void> {
  const { action, principal } = ex;
  if (!deps.audit || !action?.mutating || !principal) return;
  try {
    await deps.audit.record({
      requestId: ex.requestId,
      at: ex.receivedAt,
      accountUin: principal.accountUin,
      userUin: principal.userUin,
      secretId: principal.secretId,
      service: action.serviceName,
      action: action.name,
      region: ex.common?.region ?? '',
      resourceIds: resourceIds(ex.input, ex.result),
      resultCode,
      sourceIp: ex.request.remoteAddress,
      ...(ex.repeatOf !== undefined ? { repeatOf: ex.repeatOf } : {}),
    });
  } catch (err) {
    deps.logger.error({ requestId: ex.requestId, action: action.name, err }, 'audit record failed');
  }
}

/** Resource ids named by the input and by the result, without repeats, at most MAX_IDS. */
export function resourceIds(...sources: Array<Record<string, unknown> | undefined>): string[] {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && ids.size < MAX_IDS && ID_VALUE.test(v)) ids.add(v);
  };
  const walk = (obj: Record<string, unknown>, depth: number) => {
    for (const [name, value] of Object.entries(obj)) {
      if (NOT_RESOURCES.has(name)) continue;
      if (/(Id|Ids|IdSet)$/.test(name)) {
        if (Array.isArray(value)) value.forEach(add);
        else add(value);
      } else if (depth < MAX_DEPTH) descend(value, depth + 1);
    }
  };
  const descend = (value: unknown, depth: number) => {
    if (Array.isArray(value)) for (const item of value) descend(item, depth);
    else if (value !== null && typeof value === 'object') walk(value as Record<string, unknown>, depth);
  };
  for (const source of sources) if (source) walk(source, 0);
  return [...ids];
}
