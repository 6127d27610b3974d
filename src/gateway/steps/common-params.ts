/**
 * Step: the common parameters (Action, Version, Region, Timestamp, Token, Language).
 *
 * TC3 sends them as X-TC-* headers; v1 as ordinary parameters next to the action's own, which
 * are then set aside so that validation sees only the action's parameters. The request's
 * language is decided here, as early as possible, so that even the errors of later steps
 * speak it.
 *
 * A v1 request is checked cheapest-first, before its signature is computed: the number of
 * pairs is counted on the raw text before anything is decoded (a 1 MB body of 255,000 pairs is
 * refused after one scan), then each common parameter must appear once (`Action=DescribeZones&
 * Action=TerminateInstances` is refused, not served with the first) and hold storable text,
 * then the action parameters' shape (protocol/input-limits.ts). Only then does `authenticate`
 * sort and sign — so a refused request never costs more than a valid one of the same size.
 */
import { ApiError, invalidParameter, missingParameter } from '../../shared/errors.ts';
import type { Language } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';
import { parseForm } from '../protocol/form.ts';
import { checkStorable } from '../protocol/hostile.ts';
import { INPUT_LIMITS, checkFlatShape } from '../protocol/input-limits.ts';
import { mediaType } from './detect-protocol.ts';

/** v1 parameters that belong to the protocol, never to an action. */
export const V1_COMMON = new Set([
  'Action', 'Version', 'Region', 'Timestamp', 'Nonce', 'SecretId', 'Signature', 'SignatureMethod',
  'Token', 'Language', 'RequestClient',
]);

export function languageOf(value: string | undefined): Language {
  return value === 'zh-CN' ? 'zh-CN' : 'en-US';
}

export function readCommonParams(ex: Exchange, deps?: GatewayDeps): void {
  if (ex.protocol === 'session') readSession(ex, deps!);
  else if (ex.protocol === 'tc3') readTc3(ex);
  else readV1(ex);
}

function readTc3(ex: Exchange): void {
  ex.language = languageOf(header(ex, 'x-tc-language'));
  ex.common = {
    action: required(header(ex, 'x-tc-action'), 'X-TC-Action'),
    version: required(header(ex, 'x-tc-version'), 'X-TC-Version'),
    region: header(ex, 'x-tc-region') ?? '',
    timestamp: required(header(ex, 'x-tc-timestamp'), 'X-TC-Timestamp'),
    ...(header(ex, 'x-tc-token') ? { token: header(ex, 'x-tc-token') as string } : {}),
  };
}

/** The console sends TC3's headers without the signature; its timestamp is not checked (nothing is signed). */
function readSession(ex: Exchange, deps: GatewayDeps): void {
  ex.language = languageOf(header(ex, 'x-tc-language'));
  ex.common = {
    action: required(header(ex, 'x-tc-action'), 'X-TC-Action'),
    version: required(header(ex, 'x-tc-version'), 'X-TC-Version'),
    region: header(ex, 'x-tc-region') ?? '',
    timestamp: header(ex, 'x-tc-timestamp') || String(Math.floor(deps.clock() / 1000)),
  };
}

function readV1(ex: Exchange): void {
  const raw = ex.request.method === 'GET' || mediaType(ex) !== 'application/x-www-form-urlencoded'
    ? ex.request.rawQuery
    : ex.request.body.toString('utf8');
  capPairs(raw, INPUT_LIMITS.maxPairs + V1_COMMON.size);
  const pairs = parseForm(raw);
  const common = new Map<string, string>();
  const params: Array<[string, string]> = [];
  for (const pair of pairs) {
    const [key, value] = pair;
    if (!V1_COMMON.has(key)) {
      params.push(pair);
      continue;
    }
    if (common.has(key)) {
      throw invalidParameter(key, 'given once: a common parameter may not be repeated', '只出现一次：公共参数不能重复');
    }
    checkStorable(value, key);
    common.set(key, value);
  }
  checkFlatShape(params);
  const get = (name: string) => common.get(name);
  ex.language = languageOf(get('Language'));
  ex.common = {
    action: required(get('Action'), 'Action'),
    version: required(get('Version'), 'Version'),
    region: get('Region') ?? '',
    timestamp: required(get('Timestamp'), 'Timestamp'),
    ...(get('Token') ? { token: get('Token') as string } : {}),
    v1Pairs: pairs,
    secretId: get('SecretId') ?? '',
    signature: get('Signature') ?? '',
  };
  ex.params = params;
  ex.paramsSource = 'flat';
}

/**
 * Refuses a form text of more than `max` pairs, counted on the raw text (one indexOf scan, no
 * decoding), so an oversized request is turned away before it costs anything more.
 */
export function capPairs(raw: string, max: number): void {
  let parts = raw === '' ? 0 : 1;
  for (let at = raw.indexOf('&'); at >= 0; at = raw.indexOf('&', at + 1)) parts++;
  if (parts > max) {
    throw new ApiError('InvalidParameter', {
      en: `The request carries ${parts} parameters; at most ${max} are accepted.`,
      zh: `请求包含 ${parts} 个参数，最多接受 ${max} 个。`,
    });
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}
