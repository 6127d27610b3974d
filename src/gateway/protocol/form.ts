/**
 * `application/x-www-form-urlencoded` decoding for query strings and v1 form bodies.
 *
 * `+` is a space (Python sends it), `%XX` sequences must form valid UTF-8, and the pairs keep
 * their arrival order. A malformed escape is the client's mistake: InvalidParameter naming the key.
 */
import { invalidParameter } from '../../shared/errors.ts';

function decodeComponent(s: string, key: string): string {
  const plus = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus); // throws on a bad escape or bytes that are not UTF-8
  } catch {
    throw badEncoding(key);
  }
}

const badEncoding = (key: string) =>
  invalidParameter(key || 'the query string', 'percent-encoded UTF-8', '正确的 UTF-8 百分号编码');

export function parseForm(raw: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (raw === '') return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const key = decodeComponent(rawKey, rawKey);
    pairs.push([key, eq < 0 ? '' : decodeComponent(part.slice(eq + 1), key)]);
  }
  return pairs;
}
