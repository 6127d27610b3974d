/**
 * The access decision for one caller: who may do what, on which resources.
 *
 * The rules, in order, for every resource of a request:
 *   1. Temporary credentials restricted by a session policy (GetFederationToken's `Policy`)
 *      never reach `cam` or `sts`: they could otherwise mint permanent keys or fresh tokens
 *      and outlive their own narrowing.
 *   2. An applicable `deny` in any of the caller's policies, or in the session policy, refuses.
 *   3. A grant is needed: the root user holds every right in its account; `cam` actions are
 *      granted here and decided by the service itself (root only, except a user's own keys);
 *      any other user needs an applicable `allow` in one of its attached policies. A sub-user
 *      with no policies can do nothing.
 *   4. A session policy must also allow (it narrows, never widens).
 * A batch is allowed only when every resource is: the first refused resource is reported and
 * nothing runs.
 */
import { accountWideResource, resourceName, tagKey, type ResourceRef, type ResourceTags } from '../resources.ts';
import type { PolicyDocument } from './document.ts';
import { deniesActionOutright, evaluate, mayAllowAction, usesResourceTags, type RequestContext } from './evaluate.ts';

export interface PolicySubject {
  isRoot: boolean;
  policies?: readonly PolicyDocument[] | undefined;
}

export interface AccessQuery {
  service: string;
  action: string;
  region: string;
  accountUin: string;
  refs: readonly ResourceRef[];
  /** Tags of the refs; undefined when unknown (see evaluate.ts for what that means). */
  tags?: ResourceTags | undefined;
}

const SELF_GOVERNED = 'cam';
const OFF_LIMITS_TO_SESSIONS = new Set(['cam', 'sts']);

const sessionsOf = (s: PolicySubject) => (s.policies ?? []).filter((d) => d.session);
const grantsOf = (s: PolicySubject) => (s.policies ?? []).filter((d) => !d.session);

/** False for the root user without a session policy: every right, nothing to evaluate. */
export function needsEvaluation(s: PolicySubject): boolean {
  return !s.isRoot || (s.policies ?? []).some((d) => d.session);
}

export function needsResourceTags(s: PolicySubject): boolean {
  return usesResourceTags(s.policies ?? []);
}

/**
 * A cheap verdict before the parameters are read: false when no resource could be allowed
 * (no allow statement names the action, an unconditional deny covers it, or rule 1).
 */
export function mayBeAllowed(s: PolicySubject, service: string, action: string): boolean {
  const qualified = `${service}:${action}`;
  const sessions = sessionsOf(s);
  if (sessions.length > 0 && OFF_LIMITS_TO_SESSIONS.has(service)) return false;
  if (deniesActionOutright(s.policies ?? [], qualified)) return false;
  const granted = s.isRoot || service === SELF_GOVERNED || mayAllowAction(grantsOf(s), qualified);
  return granted && sessions.every((d) => mayAllowAction([d], qualified));
}

/** The first resource of the request the subject may not act on, or undefined when all are allowed. */
export function firstDeniedResource(s: PolicySubject, q: AccessQuery): string | undefined {
  const resources = q.refs.length === 0
    ? [{ name: accountWideResource(q.service, q.region, q.accountUin), tags: new Map<string, string>() }]
    : q.refs.map((ref) => ({ name: resourceName(ref, q.region, q.accountUin), tags: q.tags?.get(tagKey(ref)) ?? (q.tags ? new Map() : undefined) }));
  if (sessionsOf(s).length > 0 && OFF_LIMITS_TO_SESSIONS.has(q.service)) return resources[0]!.name;
  for (const r of resources) {
    if (!allows(s, { action: `${q.service}:${q.action}`, resource: r.name, region: q.region, tags: r.tags }, q.service)) return r.name;
  }
  return undefined;
}

function allows(s: PolicySubject, ctx: RequestContext, service: string): boolean {
  const grants = grantsOf(s);
  const sessions = sessionsOf(s);
  if (evaluate([...grants, ...sessions], ctx) === 'deny') return false;
  const granted = s.isRoot || service === SELF_GOVERNED || evaluate(grants, ctx) === 'allow';
  return granted && sessions.every((d) => evaluate([d], ctx) === 'allow');
}
