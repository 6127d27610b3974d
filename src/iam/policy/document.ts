/**
 * CAM policy documents: the grammar, and a parser that names the exact spot of every mistake.
 *
 * A policy is JSON in Tencent CAM's syntax (version 2.0), keys in lower case:
 *
 *   {
 *     "version": "2.0",
 *     "statement": [
 *       {
 *         "effect": "allow",                                   // or "deny"
 *         "action": ["bms:Describe*", "vpc:DescribeVpcs"],     // or one string; "*" = every action
 *         "resource": "qcs::bms:ap-guangzhou:uin/100000000001:instance/bms-3k9x0a1z",   // or a list; "*"
 *         "condition": {                                       // optional; every entry must hold
 *           "string_equal": { "qcs:region": ["ap-guangzhou", "ap-shanghai"] },
 *           "string_like": { "qcs:resource_tag/env": "dev*" }
 *         }
 *       }
 *     ]
 *   }
 *
 * - action: `*`, or `<service>:<ActionName>` where either part may hold `*` wildcards
 *   (`bms:Describe*`, `vpc:*`). Matched ignoring case.
 * - resource: `*`, or six colon-separated segments `qcs:<project>:<service>:<region>:<account>:<resource>`
 *   with `*` wildcards in any segment; an empty project, region or account segment matches any
 *   (CAM writes global resources that way); account is `uin/<digits>`; resource is
 *   `<type>/<id>`. Matched ignoring case (resource IDs are case-insensitive).
 * - condition: operators `string_equal` (exact) and `string_like` (with `*`), over the keys
 *   `qcs:region` (the request's region) and `qcs:resource_tag/<key>` (the value of tag <key>
 *   on the resource being accessed). Several values of one key: any may match. Several keys or
 *   operators: all must hold. A key without a value on the request (an untagged resource)
 *   does not hold.
 *
 * The parsed form is plain data; evaluation lives in ./evaluate.ts.
 */

export type Effect = 'allow' | 'deny';
export const CONDITION_OPERATORS = ['string_equal', 'string_like'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
export const REGION_KEY = 'qcs:region';
export const TAG_KEY_PREFIX = 'qcs:resource_tag/';

export interface Condition {
  operator: ConditionOperator;
  /** `qcs:region` or `qcs:resource_tag/<key>`. */
  key: string;
  values: string[];
}

export interface Statement {
  effect: Effect;
  actions: string[];
  resources: string[];
  conditions: Condition[];
}

export interface PolicyDocument {
  version: '2.0';
  statements: Statement[];
  /**
   * Set on the policy given to GetFederationToken: it only narrows what the temporary
   * credentials may do (an allow here grants nothing the user does not already have).
   */
  session?: true;
}

/** Where a document is wrong (`statement[1].action[0]`) and why, in English and Chinese. */
export class PolicyDocumentError extends Error {
  constructor(readonly path: string, readonly reason: string, readonly reasonZh: string) {
    super(`${path ? `${path}: ` : ''}${reason}`);
    this.name = 'PolicyDocumentError';
  }
}

export const MAX_DOCUMENT_LENGTH = 6144;
const MAX_STATEMENTS = 100;
const MAX_LIST = 100;
const MAX_VALUE_LENGTH = 256;

const ACTION = /^(\*|[A-Za-z0-9*]+:[A-Za-z0-9*]+)$/;
const SERVICE = /^[a-z0-9*]+$/;
const REGION = /^[a-z0-9*-]*$/;
const ACCOUNT = /^(|\*|uin\/[0-9*]+)$/;

type Json = unknown;
const fail = (path: string, en: string, zh: string): never => {
  throw new PolicyDocumentError(path, en, zh);
};

export function parsePolicyDocument(text: string): PolicyDocument {
  if (text.length > MAX_DOCUMENT_LENGTH) {
    fail('', `the document is ${text.length} characters, over the limit of ${MAX_DOCUMENT_LENGTH}`, `策略文档长度为 ${text.length}，超过上限 ${MAX_DOCUMENT_LENGTH}`);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.slice(0, 120);
    return fail('', `it is not valid JSON (${why})`, `不是合法的 JSON（${why}）`);
  }
  const top = object(json, '', ['version', 'statement']);
  if (top.version !== '2.0') fail('version', 'must be "2.0"', '必须为 "2.0"');
  const list = top.statement;
  if (!Array.isArray(list) || list.length === 0) fail('statement', 'must be a non-empty array of statements', '必须为非空的语句数组');
  if ((list as Json[]).length > MAX_STATEMENTS) fail('statement', `at most ${MAX_STATEMENTS} statements are allowed`, `最多 ${MAX_STATEMENTS} 条语句`);
  return { version: '2.0', statements: (list as Json[]).map((s, i) => statement(s, `statement[${i}]`)) };
}

function statement(json: Json, path: string): Statement {
  const s = object(json, path, ['effect', 'action', 'resource', 'condition']);
  if (s.effect === undefined) fail(`${path}.effect`, 'is required ("allow" or "deny")', '缺少 effect（"allow" 或 "deny"）');
  const effect = typeof s.effect === 'string' ? s.effect.toLowerCase() : '';
  if (effect !== 'allow' && effect !== 'deny') fail(`${path}.effect`, `${JSON.stringify(s.effect)} is not "allow" or "deny"`, `${JSON.stringify(s.effect)} 不是 "allow" 或 "deny"`);
  return {
    effect: effect as Effect,
    actions: strings(s.action, `${path}.action`).map((a, i) => action(a, `${path}.action${suffix(s.action, i)}`)),
    resources: strings(s.resource, `${path}.resource`).map((r, i) => resource(r, `${path}.resource${suffix(s.resource, i)}`)),
    conditions: s.condition === undefined ? [] : conditions(s.condition, `${path}.condition`),
  };
}

function action(a: string, path: string): string {
  if (!ACTION.test(a)) {
    fail(path, `"${a}" is not an action such as "bms:DescribeInstances", "bms:Describe*", "vpc:*" or "*"`,
      `"${a}" 不是合法的接口，应形如 "bms:DescribeInstances"、"bms:Describe*"、"vpc:*" 或 "*"`);
  }
  return a;
}

function resource(r: string, path: string): string {
  if (r === '*') return r;
  const parts = splitResource(r);
  const shape = 'qcs:<project>:<service>:<region>:uin/<uin>:<type>/<id>';
  if (!parts || parts[0] !== 'qcs') return fail(path, `"${r}" is not "*" or a six-part resource ${shape}`, `"${r}" 不是 "*" 或六段式资源 ${shape}`);
  const [, project, service, region, account, rest] = parts as [string, string, string, string, string, string];
  if (/\s/.test(r) || [...r].some((c) => c.charCodeAt(0) < 0x20)) fail(path, `"${r}" contains white space or control characters`, `"${r}" 含有空白或控制字符`);
  if (project.includes('/') && !/^[a-z]+\/[0-9*]+$/.test(project)) fail(path, `the project segment "${project}" is malformed`, `项目段 "${project}" 格式错误`);
  if (!SERVICE.test(service)) fail(path, `the service segment "${service}" must be a service name such as bms or vpc`, `服务段 "${service}" 应为服务名，如 bms 或 vpc`);
  if (!REGION.test(region)) fail(path, `the region segment "${region}" must be a region such as ap-guangzhou, or empty`, `地域段 "${region}" 应为地域（如 ap-guangzhou）或为空`);
  if (!ACCOUNT.test(account)) fail(path, `the account segment "${account}" must be uin/<uin>, "*" or empty`, `账号段 "${account}" 应为 uin/<uin>、"*" 或为空`);
  if (rest === '') fail(path, 'the resource segment is empty; use <type>/<id> or "*"', '资源段为空，应为 <类型>/<ID> 或 "*"');
  return r;
}

/** The six segments of a resource string (the last may itself contain ":"), or undefined. */
export function splitResource(r: string): string[] | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = r.indexOf(':', from);
    if (at < 0) return undefined;
    parts.push(r.slice(from, at));
    from = at + 1;
  }
  parts.push(r.slice(from));
  return parts;
}

