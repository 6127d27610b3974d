/**
 * Parameter validation, interpreted from the spec.
 *
 * One walk over an action's input members checks the request and converts it into the typed
 * object the handler receives:
 *   - a name the action does not define                → UnknownParameter  (path of the name)
 *   - a required member absent                        → MissingParameter  (its path)
 *   - a value of the wrong type                       → InvalidParameter  (its path, the type)
 *   - a value outside its length, range, enum or list → InvalidParameterValue
 * Paths are wire paths (`Filters.1.Values`, `Placement.Zone`). Values that came flattened (GET,
 * v1) are strings and are converted to the member's type; JSON values must already have it, or
 * one the member `alsoAccepts` (an integer for a String member, a decimal string for an integer
 * member), converted likewise.
 * Defaults from the spec are filled in so handlers never guess.
 */
import type { Member, Structure } from '../../spec/model.ts';
import {
  invalidParameter,
  invalidParameterValue,
  missingParameter,
  unknownParameter,
} from '../../shared/errors.ts';
import { bareObject, checkName, checkStorable } from './hostile.ts';

export type Source = 'json' | 'flat';
type Objects = Record<string, Structure>;

export function validateInput(members: Member[], objects: Objects, input: unknown, source: Source): Record<string, unknown> {
  if (!isPlainObject(input)) throw invalidParameter('the request body', 'a JSON object', ' JSON 对象');
  return validateStruct(members, objects, input, source, '');
}

function validateStruct(members: Member[], objects: Objects, input: Record<string, unknown>, source: Source, prefix: string) {
  const known = new Map(members.map((m) => [m.name, m]));
  for (const key of Object.keys(input)) {
    checkName(key, prefix + key);
    if (!known.has(key)) throw unknownParameter(prefix + key);
  }
  const out = bareObject<unknown>();
  for (const m of members) {
    const path = prefix + m.name;
    const raw = Object.hasOwn(input, m.name) ? input[m.name] : undefined;
    if (isAbsent(raw, m, source)) {
      if (m.required) throw missingParameter(path);
      if (m.default !== undefined) out[m.name] = m.default;
      continue;
    }
    out[m.name] = m.array ? validateArray(m, objects, raw, source, path) : validateOne(m, objects, raw, source, path);
  }
  return out;
}

function isAbsent(raw: unknown, m: Member, source: Source): boolean {
  if (raw === undefined || raw === null) return true;
  // A flattened `Key=` for a non-string scalar is how the SDKs send `undefined` over TC3 GET.
  return source === 'flat' && raw === '' && !m.array && m.type !== 'String' && m.type !== 'Object';
}

function validateArray(m: Member, objects: Objects, raw: unknown, source: Source, path: string): unknown[] {
  if (!Array.isArray(raw)) throw invalidParameter(path, `an array of ${m.type}`, `${m.type} 数组`);
  if (m.maxItems !== undefined && raw.length > m.maxItems) {
    throw invalidParameterValue(path, `at most ${m.maxItems} elements are allowed, got ${raw.length}`, `最多 ${m.maxItems} 个元素，实际 ${raw.length} 个`);
  }
  if (m.minItems !== undefined && raw.length < m.minItems) {
    throw invalidParameterValue(path, `at least ${m.minItems} elements are required`, `至少需要 ${m.minItems} 个元素`);
  }
  const items = raw.map((item, i) => {
    if (item === null || item === undefined) throw invalidParameter(`${path}.${i}`, `a ${m.type}, not null`, `${m.type}，不能为 null`);
    return validateOne(m, objects, item, source, `${path}.${i}`);
  });
  if (m.filters) checkFilters(m, items, path);
  return items;
}

function checkFilters(m: Member, items: unknown[], path: string) {
  const allowed = m.filters ?? [];
  items.forEach((item, i) => {
    const f = item as { Name?: string; Values?: unknown[] };
    if (typeof f.Name === 'string' && !allowed.some((a) => (a.endsWith(':*') ? f.Name!.startsWith(a.slice(0, -1)) && (f.Name as string).length > a.length - 1 : a === f.Name))) {
      throw invalidParameterValue(`${path}.${i}.Name`, `"${f.Name}" is not a filter of this action; use one of ${allowed.join(', ')}`,
        `"${f.Name}" 不是本接口支持的过滤条件，可选：${allowed.join('、')}`);
    }
    const max = m.maxFilterValues;
    if (max !== undefined && Array.isArray(f.Values) && f.Values.length > max) {
      throw invalidParameterValue(`${path}.${i}.Values`, `at most ${max} values per filter, got ${f.Values.length}`, `每个过滤条件最多 ${max} 个值，实际 ${f.Values.length} 个`);
    }
  });
}

