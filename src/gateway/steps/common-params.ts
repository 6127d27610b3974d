/**
 * Step: the common parameters (Action, Version, Region, Timestamp, Token, Language).
 *
 * TC3 sends them as X-TC-* headers; v1 as ordinary parameters next to the action's own, which
 * are then set aside so that validation sees only the action's parameters. The request's
 * language is decided here, as early as possible, so that even the errors of later steps
 * speak it.
 */
import { missingParameter } from '../../shared/errors.ts';
import type { Language } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';
import { parseForm } from '../protocol/form.ts';
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
  const pairs = parseForm(raw);
  const get = (name: string) => pairs.find(([k]) => k === name)?.[1];
  ex.language = languageOf(get('Language'));
  ex.common = {
    action: required(get('Action'), 'Action'),
    version: required(get('Version'), 'Version'),
    region: get('Region') ?? '',
    timestamp: required(get('Timestamp'), 'Timestamp'),
    ...(get('Token') ? { token: get('Token') as string } : {}),
    v1Pairs: pairs,
  };
  ex.params = pairs.filter(([k]) => !V1_COMMON.has(k));
  ex.paramsSource = 'flat';
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}
