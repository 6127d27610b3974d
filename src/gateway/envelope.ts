/**
 * The response envelope: `{"Response": {...members, "RequestId"}}` on success,
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` on failure — always HTTP 200,
 * always `Content-Type: application/json` exactly (the Python SDK only detects errors then).
 */
import type { ApiError, Language } from '../shared/errors.ts';

export const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

export function successBody(requestId: string, result: Record<string, unknown>): string {
  if (Object.hasOwn(result, 'RequestId')) return JSON.stringify({ Response: { ...result, RequestId: requestId } });
  // The members as serialized, with RequestId appended: no copy of a possibly large result.
  const members = JSON.stringify(result);
  const id = JSON.stringify(requestId);
  return members === '{}' ? `{"Response":{"RequestId":${id}}}` : `{"Response":${members.slice(0, -1)},"RequestId":${id}}}`;
}

export function errorBody(requestId: string, error: ApiError, language: Language): string {
  return JSON.stringify({ Response: { Error: { Code: error.code, Message: error.messageIn(language) }, RequestId: requestId } });
}
