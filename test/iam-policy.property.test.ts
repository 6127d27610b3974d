/**
 * Properties of CAM policy evaluation (src/iam/policy): wildcard matching equals a reference
 * built on regular expressions; deny wins whatever the order; nothing allowed without an
 * allow; conditions on region and resource tags; sessions only narrow; the parser accepts what
 * it documents and names the spot of what it refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstDeniedResource, type PolicySubject } from '../src/iam/policy/decide.ts';
import { parsePolicyDocument, PolicyDocumentError, type Condition, type PolicyDocument, type Statement } from '../src/iam/policy/document.ts';
import { evaluate, type Outcome, type RequestContext } from '../src/iam/policy/evaluate.ts';
import { wildcardMatch } from '../src/iam/policy/wildcard.ts';

// ---- the reference: regular expressions ---------------------------------------------------------

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const refGlob = (pattern: string, text: string, ignoreCase = false) =>
  new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`, ignoreCase ? 'is' : 's').test(text);

const refResource = (pattern: string, resource: string) => {
  if (pattern === '*') return true;
  const p = pattern.split(':');
  const r = resource.split(':');
  return p.every((seg, i) => (seg === '' && [1, 3, 4].includes(i)) || refGlob(seg, r[i] ?? '', true));
};

const refCondition = (c: Condition, ctx: RequestContext, effect: string) => {
  let actual: string | undefined;
  if (c.key === 'qcs:region') actual = ctx.region;
  else if (ctx.tags === undefined) return effect === 'deny';
  else actual = ctx.tags.get(c.key.slice('qcs:resource_tag/'.length));
  if (actual === undefined) return false;
  return c.values.some((v) => (c.operator === 'string_equal' ? v === actual : refGlob(v, actual)));
};

const refApplies = (st: Statement, ctx: RequestContext) =>
  st.actions.some((a) => a === '*' || refGlob(a, ctx.action, true))
  && st.resources.some((r) => refResource(r, ctx.resource))
  && st.conditions.every((c) => refCondition(c, ctx, st.effect));

function refEvaluate(docs: PolicyDocument[], ctx: RequestContext): Outcome {
  const applicable = docs.flatMap((d) => d.statements).filter((st) => refApplies(st, ctx));
  if (applicable.some((st) => st.effect === 'deny')) return 'deny';
  return applicable.length > 0 ? 'allow' : 'none';
}

// ---- generators -----------------------------------------------------------------------------------

const text = (chars: string[], max = 8) => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));
const globPattern = (chars: string[]) => text([...chars, '*'], 8);

const ACTIONS = ['bms:DescribeInstances', 'bms:DescribeZones', 'bms:RunInstances', 'bms:StopInstances', 'vpc:DescribeVpcs', 'vpc:DeleteVpc'];
const REGIONS = ['ap-guangzhou', 'ap-shanghai'];
const IDS = ['bms-aaaa0001', 'bms-bbbb0002', 'vpc-cccc0003'];

/** A pattern made from a real value by turning random runs into `*` (the `:` between service and action stays). */
const blurred = (value: string) => fc.array(fc.boolean(), { minLength: value.length, maxLength: value.length })
  .map((mask) => [...value].map((ch, i) => (mask[i] && ch !== ':' ? '*' : ch)).join('').replace(/\*+/g, '*'));

const actionPattern = fc.oneof(fc.constant('*'), fc.constantFrom(...ACTIONS).chain(blurred), fc.constantFrom('bms:Describe*', 'vpc:*', 'BMS:describe*'));
const resourceOf = (region: string, uin: string, id: string) =>
  `qcs::${id.startsWith('vpc') ? 'vpc' : 'bms'}:${region}:uin/${uin}:${id.startsWith('vpc') ? 'vpc' : 'instance'}/${id}`;
const resourcePattern = fc.oneof(
  fc.constant('*'),
  fc.tuple(fc.constantFrom('', ...REGIONS, 'ap-*'), fc.constantFrom('', '100000000001', '*'), fc.constantFrom(...IDS, 'bms-*', '*'))
    .map(([region, uin, id]) => `qcs::${id.startsWith('vpc') ? 'vpc' : id === '*' ? '*' : 'bms'}:${region}:${uin === '' ? '' : `uin/${uin}`}:${id === '*' ? '*' : `${id.startsWith('vpc') ? 'vpc' : 'instance'}/${id}`}`),
);
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ operator: fc.constantFrom('string_equal' as const, 'string_like' as const), key: fc.constant('qcs:region'), values: fc.array(fc.oneof(fc.constantFrom(...REGIONS), fc.constant('ap-*')), { minLength: 1, maxLength: 2 }) }),
  fc.record({ operator: fc.constantFrom('string_equal' as const, 'string_like' as const), key: fc.constantFrom('qcs:resource_tag/env', 'qcs:resource_tag/team'), values: fc.array(fc.constantFrom('dev', 'prod', 'd*', '*'), { minLength: 1, maxLength: 2 }) }),
);
const statement: fc.Arbitrary<Statement> = fc.record({
  effect: fc.constantFrom('allow' as const, 'deny' as const),
  actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
  resources: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
  conditions: fc.array(condition, { maxLength: 2 }),
});
const documents = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }).map((statements): PolicyDocument => ({ version: '2.0', statements })), { maxLength: 3 });
const tags = fc.option(fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('dev', 'prod', 'ops')).map((d) => new Map(Object.entries(d))), { nil: undefined });
const request: fc.Arbitrary<RequestContext> = fc.record({
  action: fc.constantFrom(...ACTIONS),
  region: fc.constantFrom(...REGIONS),
  id: fc.constantFrom(...IDS),
  uin: fc.constantFrom('100000000001', '100000000002'),
  tags,
}).map(({ action, region, id, uin, tags: t }) => ({ action, region, resource: resourceOf(region, uin, id), tags: t }));