function conditions(json: Json, path: string): Condition[] {
  const byOperator = object(json, path, CONDITION_OPERATORS, 'condition operator');
  const out: Condition[] = [];
  for (const [operator, keys] of Object.entries(byOperator)) {
    const where = `${path}.${operator}`;
    const byKey = object(keys, where);
    if (Object.keys(byKey).length === 0) fail(where, 'names no condition key', '没有指定条件键');
    for (const [key, value] of Object.entries(byKey)) {
      if (key !== REGION_KEY && !(key.startsWith(TAG_KEY_PREFIX) && key.length > TAG_KEY_PREFIX.length)) {
        fail(`${where}.${key}`, `unsupported condition key; supported: ${REGION_KEY}, ${TAG_KEY_PREFIX}<key>`, `不支持的条件键；支持 ${REGION_KEY}、${TAG_KEY_PREFIX}<标签键>`);
      }
      const values = strings(value, `${where}.${key}`);
      values.forEach((v, i) => {
        if (v.length > MAX_VALUE_LENGTH) fail(`${where}.${key}${suffix(value, i)}`, `longer than ${MAX_VALUE_LENGTH} characters`, `超过 ${MAX_VALUE_LENGTH} 个字符`);
      });
      out.push({ operator: operator as ConditionOperator, key, values });
    }
  }
  return out;
}

/** A JSON object whose keys are all in `allowed`. */
function object(json: Json, path: string, allowed?: readonly string[], what = 'key'): Record<string, Json> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(path, 'must be a JSON object', '必须为 JSON 对象');
  }
  const obj = json as Record<string, Json>;
  for (const key of Object.keys(obj)) {
    if (allowed && !allowed.includes(key)) {
      const hint = allowed.find((a) => a === key.toLowerCase());
      const where = path ? `${path}.${key}` : key;
      if (key === 'principal') fail(where, 'a principal belongs to a role\'s trust policy, not to a policy attached to users', 'principal 仅用于角色的信任策略，不能用于授权给用户的策略');
      fail(where, `unknown ${what}${hint ? `; did you mean "${hint}"?` : `; expected one of ${allowed.join(', ')}`}`,
        `未知的${what === 'key' ? '键' : '条件运算符'}${hint ? `，是否应为 "${hint}"？` : `，可选：${allowed.join('、')}`}`);
    }
  }
  return obj;
}

/** One string or a non-empty array of strings. */
function strings(json: Json, path: string): string[] {
  if (json === undefined) return fail(path, 'is required', '为必填项');
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0) fail(path, 'must not be an empty list', '不能为空列表');
  if (list.length > MAX_LIST) fail(path, `at most ${MAX_LIST} entries are allowed`, `最多 ${MAX_LIST} 项`);
  list.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') fail(`${path}${suffix(json, i)}`, 'must be a non-empty string', '必须为非空字符串');
  });
  return list as string[];
}

const suffix = (json: Json, i: number) => (Array.isArray(json) ? `[${i}]` : '');
