/**
 * The gateway pipeline: the steps every API request goes through, in order.
 *
 *   detect protocol → common parameters → authenticate → resolve action → bind signature → rate limit
 *   → authorize (the action) → decode & validate parameters → authorize (each resource)
 *   → repeat guard → dispatch → keep the answer for repeats → audit
 *
 * Each step reads and extends the `Exchange`; the first `ApiError` thrown stops the run and
 * becomes the error envelope. Any other exception is our bug: it is logged with its stack and
 * answered as InternalError, without the stack. A mutating call that fails is audited here,
 * on the error path, just as the `audit` step records the ones that succeed; and a
 * failed request's repeat claim is released there, so the same request is judged anew.
 */
import { internalError, isApiError, type ApiError } from '../shared/errors.ts';
import type { GatewayDeps } from './deps.ts';
import { errorBody, successBody } from './envelope.ts';
import type { Exchange, RawRequest } from './exchange.ts';
import { audit, recordAudit } from './steps/audit.ts';
import { authenticate } from './steps/authenticate.ts';
import { authorize } from './steps/authorize.ts';
import { authorizeResources } from './steps/authorize-resources.ts';
import { bindSignature } from './steps/bind-signature.ts';
import { readCommonParams } from './steps/common-params.ts';
import { decodeParams } from './steps/decode-params.ts';
import { detectProtocol } from './steps/detect-protocol.ts';
import { dispatch } from './steps/dispatch.ts';
import { completeRepeat, guardRepeat, releaseRepeat } from './steps/guard-repeat.ts';
import { rateLimit } from './steps/rate-limit.ts';
import { resolveAction } from './steps/resolve-action.ts';

type Step = (ex: Exchange, deps: GatewayDeps) => void | Promise<void>;

export const STEPS: ReadonlyArray<readonly [string, Step]> = [
  ['detect-protocol', detectProtocol],
  ['common-params', readCommonParams],
  ['authenticate', authenticate],
  ['resolve-action', resolveAction],
  ['bind-signature', bindSignature],
  ['rate-limit', rateLimit],
  ['authorize', authorize],
  ['decode-params', decodeParams],
  ['authorize-resources', authorizeResources],
  ['guard-repeat', guardRepeat],
  ['dispatch', dispatch],
  ['complete-repeat', completeRepeat],
  ['audit', audit],
];

export interface GatewayResponse {
  body: string;
  /** The error code, or "" on success (for the access log). */
  code: string;
  exchange: Exchange;
}

export async function handleRequest(request: RawRequest, deps: GatewayDeps): Promise<GatewayResponse> {
  const ex: Exchange = { requestId: deps.newRequestId(), receivedAt: deps.clock(), request, language: 'en-US' };
  try {
    for (const [, step] of STEPS) {
      const pending = step(ex, deps);
      if (pending) await pending; // synchronous steps cost no extra microtask turn
    }
    return { body: successBody(ex.requestId, ex.result ?? {}), code: '', exchange: ex };
  } catch (e) {
    const error = toApiError(e, ex, deps);
    await releaseRepeat(ex, deps);
    await recordAudit(ex, error.code, deps);
    return { body: errorBody(ex.requestId, error, ex.language), code: error.code, exchange: ex };
  }
}

function toApiError(e: unknown, ex: Exchange, deps: GatewayDeps): ApiError {
  if (isApiError(e)) return e;
  deps.logger.error({ requestId: ex.requestId, action: ex.common?.action, err: e }, 'unhandled error');
  return internalError();
}
