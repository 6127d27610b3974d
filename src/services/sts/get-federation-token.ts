/**
 * GetFederationToken: temporary credentials for the caller, valid 900–7200 s, acting with the
 * caller's rights narrowed by `Policy` (src/iam/federation.ts). The TmpSecretKey and Token are
 * returned once; the issue is recorded as a secret read.
 */
import type { GetFederationTokenRequest } from '../../generated/sts.ts';
import { issueFederationToken } from '../../iam/federation.ts';
import { readerOf } from '../../iam/users.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import type { CamDeps } from '../cam/deps.ts';
import type { Handler } from '../types.ts';

const NAME = /^[\w+=,.@-]{2,32}$/;

export function getFederationToken({ store, box }: CamDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as GetFederationTokenRequest;
    if (!NAME.test(p.Name)) throw invalidParameterValue('Name', `"${p.Name}" may contain only letters, digits and + = , . @ _ -`, `"${p.Name}" 只能包含字母、数字及 + = , . @ _ -`);
    const creds = await issueFederationToken(store, box, ctx.principal.userId, { policy: p.Policy, durationSeconds: p.DurationSeconds ?? 1800 }, readerOf(ctx));
    return {
      Credentials: { Token: creds.token, TmpSecretId: creds.secretId, TmpSecretKey: creds.secretKey },
      ExpiredTime: Math.floor(creds.expiresAt / 1000),
      Expiration: isoTime(creds.expiresAt),
    };
  };
}
