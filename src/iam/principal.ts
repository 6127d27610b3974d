/** Who is calling: the account, the user and the key a request was signed with. */
import type { PolicyDocument } from './policy/document.ts';

export interface Principal {
  accountUin: string;
  appId: number;
  accountKind: 'tenant' | 'operator';
  userId: string;
  userUin: string;
  isRoot: boolean;
  secretId: string;
  /**
   * The CAM policies the key acts under, loaded with the key (src/iam/credential-resolver.ts):
   * a non-root user's attached policies, plus a temporary key's session policy. Absent = none.
   */
  policies?: PolicyDocument[];
}
