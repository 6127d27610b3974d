/**
 * Policy management for an account: create (validating the document), delete, attach to and
 * detach from users, and loading the documents a key acts under.
 *
 * PolicyIds are numbers, as in CAM, from a store sequence (unique across processes). A policy
 * belongs to one account; another account's PolicyId is ResourceNotFound. Policies attach to
 * sub-users only: the root user holds every right already. Changes reach signing keys within
 * the credential cache's second (src/iam/credential-resolver.ts).
 */
import { ConflictError } from '../store/errors.ts';
import {
  attachedDocuments, attachPolicy, deletePolicies, detachPolicy, findPolicyByName, getPolicy, getSessionPolicy, insertPolicy, type Policy,
} from '../store/repos/policies.ts';
import { nextValues } from '../store/repos/sequences.ts';
import type { User } from '../store/repos/users.ts';
import type { Store, Tx } from '../store/store.ts';
import { badPolicyName, policyDocumentRejected, policyNameTaken, policyNotFound, rootUserTarget } from './errors.ts';
import { parsePolicyDocument, PolicyDocumentError, type PolicyDocument } from './policy/document.ts';

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** The parsed document, or InvalidParameterValue naming `param` and the spot inside the document. */
export function documentParam(param: string, text: string): PolicyDocument {
  try {
    return parsePolicyDocument(text);
  } catch (e) {
    throw e instanceof PolicyDocumentError ? policyDocumentRejected(param, e) : e;
  }
}

export async function createPolicy(
  store: Store, accountUin: string, p: { name: string; document: string; description?: string | undefined }, now: number,
): Promise<number> {
  if (!POLICY_NAME.test(p.name)) throw badPolicyName(p.name);
  documentParam('PolicyDocument', p.document);
  return store.transaction(async (tx) => {
    const existing = await findPolicyByName(tx, accountUin, p.name);
    if (existing) throw policyNameTaken(p.name, existing.id);
    const id = await nextValues(tx, 'cam-policy', 1, 100_000_000);
    await insertPolicy(tx, { id, accountUin, name: p.name, document: p.document, description: p.description ?? '', createdAt: now, updatedAt: now })
      .catch((e: unknown) => {
        throw e instanceof ConflictError ? policyNameTaken(p.name) : e;
      });
    return id;
  });
}

export async function policyOf(db: Tx, accountUin: string, id: number): Promise<Policy> {
  const policy = await getPolicy(db, accountUin, id);
  if (!policy) throw policyNotFound(id);
  return policy;
}

/** Deletes every listed policy (detaching it first), or none when one does not exist. */
export async function deleteAccountPolicies(store: Store, accountUin: string, ids: number[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const id of ids) await policyOf(tx, accountUin, id);
    await deletePolicies(tx, accountUin, [...new Set(ids)]);
  });
}

export async function attachToUser(store: Store, accountUin: string, policyId: number, user: User, now: number): Promise<void> {
  if (user.isRoot) throw rootUserTarget('AttachUin', 'holds every right in its account; policies attach to sub-users', '拥有账号内的全部权限，策略只能关联到子用户');
  await store.transaction(async (tx) => {
    await policyOf(tx, accountUin, policyId);
    await attachPolicy(tx, user.id, policyId, now);
  });
}

/** Detaches; ResourceNotFound when the policy does not exist or is not attached to the user. */
export async function detachFromUser(store: Store, accountUin: string, policyId: number, user: User): Promise<void> {
  await store.transaction(async (tx) => {
    await policyOf(tx, accountUin, policyId);
    if (!(await detachPolicy(tx, user.id, policyId))) throw policyNotFound(policyId);
  });
}

/** What a key acts under: the user's attached policies (none for root) and a temporary key's session policy. */
export async function policiesForKey(
  db: Tx, key: { userId: string; isRoot: boolean; secretId: string; tokenHash?: string | undefined },
): Promise<PolicyDocument[]> {
  const texts = key.isRoot ? [] : await attachedDocuments(db, key.userId);
  const docs = texts.map((t) => parsePolicyDocument(t));
  const session = key.tokenHash === undefined ? undefined : await getSessionPolicy(db, key.secretId);
  if (session !== undefined) docs.push({ ...parsePolicyDocument(session), session: true });
  return docs;
}
