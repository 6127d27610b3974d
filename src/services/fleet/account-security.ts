/**
 * Account security options: SetAccountSecurity and DescribeAccountSecurity (operator API).
 *
 * `RequireSignedAction`: the account's mutating calls must list X-TC-Action among the TC3
 * signed headers (README, "Repeats, signature binding and hostile input"): a captured request
 * of such an account can then never be re-sent as another action. Set per account, or — without
 * AccountUin — as the default for accounts created from now on (existing accounts keep what
 * they had).
 */
import type { AccountSecurity, DescribeAccountSecurityRequest, SetAccountSecurityRequest } from '../../generated/bmsops.ts';
import { resourceNotFound } from '../../shared/errors.ts';
import {
  accountRequireSignedAction, defaultRequireSignedAction, setAccountRequireSignedAction, setDefaultRequireSignedAction,
} from '../../store/repos/account-security.ts';
import { getAccountByUin } from '../../store/repos/accounts.ts';
import type { Tx } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';

export function setAccountSecurity(deps: Pick<FleetDeps, 'store'>): Handler {
  return async (ctx, params) => {
    const p = params as unknown as SetAccountSecurityRequest;
    const uin = p.AccountUin?.trim();
    if (uin !== undefined && !(await getAccountByUin(deps.store.db, uin))) throw resourceNotFound('account', uin);
    await deps.store.transaction(async (tx) => {
      if (uin === undefined) await setDefaultRequireSignedAction(tx, p.RequireSignedAction, ctx.now);
      else await setAccountRequireSignedAction(tx, uin, p.RequireSignedAction, ctx.now);
    });
    return { AccountSecurity: await view(deps.store.db, uin) };
  };
}

export function describeAccountSecurity(deps: Pick<FleetDeps, 'store'>): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeAccountSecurityRequest;
    if (p.AccountUin !== undefined && !(await getAccountByUin(deps.store.db, p.AccountUin))) throw resourceNotFound('account', p.AccountUin);
    return { AccountSecurity: await view(deps.store.db, p.AccountUin) };
  };
}

async function view(db: Tx, uin: string | undefined): Promise<AccountSecurity> {
  const fallback = await defaultRequireSignedAction(db);
  const own = uin === undefined ? undefined : await accountRequireSignedAction(db, uin);
  return { AccountUin: uin ?? '', RequireSignedAction: own ?? fallback, FollowsDefault: own === undefined, DefaultRequireSignedAction: fallback };
}
