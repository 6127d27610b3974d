/**
 * The `sts` service (Tencent STS 2018-08-13 subset, SPEC §9): temporary credentials.
 *
 * It shares its version string with bms; the gateway tells them apart by the action name (and
 * the credential scope's service when the SDK sets it). Its spec is src/spec/sts.json. A
 * sub-user needs a policy granting `sts:GetFederationToken`; temporary credentials cannot call
 * it again (src/iam/policy/decide.ts).
 */
import stsSpec from '../spec/sts.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { CamDeps } from './cam/deps.ts';
import { getFederationToken } from './sts/get-federation-token.ts';
import type { ServiceDefinition } from './types.ts';

export const STS_SPEC = serviceSpecSchema.parse(stsSpec);

export function stsService(deps: CamDeps): ServiceDefinition {
  return { spec: STS_SPEC, audience: 'tenant', handlers: { GetFederationToken: getFederationToken(deps) } };
}
