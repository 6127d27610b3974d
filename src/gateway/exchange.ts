/**
 * One request's journey through the gateway.
 *
 * The HTTP edge fills `request` (raw bytes, raw URL, headers); each pipeline step reads what
 * earlier steps found and adds its own finding — protocol, common parameters, principal,
 * action, typed input, result. Keeping the raw request untouched is what lets signatures be
 * verified over exactly what the client signed.
 */
import type { Member } from '../spec/model.ts';
import type { Language } from '../shared/errors.ts';
import type { Principal, ServiceDefinition } from '../services/types.ts';
import type { Source } from './protocol/validate.ts';

export interface RawRequest {
  method: string;
  /** The request target as on the request line, e.g. `/?Limit=10`. */
  url: string;
  /** Everything after the first `?` of the request line, undecoded; "" when absent. */
  rawQuery: string;
  /** Lower-case header names; repeated headers joined by ", " as node:http does. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Bytes the client sent in the body (the kept `body` stops after the largest limit). */
  bodySize: number;
  remoteAddress: string;
}

export interface CommonParams {
  action: string;
  version: string;
  region: string;
  timestamp: string;
  token?: string;
  /** v1 only: the decoded parameters in arrival order, for the sign string. */
  v1Pairs?: Array<[string, string]>;
  /** v1 only: the SecretId and Signature parameters. */
  secretId?: string;
  signature?: string;
}

export interface ResolvedAction {
  serviceName: string;
  service: ServiceDefinition;
  name: string;
  input: Member[];
  rateLimit: number;
  mutating: boolean;
  /** A read that reveals a secret (spec `returnsSecret`). */
  returnsSecret: boolean;
}

export interface Exchange {
  requestId: string;
  receivedAt: number;
  request: RawRequest;
  language: Language;
  /** `session`: the web console's call — a session cookie and CSRF token instead of a signature. */
  protocol?: 'tc3' | 'v1' | 'session';
  common?: CommonParams;
  /** The signature as sent, once verified (for repeats and signature binding). */
  signature?: string;
  /** This request claimed its repeat record (steps/guard-repeat.ts): settle it when done. */
  repeat?: { key: string };
  /** This request repeats an earlier one: the RequestId whose answer it was given (not executed). */
  repeatOf?: string;
  /** TC3: the headers the signature covers (lower case), as SignedHeaders lists them. */
  signedHeaders?: string[];
  /** Service name claimed by the TC3 credential scope (any string the SDK chose). */
  scopeService?: string;
  principal?: Principal;
  action?: ResolvedAction;
  /** Action parameters before validation, and how they travelled. */
  params?: unknown;
  paramsSource?: Source;
  input?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

export function header(ex: Exchange, name: string): string | undefined {
  const v = ex.request.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
