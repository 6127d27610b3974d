/**
 * Who may do what inside the cam service, decided by the service itself.
 *
 * The gateway grants `cam` actions to every user of the account (src/iam/policy/decide.ts; a
 * policy's explicit deny still applies); here the rule is CAM's own: managing users and
 * policies — and another user's keys — is for the root user only, while any user may manage
 * its own API keys. Users, keys and policies are looked up in the caller's account only, so
 * another tenant's ids are ResourceNotFound.
 */
import type { Tx } from '../../store/store.ts';
import { rootOnly, userNotFound } from '../../iam/errors.ts';
import { userByUin } from '../../iam/users.ts';
import { getUser, type User } from '../../store/repos/users.ts';
import type { CallContext } from '../types.ts';

export function requireRoot(ctx: CallContext, action: string): void {
  if (!ctx.principal.isRoot) throw rootOnly(`cam:${action}`, ctx.principal.accountUin);
}

/** The user whose keys an action manages: the caller by default; another user only for root. */
export async function keyOwner(db: Tx, ctx: CallContext, action: string, targetUin: number | undefined): Promise<User> {
  const me = ctx.principal;
  if (targetUin === undefined || String(targetUin) === me.userUin) {
    const self = await getUser(db, me.userId);
    if (!self) throw userNotFound(me.userUin);
    return self;
  }
  if (!me.isRoot) throw rootOnly(`cam:${action}`, me.accountUin, String(targetUin));
  return userByUin(db, me.accountUin, String(targetUin));
}

export const pageOf = (p: { Page?: number; Rp?: number }) => {
  const limit = p.Rp ?? 20;
  return { offset: ((p.Page ?? 1) - 1) * limit, limit };
};
