/**
 * The audit trail of secret reads: every time a stored secret is revealed to a caller (a
 * tenant BMC password by DescribeOutbandInfo, …) one row records who read it (account, user,
 * SecretId), which resource, with which request, from where and when. Rows are only ever
 * added; the secret itself is never part of them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** `api-key`: a new SecretKey handed out (CreateAccessKey, AddUser, CreateTenant…); `temporary-credentials`: GetFederationToken. */
export type SecretKind = 'bmc-account' | 'api-key' | 'temporary-credentials';

export interface SecretRead {
  id: string;
  kind: SecretKind;
  accountUin: string;
  userUin: string;
  secretId: string;
  resourceId: string;
  requestId: string;
  sourceIp: string;
  at: number;
}

export async function recordSecretRead(db: Kysely<Database>, r: SecretRead): Promise<void> {
  await db.insertInto('secret_reads').values({
    id: r.id, kind: r.kind, account_uin: r.accountUin, user_uin: r.userUin, secret_id: r.secretId, resource_id: r.resourceId,
    request_id: r.requestId, source_ip: r.sourceIp, at: r.at,
  }).execute();
}
