/**
 * CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, AttachUserPolicy, DetachUserPolicy,
 * ListAttachedUserPolicies: the account's CAM policies (root only).
 *
 * The document is validated when it is created (src/iam/policy/document.ts); a mistake is
 * InvalidParameterValue naming the spot (`PolicyDocument: statement[0].action[1]: …`). This
 * service has no preset (QCS) policies, so Scope=QCS lists nothing.
 */
import type {
  AttachUserPolicyRequest, CreatePolicyRequest, DeletePolicyRequest, DetachUserPolicyRequest, GetPolicyRequest, ListAttachedUserPoliciesRequest,
  ListPoliciesRequest,
} from '../../generated/cam.ts';
import { attachToUser, createPolicy as create, deleteAccountPolicies, detachFromUser, policyOf } from '../../iam/policies.ts';
import { userByUin } from '../../iam/users.ts';
import { isoTime } from '../../shared/ids.ts';
import { listAttachments, listPolicies as list } from '../../store/repos/policies.ts';
import type { Handler } from '../types.ts';
import type { CamDeps } from './deps.ts';
import { pageOf, requireRoot } from './guards.ts';
import { attachmentView, policySummaryView } from './views.ts';

export function createPolicy({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'CreatePolicy');
    const p = params as unknown as CreatePolicyRequest;
    const id = await create(store, ctx.principal.accountUin, { name: p.PolicyName, document: p.PolicyDocument, description: p.Description }, ctx.now);
    return { PolicyId: id };
  };
}

export function getPolicy({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'GetPolicy');
    const policy = await policyOf(store.db, ctx.principal.accountUin, (params as unknown as GetPolicyRequest).PolicyId);
    return {
      PolicyName: policy.name, Description: policy.description, Type: 1, AddTime: isoTime(policy.createdAt), UpdateTime: isoTime(policy.updatedAt),
      PolicyDocument: policy.document,
    };
  };
}

export function listPolicies({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'ListPolicies');
    const p = params as unknown as ListPoliciesRequest;
    if (p.Scope === 'QCS') return { TotalNum: 0, List: [], ServiceTypeList: [] };
    const { total, items } = await list(store.db, ctx.principal.accountUin, { ...(p.Keyword ? { keyword: p.Keyword } : {}), ...pageOf(p) });
    return { TotalNum: total, List: items.map(policySummaryView), ServiceTypeList: [] };
  };
}

export function deletePolicy({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'DeletePolicy');
    await deleteAccountPolicies(store, ctx.principal.accountUin, (params as unknown as DeletePolicyRequest).PolicyId);
    return {};
  };
}

export function attachUserPolicy({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'AttachUserPolicy');
    const p = params as unknown as AttachUserPolicyRequest;
    const user = await userByUin(store.db, ctx.principal.accountUin, String(p.AttachUin), 'AttachUin');
    await attachToUser(store, ctx.principal.accountUin, p.PolicyId, user, ctx.now);
    return {};
  };
}

export function detachUserPolicy({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'DetachUserPolicy');
    const p = params as unknown as DetachUserPolicyRequest;
    const user = await userByUin(store.db, ctx.principal.accountUin, String(p.DetachUin), 'DetachUin');
    await detachFromUser(store, ctx.principal.accountUin, p.PolicyId, user);
    return {};
  };
}

export function listAttachedUserPolicies({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'ListAttachedUserPolicies');
    const p = params as unknown as ListAttachedUserPoliciesRequest;
    const user = await userByUin(store.db, ctx.principal.accountUin, String(p.TargetUin));
    const { total, items } = await listAttachments(store.db, user.id, pageOf(p));
    return { TotalNum: total, List: items.map(attachmentView) };
  };
}
