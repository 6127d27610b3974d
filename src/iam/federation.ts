/**
 * Federation tokens (sts GetFederationToken): temporary credentials for the calling user,
 * optionally narrowed by a policy.
 *
 * The credentials act as the user who asked, never as more: every request they sign must be
 * allowed by the user's own rights AND by the session policy (src/iam/policy/decide.ts); a
 * session without a `Policy` carries an allow-all session policy, which still marks it as a
 * session — sessions cannot reach cam or sts, so they cannot mint permanent keys or new
 * tokens. The policy text may arrive URL-encoded, as Tencent's STS documents it.
 */
import type { Store } from '../store/store.ts';
import { putSessionPolicy } from '../store/repos/policies.ts';
import { documentParam } from './policies.ts';
import type { SecretBox } from './secret-box.ts';
import { issueTemporaryCredentials, type TemporaryCredentials } from './temporary-credentials.ts';
import { recordKeyRead, type SecretReader } from './users.ts';

const ALLOW_ALL = JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: '*', resource: '*' }] });

/** The session policy text to store: the given one (URL-decoded when it is not JSON as sent), or allow-all. */
export function sessionPolicyText(policy: string | undefined): string {
  if (policy === undefined || policy.trim() === '') return ALLOW_ALL;
  let text = policy.trim();
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // not URL-encoded either: let the parser name the problem
    }
  }
  documentParam('Policy', text);
  return text;
}

export async function issueFederationToken(
  store: Store, box: SecretBox, userId: string, opts: { policy?: string | undefined; durationSeconds: number }, reader: SecretReader,
): Promise<TemporaryCredentials> {
  const text = sessionPolicyText(opts.policy);
  return store.transaction(async (tx) => {
    const creds = await issueTemporaryCredentials(tx, box, userId, reader.now, opts.durationSeconds);
    await putSessionPolicy(tx, creds.secretId, text);
    await recordKeyRead(tx, 'temporary-credentials', creds.secretId, reader);
    return creds;
  });
}
