/**
 * Step: refuse a replayed mutating request.
 *
 * The very same signed request of a mutating action is accepted once within the timestamp
 * window; a copy is refused. Read-only actions are exempt — two identical polls within one
 * second legitimately carry identical TC3 signatures — and a repeated Nonce alone is never
 * refused (the Node SDK draws nonces from 0–65535). The record lives in the store, so the
 * guard holds across processes.
 *
 * TC3 does not sign X-TC-Action (nor version or region): StopInstances and StartInstances of the
 * same instance in the same second carry the same signature. So the record is the signature
 * together with the service and action it was used for — otherwise a legitimate Start right
 * after a Stop would be taken for a replay.
 *
 * The guard runs after validation, so it can recognise requests that are harmless to repeat:
 * those carrying a ClientToken answer a copy with the first result, whatever the signature.
 */
import { signatureFailure } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';
import { TIMESTAMP_WINDOW_SECONDS } from './authenticate.ts';

export function guardReplay(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (!ex.action!.mutating || !ex.signature) return; // reads are exempt: stay synchronous
  return remember(ex, deps);
}

async function remember(ex: Exchange, deps: GatewayDeps): Promise<void> {
  // A request carrying a ClientToken is idempotent by construction: a copy gets the first answer.
  if (typeof ex.input?.ClientToken === 'string' && ex.input.ClientToken !== '') return;
  const expiresAt = (Number(ex.common!.timestamp) + TIMESTAMP_WINDOW_SECONDS + 1) * 1000;
  const { serviceName, name } = ex.action!;
  if (!(await deps.replays.remember(`${ex.signature}/${serviceName}/${name}/${ex.common!.region}`, expiresAt))) {
    throw signatureFailure('this exact signed request was already received (replayed); sign each request anew',
      '该签名请求已被处理过（重放），请重新签名后再发送');
  }
}
