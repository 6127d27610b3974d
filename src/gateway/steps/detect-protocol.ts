/**
 * Step: method, content type and protocol.
 *
 * GET and POST only. A TC3 request carries `Authorization: TC3-HMAC-SHA256 …` and its common
 * parameters in X-TC-* headers; its action parameters are the JSON body (POST) or the query
 * (GET). A v1 request carries everything, common parameters included, flattened in the query
 * (GET) or a form body (POST). multipart/form-data is valid TC3 in general, but no bms action
 * takes a file, so it is refused with a clear message rather than parsed.
 */
import { invalidAuthorization, requestTooLarge, unsupportedProtocol } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';
import { sessionToken } from './authenticate-session.ts';
import { TC3_ALGORITHM } from '../signing/tc3.ts';

export const LIMITS = { get: 32 * 1024, v1Post: 1024 * 1024, tc3Post: 10 * 1024 * 1024 } as const;

export function mediaType(ex: Exchange): string {
  return (header(ex, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export function detectProtocol(ex: Exchange, deps?: GatewayDeps): void {
  const { method } = ex.request;
  if (method !== 'GET' && method !== 'POST') {
    throw unsupportedProtocol(`The HTTP method ${method} is not supported`, `不支持 HTTP 方法 ${method}`);
  }
  const isTc3 = (header(ex, 'authorization') ?? '').startsWith(TC3_ALGORITHM);
  if (method === 'GET') {
    if (ex.request.url.length > LIMITS.get) throw requestTooLarge(ex.request.url.length, LIMITS.get, 'GET requests');
    ex.protocol = isTc3 ? 'tc3' : 'v1';
    return;
  }
  const type = mediaType(ex);
  if (type === 'multipart/form-data') {
    throw unsupportedProtocol('multipart/form-data is accepted by no bms action; send application/json', 'bms 接口不接受 multipart/form-data，请使用 application/json');
  }
  if (type === 'application/json') {
    // The web console: no signature, a session cookie (authenticate-session.ts).
    if (!isTc3 && !header(ex, 'authorization') && sessionToken(ex, deps) !== undefined) {
      ex.protocol = 'session';
      return;
    }
    if (!isTc3) throw invalidAuthorization('application/json requests must be signed with TC3-HMAC-SHA256 in the Authorization header');
    ex.protocol = 'tc3';
  } else if (type === 'application/x-www-form-urlencoded') {
    ex.protocol = isTc3 ? 'tc3' : 'v1';
  } else {
    throw unsupportedProtocol(`The Content-Type "${type || '(none)'}" is not supported for POST`, `POST 请求不支持 Content-Type "${type || '（空）'}"`);
  }
  const limit = ex.protocol === 'tc3' ? LIMITS.tc3Post : LIMITS.v1Post;
  if (ex.request.bodySize > limit) {
    throw requestTooLarge(ex.request.bodySize, limit, ex.protocol === 'tc3' ? 'TC3-HMAC-SHA256 POST requests' : 'HmacSHA1/HmacSHA256 POST requests');
  }
}
