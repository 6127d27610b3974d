/**
 * CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey.
 *
 * Any user manages its own keys; only the root user names another user (TargetUin). At most
 * two keys per user (LimitExceeded). A key of another account is ResourceNotFound; a key of
 * another user of the same account, for a sub-user, is UnauthorizedOperation. Disabling or
 * deleting a key takes effect within the credential cache's second.
 */
import type { CreateAccessKeyRequest, DeleteAccessKeyRequest, ListAccessKeysRequest, UpdateAccessKeyRequest } from '../../generated/cam.ts';
import { keyNotFound, rootOnly } from '../../iam/errors.ts';
import { accountKey, createUserKey, deleteUserKey, listUserKeys, readerOf, setUserKeyStatus } from '../../iam/users.ts';
import type { KeyWithOwner } from '../../store/repos/api-keys.ts';
import type { CallContext, Handler } from '../types.ts';
import type { CamDeps } from './deps.ts';
import { keyOwner } from './guards.ts';
import { keyView, newKeyView } from './views.ts';

export function createAccessKey({ store, box }: CamDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateAccessKeyRequest;
    const owner = await keyOwner(store.db, ctx, 'CreateAccessKey', p.TargetUin);
    return { AccessKey: newKeyView(await createUserKey(store, box, owner, readerOf(ctx))) };
  };
}

export function listAccessKeys({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    const owner = await keyOwner(store.db, ctx, 'ListAccessKeys', (params as unknown as ListAccessKeysRequest).TargetUin);
    return { AccessKeys: (await listUserKeys(store.db, owner)).map(keyView) };
  };
}

export function updateAccessKey({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as UpdateAccessKeyRequest;
    const key = await manageableKey(ctx, store.db, 'UpdateAccessKey', p.AccessKeyId, p.TargetUin);
    await setUserKeyStatus(store.db, key.secretId, p.Status as 'Active' | 'Inactive');
    return {};
  };
}

export function deleteAccessKey({ store }: CamDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DeleteAccessKeyRequest;
    const key = await manageableKey(ctx, store.db, 'DeleteAccessKey', p.AccessKeyId, p.TargetUin);
    await deleteUserKey(store.db, key.secretId);
    return {};
  };
}

/** The key, when it is in the caller's account, belongs to TargetUin (if given), and the caller may manage it. */
async function manageableKey(
  ctx: CallContext, db: CamDeps['store']['db'], action: string, secretId: string, targetUin: number | undefined,
): Promise<KeyWithOwner> {
  const me = ctx.principal;
  const key = await accountKey(db, me.accountUin, secretId.trim());
  if (!key) throw keyNotFound(secretId);
  if (!me.isRoot && (key.userId !== me.userId || (targetUin !== undefined && String(targetUin) !== me.userUin))) {
    throw rootOnly(`cam:${action}`, me.accountUin, targetUin === undefined ? key.userUin : String(targetUin));
  }
  if (targetUin !== undefined && String(targetUin) !== key.userUin) throw keyNotFound(secretId);
  return key;
}
