/**
 * AddUser, ListUsers, GetUser, DeleteUser: the account's sub-users (root only).
 *
 * A new sub-user has no rights until a policy is attached. Its console password is stored only
 * as a slow hash; a generated one is returned once. With UseApi=1 it gets a key pair, whose
 * SecretKey is returned once and recorded as a secret read.
 */
import type { AddUserRequest, DeleteUserRequest, GetUserRequest } from '../../generated/cam.ts';
import { addSubUser, deleteSubUser, listUserKeys, readerOf, userByName } from '../../iam/users.ts';
import { ApiError } from '../../shared/errors.ts';
import { credentialsOfUsers, getUserCredentials } from '../../store/repos/user-credentials.ts';
import { listSubUsers } from '../../store/repos/users.ts';
import type { CallContext, Handler } from '../types.ts';
import type { CamDeps } from './deps.ts';
import { requireRoot } from './guards.ts';
import { userView } from './views.ts';

export function addUser(deps: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'AddUser');
    return addUserAnswering(deps, ctx, ctx.principal.accountUin, params as unknown as AddUserRequest);
  };
}

/**
 * Makes a sub-user of `accountUin` from AddUser's parameters and answers as AddUser does — the
 * generated password and the SecretKey appear here once. Shared with bmsops CreateTenantUser,
 * whose parameters are AddUser's plus the tenant.
 */
export async function addUserAnswering(deps: CamDeps, ctx: CallContext, accountUin: string, p: AddUserRequest): Promise<Record<string, unknown>> {
  const created = await addSubUser(deps.store, deps.box, accountUin, {
    name: p.Name, remark: p.Remark, consoleLogin: p.ConsoleLogin === 1, password: p.Password, useApi: p.UseApi === 1,
  }, readerOf(ctx));
  return {
    Uin: Number(created.user.uin), Name: created.user.name,
    ...(created.generatedPassword ? { Password: created.generatedPassword } : {}),
    ...(created.key ? { SecretId: created.key.secretId, SecretKey: created.key.secretKey } : {}),
  };
}

export function listUsers({ store }: CamDeps): Handler {
  return async (ctx) => {
    requireRoot(ctx, 'ListUsers');
    const users = await listSubUsers(store.db, ctx.principal.accountUin);
    const creds = await credentialsOfUsers(store.db, users.map((u) => u.id));
    return { Data: users.map((u) => userView(u, creds.get(u.id))) };
  };
}

export function getUser({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'GetUser');
    const user = await userByName(store.db, ctx.principal.accountUin, (params as unknown as GetUserRequest).Name);
    return userView(user, await getUserCredentials(store.db, user.id));
  };
}

export function deleteUser({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    requireRoot(ctx, 'DeleteUser');
    const p = params as unknown as DeleteUserRequest;
    const user = await userByName(store.db, ctx.principal.accountUin, p.Name);
    const keys = await listUserKeys(store.db, user);
    if (keys.length > 0 && p.Force !== 1) throw userHasKeys(user.name, keys.map((k) => k.secretId));
    await deleteSubUser(store, user);
    return {};
  };
}

const userHasKeys = (name: string, keys: string[]) =>
  new ApiError('ResourceInUse', {
    en: `User ${name} still has API keys (${keys.join(', ')}); delete them first or pass Force=1.`,
    zh: `用户 ${name} 仍有 API 密钥（${keys.join('、')}），请先删除，或指定 Force=1。`,
  });
