/**
 * Signature v1 (HmacSHA1 / HmacSHA256).
 *
 * Every parameter travels flattened in the query string or a form body. The client sorts the
 * keys as strings (so `InstanceIds.10` precedes `InstanceIds.2`), joins `key=value` with the
 * decoded values raw — `&`, `=`, spaces and Chinese included — prefixes
 * `METHOD + host-with-port + "/?"`, and sends base64(HMAC(SecretKey, that string)) as
 * `Signature`. HmacSHA256 only when SignatureMethod says so; HmacSHA1 otherwise.
 */
import { createHmac } from 'node:crypto';

export type V1Method = 'HmacSHA1' | 'HmacSHA256';

export function v1Algorithm(signatureMethod: string | undefined): V1Method {
  return signatureMethod === 'HmacSHA256' ? 'HmacSHA256' : 'HmacSHA1';
}

export function v1StringToSign(method: string, host: string, params: ReadonlyArray<readonly [string, string]>): string {
  return `${method}${host}/?${v1SortedQuery(params)}`;
}

/** The part of the string to sign after `/?` — sorted once, whichever host variant is tried. */
export function v1SortedQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const pairs = params.filter(([k]) => k !== 'Signature');
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function v1Signature(secretKey: string, algorithm: V1Method, stringToSign: string): string {
  return createHmac(algorithm === 'HmacSHA256' ? 'sha256' : 'sha1', secretKey).update(stringToSign, 'utf8').digest('base64');
}
