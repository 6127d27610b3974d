/**
 * Limits on the shape of action parameters, checked before they are parsed or rebuilt.
 *
 * SPEC §2 caps the size of a request (32 KB GET, 1 MB v1 POST, 10 MB TC3 POST), but within
 * 10 MB a JSON body can nest a million levels, hold millions of values or one 9 MB string, and a
 * flat body can carry a key of thousands of dot-separated segments — each of which would cost
 * the parser, the unflattener or the validator far more than the request is worth (or overflow
 * the stack). No action needs anything near these limits: the deepest spec structure is four
 * levels, the longest list a few hundred values. Requests beyond them get a clear
 * InvalidParameter naming the limit, before any work is done.
 *
 * `checkJsonShape` is one linear pass over the text without building anything: brackets give
 * the depth, commas count the values, and each member name's length is measured (raw, escapes
 * included) — string ends found with indexOf, so long strings are cheap to skip.
 *
 * Long string *values* are checked after parsing, and only where the action defines a member
 * (`checkStringValues`): a long value under an unknown name is reported as that unknown name
 * (names before values, as the validator does), and a long value of a real member stops here —
 * before the validator counts its characters, which for a 10 MB string costs half a second.
 */
import type { Member, Structure } from '../../spec/model.ts';
import { ApiError, invalidParameter, malformedBody } from '../../shared/errors.ts';

export const INPUT_LIMITS = {
  /** Nesting of JSON arrays and objects. */
  maxDepth: 16,
  /** Values (scalars and containers) in one JSON body. */
  maxValues: 20_000,
  /** Characters in one parameter value (JSON or flat) or flat key. */
  maxStringLength: 64 * 1024,
  /** Characters in one JSON member name. */
  maxNameLength: 1024,
  /** `key=value` pairs of a flat (GET, v1, form) request. */
  maxPairs: 10_000,
  /** Dot-separated segments of a flat key (`Filters.0.Values.1` has 4). */
  maxKeySegments: 16,
} as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Throws InvalidParameter when the JSON text is nested too deep, holds too many values or too long a name. */
export function checkJsonShape(text: string): void {
  const { maxDepth, maxValues, maxNameLength } = INPUT_LIMITS;
  let depth = 0;
  let values = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end - i - 1 > maxNameLength && isName(text, end)) throw malformedBody(`the member name at offset ${i} is longer than ${maxNameLength} characters`);
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) throw malformedBody(`it nests arrays and objects more than ${maxDepth} levels deep`);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA && ++values > maxValues) {
      throw malformedBody(`it holds more than ${maxValues} values`);
    }
  }
}

/** Index of the quote closing the string opened at `start` (or the text's end if unclosed). */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return j;
    j++;
  }
}

/** Whether the string closed at `end` is a member name (a colon follows). */
function isName(text: string, end: number): boolean {
  let j = end + 1;
  while (j < text.length && text.charCodeAt(j) <= 0x20) j++;
  return text.charCodeAt(j) === COLON;
}

/**
 * Throws InvalidParameter naming the first member (by wire path) whose string value is longer
 * than the limit. Walks only the members the spec defines; everything else is the validator's.
 */
export function checkStringValues(members: Member[], objects: Record<string, Structure>, input: unknown, prefix = ''): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const { maxStringLength } = INPUT_LIMITS;
  for (const m of members) {
    const value = (input as Record<string, unknown>)[m.name];
    if (value === undefined || value === null) continue;
    const items = m.array && Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const path = m.array && Array.isArray(value) ? `${prefix}${m.name}.${i}` : `${prefix}${m.name}`;
      if (typeof item === 'string' && item.length > maxStringLength) {
        throw invalidParameter(path, `a string of at most ${maxStringLength} characters (got ${item.length})`, `不超过 ${maxStringLength} 个字符的字符串（实际 ${item.length} 个）`);
      }
      const struct = m.type === 'Object' ? objects[m.ref!] : undefined;
      if (struct) checkStringValues(struct.members, objects, item, `${path}.`);
    });
  }
}

/** Throws InvalidParameter when flat parameters are too many, or a key or value too long. */
export function checkFlatShape(pairs: ReadonlyArray<readonly [string, string]>): void {
  const { maxPairs, maxKeySegments, maxStringLength } = INPUT_LIMITS;
  if (pairs.length > maxPairs) {
    throw new ApiError('InvalidParameter', {
      en: `The request carries ${pairs.length} parameters; at most ${maxPairs} are accepted.`,
      zh: `请求包含 ${pairs.length} 个参数，最多接受 ${maxPairs} 个。`,
    });
  }
  for (const [key, value] of pairs) {
    const name = key.length > 80 ? `${key.slice(0, 80)}…` : key;
    if (key.length > maxStringLength) throw invalidParameter(name, `a name of at most ${maxStringLength} characters`, `不超过 ${maxStringLength} 个字符的参数名`);
    if (segments(key) > maxKeySegments) {
      throw invalidParameter(name, `a name of at most ${maxKeySegments} dot-separated segments`, `不超过 ${maxKeySegments} 段（以点分隔）的参数名`);
    }
    if (value.length > maxStringLength) {
      throw invalidParameter(name, `at most ${maxStringLength} characters long (got ${value.length})`, `不超过 ${maxStringLength} 个字符（实际 ${value.length} 个）`);
    }
  }
}

function segments(key: string): number {
  let n = 1;
  for (let i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) n++;
  return n;
}
