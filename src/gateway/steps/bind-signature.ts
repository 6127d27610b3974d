/**
 * Step: a signature serves one purpose.
 *
 * The official SDKs sign only `content-type` and `host` with TC3, not `X-TC-Action` (nor the
 * version or region). A captured signed `DescribeInstances {"InstanceIds":["bms-x"]}` re-sent
 * within its window with only `X-TC-Action: TerminateInstances` changed verifies just the same —
 * so would the same body dressed as another service's call. So, when X-TC-Action is not among
 * the signed headers, the first use of a signature fixes its purpose (service and action, kept
 * in the store until the window ends, so every process agrees): it may be used again only for
 * that action, or for a read that reveals no secret (the vendor's provider terminates and then
 * polls DescribeInstances with byte-identical bodies in the same second). Any other mutating
 * action or service, and a read that returns a secret (`returnsSecret` in the spec:
 * DescribeOutbandInfo — a captured DescribeOutbandIP must not become one), is refused with
 * AuthFailure.SignatureFailure telling the caller to sign again.
 *
 * A request that signs X-TC-Action (our SDK, CLI and console always do; TC3 allows extra signed
 * headers) is bound by its signature and skips all this. An account may require it
 * (bmsops SetAccountSecurity RequireSignedAction, with an operator default for new accounts):
 * its mutating calls without a signed X-TC-Action are refused. v1 signs every parameter,
 * Action included, so v1 requests are bound by construction.
 *
 * Runs right after `resolve-action`, before anything can fail, so a first use is recorded even
 * when the request is then refused (a rate-limited read still fixes its signature's purpose).
 */
import { signatureFailure } from '../../shared/errors.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';
import { TIMESTAMP_WINDOW_SECONDS } from './authenticate.ts';

export function bindSignature(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (ex.protocol !== 'tc3' || !ex.signature || ex.signedHeaders?.includes('x-tc-action')) return;
  const { serviceName, name, mutating, returnsSecret } = ex.action!;
  const expiresAt = (Number(ex.common!.timestamp) + TIMESTAMP_WINDOW_SECONDS + 1) * 1000;
  const first = deps.binding.firstUse(ex.signature, { service: serviceName, action: name }, expiresAt);
  if (!mutating && !returnsSecret) {
    // A read that reveals nothing is allowed whatever the signature's first use was: it only has
    // to be recorded (this process knows at once; the store write does not hold the read back).
    if (first instanceof Promise) first.catch((err: unknown) => deps.logger.error({ requestId: ex.requestId, err }, 'recording a signature use failed'));
    return;
  }
  const required = mutating ? deps.binding.requiresSignedAction(ex.principal!.accountUin) : false;
  if (!(first instanceof Promise) && !(required instanceof Promise)) return judge(ex, first, required);
  return Promise.all([first, required]).then(([f, r]) => judge(ex, f, r));
}

function judge(ex: Exchange, first: { service: string; action: string }, required: boolean): void {
  const { serviceName, name, mutating, returnsSecret } = ex.action!;
  if (required) {
    throw signatureFailure(
      'this account requires X-TC-Action among the signed headers of every mutating call (SignedHeaders=content-type;host;x-tc-action); sign the request again with it',
      '该账号要求写接口的签名包含 X-TC-Action（SignedHeaders=content-type;host;x-tc-action），请包含该请求头重新签名');
  }
  if (first.service === serviceName && first.action === name) return;
  if (!mutating && !returnsSecret) return;
  throw signatureFailure(
    `this signature was first used for ${first.service}:${first.action} and X-TC-Action is not signed, so it may serve only that action or a read; sign this ${serviceName}:${name} request again (or sign X-TC-Action)`,
    `该签名已用于 ${first.service}:${first.action}，且未签名 X-TC-Action，只能再用于该接口或只读接口；请为 ${serviceName}:${name} 重新签名（或签名 X-TC-Action）`);
}
