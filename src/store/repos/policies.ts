/**
 * CAM policies of an account, their attachments to users, and the session policies that
 * narrow temporary keys. Documents are stored as the JSON text that was submitted (already
 * validated by src/iam/policy); they are parsed again when a key is resolved.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, PoliciesTable } from '../schema.ts';

export interface Policy {
  id: number;
  accountUin: string;
  name: string;
  document: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface PolicySummary extends Policy {
  /** How many users it is attached to. */
  attachments: number;
}

export interface Attachment {
  policy: Policy;
  attachedAt: number;
}

/** Inserts `policy`; throws ConflictError when the account already has a policy of that name. */
export async function insertPolicy(db: Kysely<Database>, p: Policy): Promise<void> {
  await translatingConflicts(db.insertInto('policies').values({
    id: p.id, account_uin: p.accountUin, name: p.name, document: p.document, description: p.description, created_at: p.createdAt, updated_at: p.updatedAt,
  }).execute());
}

export async function getPolicy(db: Kysely<Database>, accountUin: string, id: number): Promise<Policy | undefined> {
  const row = await db.selectFrom('policies').selectAll().where('account_uin', '=', accountUin).where('id', '=', id).executeTakeFirst();
  return row && toPolicy(row);
}

export async function findPolicyByName(db: Kysely<Database>, accountUin: string, name: string): Promise<Policy | undefined> {
  const row = await db.selectFrom('policies').selectAll().where('account_uin', '=', accountUin).where('name', '=', name).executeTakeFirst();
  return row && toPolicy(row);
}

/** The account's policies whose name or description contains `keyword`, oldest first, a page at a time. */
export async function listPolicies(
  db: Kysely<Database>, accountUin: string, q: { keyword?: string; offset: number; limit: number },
): Promise<{ total: number; items: PolicySummary[] }> {
  let base = db.selectFrom('policies').where('account_uin', '=', accountUin);
  if (q.keyword) {
    const like = `%${q.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) => eb.or([eb('name', 'like', like), eb('description', 'like', like)]));
  }
  const { total } = await base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('policies')
    .select((eb) => eb.selectFrom('user_policies as up').select((e) => e.fn.countAll().as('n')).whereRef('up.policy_id', '=', 'policies.id').as('attachments'))
    .orderBy('created_at').orderBy('id').limit(q.limit).offset(q.offset).execute();
  return { total: Number(total), items: rows.map((r) => ({ ...toPolicy(r), attachments: Number(r.attachments ?? 0) })) };
}

/** Deletes the policies and their attachments. */
export async function deletePolicies(db: Kysely<Database>, accountUin: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('user_policies').where('policy_id', 'in', ids).execute();
  await db.deleteFrom('policies').where('account_uin', '=', accountUin).where('id', 'in', ids).execute();
}

/** Attaches (idempotently); false when it was already attached. */
export async function attachPolicy(db: Kysely<Database>, userId: string, policyId: number, now: number): Promise<boolean> {
  const result = await db.insertInto('user_policies').values({ user_id: userId, policy_id: policyId, attached_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'policy_id']).doNothing()).executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Detaches; false when it was not attached. */
export async function detachPolicy(db: Kysely<Database>, userId: string, policyId: number): Promise<boolean> {
  const result = await db.deleteFrom('user_policies').where('user_id', '=', userId).where('policy_id', '=', policyId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function detachAllFromUser(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('user_policies').where('user_id', '=', userId).execute();
}

/** The policies attached to the user, in attachment order, a page at a time. */
export async function listAttachments(
  db: Kysely<Database>, userId: string, page: { offset: number; limit: number },
): Promise<{ total: number; items: Attachment[] }> {
  const base = db.selectFrom('user_policies as up').innerJoin('policies as p', 'p.id', 'up.policy_id').where('up.user_id', '=', userId);
  const { total } = await base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('p').select('up.attached_at').orderBy('up.attached_at').orderBy('p.id')
    .limit(page.limit).offset(page.offset).execute();
  return { total: Number(total), items: rows.map((r) => ({ policy: toPolicy(r), attachedAt: Number(r.attached_at) })) };
}

/** The document texts of every policy attached to the user (what its keys are allowed to do). */
export async function attachedDocuments(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('user_policies as up').innerJoin('policies as p', 'p.id', 'up.policy_id')
    .select('p.document').where('up.user_id', '=', userId).orderBy('p.id').execute();
  return rows.map((r) => r.document);
}

export async function putSessionPolicy(db: Kysely<Database>, secretId: string, document: string): Promise<void> {
  await db.insertInto('session_policies').values({ secret_id: secretId, document }).execute();
}

export async function getSessionPolicy(db: Kysely<Database>, secretId: string): Promise<string | undefined> {
  const row = await db.selectFrom('session_policies').select('document').where('secret_id', '=', secretId).executeTakeFirst();
  return row?.document;
}

export async function deleteSessionPolicies(db: Kysely<Database>, secretIds: string[]): Promise<void> {
  if (secretIds.length === 0) return;
  await db.deleteFrom('session_policies').where('secret_id', 'in', secretIds).execute();
}

function toPolicy(row: Selectable<PoliciesTable>): Policy {
  return {
    id: Number(row.id), accountUin: row.account_uin, name: row.name, document: row.document, description: row.description,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}