function validateOne(m: Member, objects: Objects, raw: unknown, source: Source, path: string): unknown {
  if (m.type === 'Object') {
    const struct = objects[m.ref as string];
    if (!struct) throw new Error(`spec error: ${path} refers to unknown structure ${m.ref}`);
    if (!isPlainObject(raw)) throw invalidParameter(path, `a ${m.ref} structure`, ` ${m.ref} 结构`);
    return validateStruct(struct.members, objects, raw, source, `${path}.`);
  }
  const value = coerceScalar(m, raw, source, path);
  checkLimits(m, value, path);
  return value;
}

const INTEGER = /^-?\d{1,19}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function coerceScalar(m: Member, raw: unknown, source: Source, path: string): string | number | boolean {
  const flat = source === 'flat' && typeof raw === 'string';
  switch (m.type) {
    case 'String':
      if (typeof raw === 'number' && Number.isSafeInteger(raw) && m.alsoAccepts?.some((t) => t === 'Int64' || t === 'Uint64' || t === 'Integer')) return String(raw);
      if (typeof raw !== 'string') throw invalidParameter(path, m.alsoAccepts ? `a String or an integer` : 'a String', m.alsoAccepts ? '字符串或整数' : '字符串');
      checkStorable(raw, path);
      return raw;
    case 'Datetime':
      if (typeof raw !== 'string' || !DATETIME.test(raw)) throw invalidParameter(path, 'a Datetime such as 2018-08-13T00:00:00Z', '形如 2018-08-13T00:00:00Z 的时间');
      return raw;
    case 'Bool': {
      if (typeof raw === 'boolean') return raw;
      const s = flat ? (raw as string).toLowerCase() : undefined;
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      throw invalidParameter(path, 'a Bool (true or false)', '布尔值（true 或 false）');
    }
    case 'Float': {
      const n = flat ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || (flat && (raw as string).trim() === '')) throw invalidParameter(path, 'a number', '数字');
      return n;
    }
    default: {
      const numericString = typeof raw === 'string' && (flat || m.alsoAccepts?.includes('String') === true);
      const n = numericString ? (INTEGER.test(raw as string) ? Number(raw) : NaN) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidParameter(path, `an integer (${m.type})`, `整数（${m.type}）`);
      if (!Number.isSafeInteger(n)) throw invalidParameterValue(path, 'the integer is too large', '整数超出范围');
      if (m.type === 'Uint64' && n < 0) throw invalidParameterValue(path, 'it must not be negative', '不能为负数');
      return n;
    }
  }
}

function checkLimits(m: Member, value: string | number | boolean, path: string) {
  if (typeof value === 'string') {
    const length = [...value].length;
    if (m.minLength !== undefined && length < m.minLength) {
      throw invalidParameterValue(path, `it must be at least ${m.minLength} characters long`, `长度至少为 ${m.minLength} 个字符`);
    }
    if (m.maxLength !== undefined && length > m.maxLength) {
      throw invalidParameterValue(path, `it must be at most ${m.maxLength} characters long, got ${length}`, `长度最多为 ${m.maxLength} 个字符，实际 ${length} 个`);
    }
  }
  if (typeof value === 'number') {
    if (m.minimum !== undefined && value < m.minimum) throw invalidParameterValue(path, `it must be ≥ ${m.minimum}, got ${value}`, `须不小于 ${m.minimum}，实际为 ${value}`);
    if (m.maximum !== undefined && value > m.maximum) throw invalidParameterValue(path, `it must be ≤ ${m.maximum}, got ${value}`, `须不大于 ${m.maximum}，实际为 ${value}`);
  }
  if (m.enum && !m.enum.includes(String(value))) {
    throw invalidParameterValue(path, `"${String(value)}" is not one of ${m.enum.join(', ')}`, `"${String(value)}" 不在可选值 ${m.enum.join('、')} 中`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
