/**
 * Flat parameters: how GET and v1 requests carry nested structures.
 *
 * `{InstanceIds: ["a"], Filters: [{Name: "zone", Values: ["z"]}], Placement: {Zone: "z"}}`
 * travels as `InstanceIds.0=a`, `Filters.0.Name=zone`, `Filters.0.Values.0=z`,
 * `Placement.Zone=z`. A numeric segment is an array index (0-based, as the official SDKs send);
 * every other segment is a member name. Scalars arrive as strings; the validator converts them
 * to the schema's types. `unflatten` places elements by their numeric index, never by arrival
 * order, and reports the first inconsistency (a key both scalar and nested, a gap in indexes)
 * with the path that caused it. `__proto__`, `constructor` and `prototype` are refused as
 * segments, and rebuilt objects have no prototype (protocol/hostile.ts).
 */
import { invalidParameter } from '../../shared/errors.ts';
import { bareObject, checkName } from './hostile.ts';

export type FlatValue = string;
export type Nested = string | Nested[] | { [key: string]: Nested };

/** Flattens a JSON-like value the way the official SDKs do (null/undefined and empty containers vanish). */
export function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (v: unknown, key: string) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${key}${i}.`));
    else if (typeof v === 'object') for (const [k, item] of Object.entries(v)) walk(item, `${key}${k}.`);
    else out.push([key.slice(0, -1), String(v)]);
  };
  if (value !== null && typeof value === 'object') walk(value, prefix);
  return out;
}

type Node = { kind: 'leaf'; value: string } | { kind: 'branch'; children: Map<string, Node> };

/** Rebuilds nested objects and arrays from flat `key=value` pairs. */
export function unflatten(pairs: Iterable<readonly [string, string]>): Record<string, Nested> {
  const root: Node = { kind: 'branch', children: new Map() };
  for (const [key, value] of pairs) insert(root, key, value);
  return build(root, '') as Record<string, Nested>;
}

function insert(root: Node, key: string, value: string) {
  const segments = key.split('.');
  if (segments.some((s) => s === '')) throw invalidParameter(key, 'a name whose dot-separated segments are not empty', '不含空段的参数名');
  for (const s of segments) checkName(s, key);
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    if (node.kind !== 'branch') throw conflict(segments.slice(0, i).join('.'));
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    const existing = node.children.get(seg);
    if (last) {
      if (existing) throw conflict(key);
      node.children.set(seg, { kind: 'leaf', value });
    } else if (!existing) {
      const branch: Node = { kind: 'branch', children: new Map() };
      node.children.set(seg, branch);
      node = branch;
    } else {
      node = existing;
    }
  }
}

const conflict = (path: string) =>
  invalidParameter(path, 'given once, either as a value or as a structure', '只出现一次（值或结构之一）');

const INDEX = /^(0|[1-9]\d{0,5})$/;

function build(node: Node, path: string): Nested {
  if (node.kind === 'leaf') return node.value;
  const keys = [...node.children.keys()];
  const numeric = keys.filter((k) => INDEX.test(k));
  if (numeric.length > 0 && numeric.length === keys.length) {
    const arr: Nested[] = [];
    const indexes = numeric.map(Number).sort((a, b) => a - b);
    indexes.forEach((idx, i) => {
      const at = path ? `${path}.${idx}` : String(idx);
      if (idx !== i) throw invalidParameter(at.replace(/\d+$/, String(i)), 'present: array indexes start at 0 with no gaps', '存在：数组下标须从 0 开始且连续');
      arr.push(build(node.children.get(String(idx)) as Node, at));
    });
    return arr;
  }
  if (numeric.length > 0) {
    const at = path ? `${path}.${numeric[0]}` : String(numeric[0]);
    throw invalidParameter(at, 'either an array element or a member name, not both', '数组元素或成员名之一，不能混用');
  }
  const obj = bareObject<Nested>();
  for (const [k, child] of node.children) obj[k] = build(child, path ? `${path}.${k}` : k);
  return obj;
}
