/**
 * Monitoring-agent credentials (migration 0041). A token is `bmsagent.<instance id>.<secret>`:
 * the instance id tells the push endpoint which row to compare with, the secret is 32 random
 * bytes; only its SHA-256 is stored, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { Tx } from '../store.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Creates the instance's credential, or replaces it (a reinstall rotates it); returns the token. */
export async function issueAgentToken(db: Kysely<Database>, instanceId: string, accountUin: string, now: number): Promise<string> {
  const token = `bmsagent.${instanceId}.${randomBytes(32).toString('base64url')}`;
  await db.insertInto('monitor_agents')
    .values({ instance_id: instanceId, account_uin: accountUin, token_sha256: sha256(token), created_at: now, rotated_at: now })
    .onConflict((oc) => oc.column('instance_id').doUpdateSet({ token_sha256: sha256(token), rotated_at: now }))
    .execute();
  return token;
}

export async function revokeAgentToken(db: Kysely<Database>, instanceId: string): Promise<void> {
  await db.deleteFrom('monitor_agents').where('instance_id', '=', instanceId).execute();
}

/** The instance a token belongs to, or undefined when it is not (or no longer) valid. */
export async function instanceOfAgentToken(db: Kysely<Database>, token: string): Promise<string | undefined> {
  const m = /^bmsagent\.([a-z]+-[a-z0-9]+)\.[A-Za-z0-9_-]{43}$/.exec(token);
  if (!m) return undefined;
  const row = await db.selectFrom('monitor_agents').select(['instance_id', 'token_sha256']).where('instance_id', '=', m[1]!).executeTakeFirst();
  if (!row) return undefined;
  const a = Buffer.from(row.token_sha256, 'hex');
  const b = Buffer.from(sha256(token), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? row.instance_id : undefined;
}

/** Whether `instanceId` exists and has not been returned (an agent of a returned instance is refused). */
export async function isLiveInstance(db: Tx, instanceId: string): Promise<boolean> {
  return (await db.selectFrom('instances').select('id').where('id', '=', instanceId).where('deleted_at', 'is', null).executeTakeFirst()) !== undefined;
}

/** Whether `instanceId` existed and has been returned. */
export async function isReturnedInstance(db: Tx, instanceId: string): Promise<boolean> {
  const row = await db.selectFrom('instances').select('deleted_at').where('id', '=', instanceId).executeTakeFirst();
  return row !== undefined && row.deleted_at !== null;
}
