/**
 * Arrears: a tenant whose balance is negative cannot launch (RunInstances answers
 * InvalidAccount.InsufficientBalance naming the balance) but keeps running what it has.
 */
import type { Kysely } from 'kysely';
import { ApiError } from '../shared/errors.ts';
import { getBillingAccounts } from '../store/repos/billing.ts';
import type { Database } from '../store/schema.ts';
import { formatCents } from './money.ts';

export async function refuseLaunchInArrears(db: Kysely<Database>, accountUin: string): Promise<void> {
  const balance = (await getBillingAccounts(db, [accountUin])).get(accountUin)?.balanceCents ?? 0;
  if (balance >= 0) return;
  throw new ApiError('InvalidAccount.InsufficientBalance', {
    en: `The account ${accountUin} is in arrears: its balance is ${formatCents(balance)}; recharge it before launching instances (running instances are not affected).`,
    zh: `账号 ${accountUin} 已欠费：当前余额为 ${formatCents(balance)} 元，请充值后再创建实例（已有实例不受影响）。`,
  });
}
