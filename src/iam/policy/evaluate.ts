/**
 * Policy evaluation: does a set of policy documents allow one action on one resource?
 *
 * A statement applies to a request when one of its actions matches the action, one of its
 * resources matches the resource, and every condition holds. Then, over all statements of all
 * documents: any applicable `deny` → 'deny' (deny wins, whatever the order); else any
 * applicable `allow` → 'allow'; else 'none' (nothing said — which the caller treats as denied).
 *
 * Resource tags may be unknown to the caller (`tags: undefined`). A condition on a tag then
 * cannot be decided, and the answer errs on the safe side: such a condition holds for a
 * `deny` statement (the deny still bites) and fails for an `allow` statement (no grant).
 */
import { REGION_KEY, splitResource, TAG_KEY_PREFIX, type Condition, type PolicyDocument, type Statement } from './document.ts';
import { wildcardMatch } from './wildcard.ts';

export interface RequestContext {
  /** `<service>:<Action>`, e.g. `bms:StopInstances`. */
  action: string;
  /** A six-part resource string, e.g. `qcs::bms:ap-guangzhou:uin/100000000001:instance/bms-3k9x0a1z`. */
  resource: string;
  region: string;
  /** The resource's tags; undefined when they are not known. */
  tags: ReadonlyMap<string, string> | undefined;
}

export type Outcome = 'allow' | 'deny' | 'none';

export function evaluate(documents: readonly PolicyDocument[], ctx: RequestContext): Outcome {
  let allowed = false;
  for (const doc of documents) {
    for (const st of doc.statements) {
      if (!statementApplies(st, ctx)) continue;
      if (st.effect === 'deny') return 'deny';
      allowed = true;
    }
  }
  return allowed ? 'allow' : 'none';
}

export function statementApplies(st: Statement, ctx: RequestContext): boolean {
  return st.actions.some((a) => actionMatches(a, ctx.action))
    && st.resources.some((r) => resourceMatches(r, ctx.resource))
    && st.conditions.every((c) => conditionHolds(c, ctx, st.effect === 'deny'));
}

export function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || wildcardMatch(pattern, action, true);
}

/**
 * Segment by segment; an empty project, region or account segment in the pattern matches any.
 * A pattern or resource that is not six parts is compared as a whole.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const p = splitResource(pattern);
  const r = splitResource(resource);
  if (!p || !r) return wildcardMatch(pattern, resource, true);
  return p.every((segment, i) => (segment === '' && (i === 1 || i === 3 || i === 4)) || wildcardMatch(segment, r[i]!, true));
}

function conditionHolds(c: Condition, ctx: RequestContext, whenUnknown: boolean): boolean {
  let actual: string | undefined;
  if (c.key === REGION_KEY) {
    actual = ctx.region;
  } else {
    if (ctx.tags === undefined) return whenUnknown;
    actual = ctx.tags.get(c.key.slice(TAG_KEY_PREFIX.length));
  }
  if (actual === undefined) return false;
  const value = actual;
  return c.operator === 'string_equal'
    ? c.values.some((v) => v === value)
    : c.values.some((v) => wildcardMatch(v, value));
}

/** Whether any statement of `documents` could allow `action` on some resource (conditions aside). */
export function mayAllowAction(documents: readonly PolicyDocument[], action: string): boolean {
  return documents.some((d) => d.statements.some((st) => st.effect === 'allow' && st.actions.some((a) => actionMatches(a, action))));
}

/** Whether a statement denies `action` on every resource, unconditionally. */
export function deniesActionOutright(documents: readonly PolicyDocument[], action: string): boolean {
  return documents.some((d) => d.statements.some((st) => st.effect === 'deny' && st.conditions.length === 0
    && st.resources.includes('*') && st.actions.some((a) => actionMatches(a, action))));
}

/** Whether any condition of `documents` looks at resource tags (then the tags must be read). */
export function usesResourceTags(documents: readonly PolicyDocument[]): boolean {
  return documents.some((d) => d.statements.some((st) => st.conditions.some((c) => c.key.startsWith(TAG_KEY_PREFIX))));
}
