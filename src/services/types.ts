/**
 * What a service handler sees: a call context and typed parameters — never HTTP.
 *
 * The gateway authenticates, validates and converts the request, then calls
 * `handler(ctx, params)`; the handler returns the response members (without RequestId) or
 * throws an `ApiError`. A service is its spec plus one handler per action of the spec.
 */
import type { ServiceSpec } from '../spec/model.ts';
import type { Language } from '../shared/errors.ts';
import type { Principal } from '../iam/principal.ts';

export type { Principal } from '../iam/principal.ts';

export interface CallContext {
  requestId: string;
  principal: Principal;
  /** The request's region; empty for actions that take none (DescribeRegions). */
  region: string;
  language: Language;
  /** Milliseconds since the epoch at which the request arrived (injected clock). */
  now: number;
  sourceIp: string;
}

export type Params = Record<string, unknown>;
export type Handler = (ctx: CallContext, params: Params) => Promise<Record<string, unknown>>;

export interface ServiceDefinition {
  spec: ServiceSpec;
  /** `operator` services accept operator credentials only. */
  audience: 'tenant' | 'operator';
  handlers: Record<string, Handler>;
}