const RUNS = { numRuns: 500 };

// ---- properties ------------------------------------------------------------------------------------

describe('wildcard matching', () => {
  it('equals the regular-expression reference (case-sensitive and not)', () => {
    const chars = ['a', 'b', ':', '/', 'A'];
    fc.assert(fc.property(globPattern(chars), text(chars, 10), fc.boolean(), (p, t, ci) => wildcardMatch(p, t, ci) === refGlob(p, t, ci)), { numRuns: 3000 });
  });

  it('is linear enough for hostile patterns', () => {
    const started = Date.now();
    assert.equal(wildcardMatch(`${'*a'.repeat(200)}b`, 'a'.repeat(5000)), false);
    assert.ok(Date.now() - started < 500);
  });
});

describe('policy evaluation', () => {
  it('equals the reference evaluator (deny wins; allow needs an applicable allow; otherwise none)', () => {
    fc.assert(fc.property(documents, request, (docs, ctx) => evaluate(docs, ctx) === refEvaluate(docs, ctx)), RUNS);
  });

  it('deny wins whatever the order of documents and statements', () => {
    fc.assert(fc.property(documents, request, fc.nat(), (docs, ctx, seed) => {
      const deny: Statement = { effect: 'deny', actions: [ctx.action], resources: ['*'], conditions: [] };
      const all = [...docs.flatMap((d) => d.statements)];
      all.splice(seed % (all.length + 1), 0, deny);
      const shuffled = [...all].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      return evaluate([{ version: '2.0', statements: all }], ctx) === 'deny' && evaluate([{ version: '2.0', statements: shuffled }], ctx) === 'deny';
    }), RUNS);
  });

  it('without an allow statement nothing is allowed', () => {
    fc.assert(fc.property(documents, request, (docs, ctx) => {
      const denies = docs.map((d) => ({ ...d, statements: d.statements.filter((s) => s.effect === 'deny') }));
      return evaluate(denies, ctx) !== 'allow';
    }), RUNS);
  });

  it('a region condition allows exactly the listed regions', () => {
    fc.assert(fc.property(fc.subarray(REGIONS, { minLength: 1 }), request, (regions, ctx) => {
      const doc: PolicyDocument = { version: '2.0', statements: [{ effect: 'allow', actions: ['*'], resources: ['*'], conditions: [{ operator: 'string_equal', key: 'qcs:region', values: regions }] }] };
      return (evaluate([doc], ctx) === 'allow') === regions.includes(ctx.region);
    }), RUNS);
  });

  it('a tag condition needs the tag; unknown tags fail an allow and still let a deny bite', () => {
    fc.assert(fc.property(fc.constantFrom('dev', 'd*', 'prod'), request, (value, ctx) => {
      const cond: Condition = { operator: 'string_like', key: 'qcs:resource_tag/env', values: [value] };
      const allow: PolicyDocument = { version: '2.0', statements: [{ effect: 'allow', actions: ['*'], resources: ['*'], conditions: [cond] }] };
      const deny: PolicyDocument = { version: '2.0', statements: [{ effect: 'deny', actions: ['*'], resources: ['*'], conditions: [cond] }] };
      const env = ctx.tags?.get('env');
      const matches = env !== undefined && refGlob(value, env);
      const allowOk = evaluate([allow], ctx) === (ctx.tags !== undefined && matches ? 'allow' : 'none');
      const denyOk = evaluate([deny], ctx) === (ctx.tags === undefined || matches ? 'deny' : 'none');
      return allowOk && denyOk;
    }), RUNS);
  });
});

