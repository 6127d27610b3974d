/**
 * Tenants and their identities, for operators: CreateTenant, DescribeTenants,
 * CreateTenantUser, DescribeTenantUsers, DeleteTenantUser, CreateTenantAccessKey,
 * UpdateTenantAccessKey, DeleteTenantAccessKey.
 *
 * The same rules as the tenants' own cam service (src/iam/users.ts) — at most two keys per
 * user, passwords only as slow hashes, SecretKeys shown once and recorded as secret reads —
 * applied to any tenant account named by OwnerUin. An OwnerUin that is not a tenant account
 * (or an operator account) is ResourceNotFound.
 */
import type { Tx } from '../../store/store.ts';
import type {
  CreateTenantAccessKeyRequest, CreateTenantRequest, CreateTenantUserRequest, DeleteTenantAccessKeyRequest, DeleteTenantUserRequest,
  DescribeTenantsRequest, DescribeTenantUsersRequest, UpdateTenantAccessKeyRequest,
} from '../../generated/bmsops.ts';
import { accountNotFound, keyNotFound, rootUserTarget, userNotFound } from '../../iam/errors.ts';
import { createTenant as create } from '../../iam/tenants.ts';
import {
  accountKey, createUserKey, deleteSubUser, deleteUserKey, listUserKeys, readerOf, setUserKeyStatus, userByUin,
} from '../../iam/users.ts';
import { isoTime } from '../../shared/ids.ts';
import { getAccountByUin, type Account } from '../../store/repos/accounts.ts';
import { listAccountsOfKind } from '../../store/repos/tenant-accounts.ts';
import { credentialsOfUsers } from '../../store/repos/user-credentials.ts';
import { getRootUser, listSubUsers } from '../../store/repos/users.ts';
import { addUserAnswering } from '../cam/users.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';

export function createTenant({ store, box }: FleetDeps): Handler {
  return async (ctx, params) => {
    const { account, key } = await create(store, box, (params as unknown as CreateTenantRequest).Name.trim(), readerOf(ctx));
    return { OwnerUin: account.uin, AppId: account.appId, Uuid: account.uuid, SecretId: key.secretId, SecretKey: key.secretKey };
  };
}

export function describeTenants({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeTenantsRequest;
    const { total, items } = await listAccountsOfKind(store.db, 'tenant', {
      ...(p.OwnerUins ? { uins: p.OwnerUins.map((u) => u.trim()) } : {}), offset: p.Offset ?? 0, limit: p.Limit ?? 20,
    });
    return {
      TotalCount: total,
      TenantSet: items.map((a) => ({ OwnerUin: a.uin, AppId: a.appId, Uuid: a.uuid, Name: a.name, CreatedTime: isoTime(a.createdAt) })),
    };
  };
}

export function createTenantUser(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateTenantUserRequest;
    const account = await tenantAccount(deps.store.db, p.OwnerUin);
    return addUserAnswering(deps, ctx, account.uin, p);
  };
}

export function describeTenantUsers({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const account = await tenantAccount(store.db, (params as unknown as DescribeTenantUsersRequest).OwnerUin);
    const root = await getRootUser(store.db, account.uin);
    const users = [...(root ? [root] : []), ...(await listSubUsers(store.db, account.uin))];
    const creds = await credentialsOfUsers(store.db, users.map((u) => u.id));
    const UserSet = await Promise.all(users.map(async (u) => ({
      Uin: Number(u.uin), Name: u.name, IsRoot: u.isRoot, Remark: creds.get(u.id)?.remark ?? '', ConsoleLogin: creds.get(u.id)?.consoleLogin ? 1 : 0,
      CreatedTime: isoTime(u.createdAt),
      AccessKeys: (await listUserKeys(store.db, u)).map((k) => ({ AccessKeyId: k.secretId, Status: k.status, CreateTime: isoTime(k.createdAt) })),
    })));
    return { UserSet };
  };
}

export function deleteTenantUser({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DeleteTenantUserRequest;
    const account = await tenantAccount(store.db, p.OwnerUin);
    const user = await userByUin(store.db, account.uin, String(p.UserUin), 'UserUin');
    if (user.isRoot) throw rootUserTarget('UserUin', 'cannot be deleted', '不能删除');
    await deleteSubUser(store, user);
    return {};
  };
}

export function createTenantAccessKey({ store, box }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateTenantAccessKeyRequest;
    const account = await tenantAccount(store.db, p.OwnerUin);
    const user = p.UserUin === undefined ? await getRootUser(store.db, account.uin) : await userByUin(store.db, account.uin, String(p.UserUin), 'UserUin');
    if (!user) throw userNotFound(`root of ${account.uin}`);
    const key = await createUserKey(store, box, user, readerOf(ctx));
    return { AccessKey: { AccessKeyId: key.secretId, SecretAccessKey: key.secretKey, Status: 'Active', CreateTime: isoTime(key.createdAt) } };
  };
}

export function updateTenantAccessKey({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as UpdateTenantAccessKeyRequest;
    const secretId = await tenantKey(store.db, p.OwnerUin, p.AccessKeyId);
    await setUserKeyStatus(store.db, secretId, p.Status as 'Active' | 'Inactive');
    return {};
  };
}

export function deleteTenantAccessKey({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DeleteTenantAccessKeyRequest;
    await deleteUserKey(store.db, await tenantKey(store.db, p.OwnerUin, p.AccessKeyId));
    return {};
  };
}

async function tenantAccount(db: Tx, uin: string): Promise<Account> {
  const account = await getAccountByUin(db, uin.trim());
  if (!account || account.kind !== 'tenant') throw accountNotFound(uin);
  return account;
}

async function tenantKey(db: Tx, ownerUin: string, secretId: string): Promise<string> {
  const account = await tenantAccount(db, ownerUin);
  const key = await accountKey(db, account.uin, secretId.trim());
  if (!key) throw keyNotFound(secretId);
  return key.secretId;
}
