/**
 * Input no store can hold, and names no object may carry.
 *
 * PostgreSQL refuses a NUL (U+0000) in `text` ("invalid byte sequence for encoding UTF8: 0x00")
 * while SQLite stores it; a lone UTF-16 surrogate (half of a pair, as JSON's `"\ud800"` can
 * write) has no UTF-8 form at all. Both are refused as InvalidParameterValue naming the
 * parameter, before any step could hand them to a store — so both backends answer alike.
 *
 * `__proto__`, `constructor` and `prototype` are refused as parameter names (JSON members and
 * every segment of a flat name): on an ordinary object `obj["__proto__"] = x` replaces its
 * prototype, which is how `__proto__.Limit=1` once became `Limit`. Decoded parameters are built
 * on objects without a prototype (`Object.create(null)`) as well, so no name reaches one.
 */
import { invalidParameter, invalidParameterValue } from '../../shared/errors.ts';

export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A lone high or low surrogate (a well-formed pair is one code point under the u flag). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `value` cannot be stored, or undefined when it can. */
export function unstorable(value: string): { en: string; zh: string } | undefined {
  if (value.includes('\0')) return { en: 'it contains a NUL character (U+0000)', zh: '包含 NUL 字符（U+0000）' };
  if (LONE_SURROGATE.test(value)) return { en: 'it contains a lone UTF-16 surrogate (not valid Unicode text)', zh: '包含不成对的 UTF-16 代理项（不是合法的 Unicode 文本）' };
  return undefined;
}

/** Throws InvalidParameterValue naming `path` when `value` cannot be stored. */
export function checkStorable(value: string, path: string): void {
  const why = unstorable(value);
  if (why) throw invalidParameterValue(path, why.en, why.zh);
}

/** Throws InvalidParameter when `name` may not name a parameter (`path` names where it was). */
export function checkName(name: string, path: string): void {
  if (FORBIDDEN_NAMES.has(name)) {
    throw invalidParameter(path, `named otherwise: "${name}" is not accepted as a parameter name`, `使用其他名称："${name}" 不能作为参数名`);
  }
}

/** A fresh object without a prototype, for decoded parameters. */
export function bareObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