describe('access decisions', () => {
  const query = (refs: Array<{ kind: 'instance'; id: string }>) => ({ service: 'bms', action: 'StopInstances', region: 'ap-guangzhou', accountUin: '100000000001', refs });
  const refs = fc.uniqueArray(fc.constantFrom('bms-aaaa0001', 'bms-bbbb0002', 'bms-cccc0003'), { maxLength: 3 }).map((ids) => ids.map((id) => ({ kind: 'instance' as const, id })));

  it('a sub-user without policies may do nothing; root may do everything', () => {
    fc.assert(fc.property(refs, (r) => firstDeniedResource({ isRoot: false }, query(r)) !== undefined && firstDeniedResource({ isRoot: true }, query(r)) === undefined), RUNS);
  });

  it('a batch is refused at the first denied resource, and only then', () => {
    fc.assert(fc.property(refs, fc.constantFrom('bms-aaaa0001', 'bms-bbbb0002'), (r, denied) => {
      const subject: PolicySubject = { isRoot: false, policies: [{ version: '2.0', statements: [
        { effect: 'allow', actions: ['bms:*'], resources: ['*'], conditions: [] },
        { effect: 'deny', actions: ['bms:StopInstances'], resources: [`qcs::bms::uin/100000000001:instance/${denied}`], conditions: [] },
      ] }] };
      const answer = firstDeniedResource(subject, query(r));
      return r.some((x) => x.id === denied) ? answer?.endsWith(denied) === true : answer === undefined;
    }), RUNS);
  });

  it('a session policy only narrows: allowed = user allows AND session allows; sessions never reach cam/sts', () => {
    fc.assert(fc.property(documents, documents, request, fc.boolean(), (user, session, ctx, isRoot) => {
      const [service, action] = ctx.action.split(':') as [string, string];
      const sessionDoc: PolicyDocument = { version: '2.0', statements: session.flatMap((d) => d.statements), session: true };
      const subject: PolicySubject = { isRoot, policies: [...user, sessionDoc] };
      const q = { service, action, region: ctx.region, accountUin: '100000000001', refs: [{ kind: 'instance' as const, id: 'bms-aaaa0001' }], tags: new Map([['instance/bms-aaaa0001', ctx.tags ?? new Map<string, string>()]]) };
      const name = `qcs::bms:${ctx.region}:uin/100000000001:instance/bms-aaaa0001`;
      const c = { ...q, resource: name, action: ctx.action, tags: ctx.tags ?? new Map<string, string>() };
      const expected = refEvaluate([...user, sessionDoc], c) !== 'deny'
        && (isRoot || refEvaluate(user, c) === 'allow') && refEvaluate([sessionDoc], c) === 'allow';
      const allowed = firstDeniedResource(subject, q) === undefined;
      const camAllowed = firstDeniedResource(subject, { ...q, service: 'cam', refs: [] }) === undefined;
      return allowed === expected && !camAllowed;
    }), RUNS);
  });
});

describe('policy documents', () => {
  it('parse back what they serialise (actions, resources, conditions in CAM syntax)', () => {
    const realDocs = fc.array(statement, { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(realDocs, (statements) => {
      const json = JSON.stringify({ version: '2.0', statement: statements.map((s) => ({
        effect: s.effect, action: s.actions, resource: s.resources,
        ...(s.conditions.length ? { condition: Object.fromEntries(['string_equal', 'string_like'].map((op) => [op, Object.fromEntries(s.conditions.filter((c) => c.operator === op).map((c) => [c.key, c.values]))]).filter(([, v]) => Object.keys(v as object).length > 0)) } : {}),
      })) });
      const parsed = parsePolicyDocument(json);
      return parsed.statements.every((s, i) => s.effect === statements[i]!.effect && s.actions.join() === statements[i]!.actions.join() && s.resources.join() === statements[i]!.resources.join());
    }), { numRuns: 300 });
  });

  it('name the exact spot of a mistake', () => {
    const cases: Array<[string, string]> = [
      ['{', ''],
      ['{"version":"1.0","statement":[]}', 'version'],
      ['{"version":"2.0","statement":[]}', 'statement'],
      ['{"version":"2.0","statement":[{"effect":"permit","action":"*","resource":"*"}]}', 'statement[0].effect'],
      ['{"version":"2.0","statement":[{"effect":"allow","action":["bms:Describe*","bms Run"],"resource":"*"}]}', 'statement[0].action[1]'],
      ['{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"qcs::bms:ap-guangzhou:100:instance/x"}]}', 'statement[0].resource'],
      ['{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"ip_equal":{"qcs:ip":"1.1.1.1"}}}]}', 'statement[0].condition.ip_equal'],
      ['{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","condition":{"string_equal":{"qcs:zone":"x"}}}]}', 'statement[0].condition.string_equal.qcs:zone'],
      ['{"version":"2.0","statement":[{"Effect":"allow","action":"*","resource":"*"}]}', 'statement[0].Effect'],
    ];
    for (const [doc, path] of cases) {
      assert.throws(() => parsePolicyDocument(doc), (e: unknown) => e instanceof PolicyDocumentError && e.path === path, `${doc} → ${path}`);
    }
  });
});
