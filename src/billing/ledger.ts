/**
 * Recharges and budget warnings: the operator's and the tenant's writes to an account's money.
 *
 * A recharge is a ledger row keyed by the caller's own key (the operator API passes its
 * request's ClientToken, or a key of its own), so sending it twice credits once; the balance
 * moves in the same transaction. A budget warning (bill CreateWarning) is a threshold: when a
 * deduction takes the balance below it, one notification is recorded (and logged); it is armed
 * again once the balance is back at or above the threshold.
 */
import * as bills from '../store/repos/billing.ts';
import type { Store } from '../store/store.ts';

export interface RechargeResult { balanceCents: number; created: boolean }

export async function recharge(
  store: Store, r: { accountUin: string; key: string; cents: number; remark: string }, now: number,
): Promise<RechargeResult> {
  return store.transaction(async (tx) => {
    await bills.ensureBillingAccounts(tx, [r.accountUin], now);
    const account = (await bills.getBillingAccounts(tx, [r.accountUin], store.dialect === 'postgres')).get(r.accountUin)!;
    const existing = await bills.ledgerEntry(tx, `recharge:${r.key}`);
    if (existing) return { balanceCents: account.balanceCents, created: false };
    const after = account.balanceCents + r.cents;
    await bills.insertLedger(tx, [{
      entry_key: `recharge:${r.key}`, account_uin: r.accountUin, kind: 'recharge', amount_cents: r.cents, balance_after_cents: after,
      record_key: null, remark: r.remark, created_at: now,
    }]);
    await bills.setBalance(tx, r.accountUin, after, now);
    if (account.warnedAt !== null && after >= account.warnThresholdCents) await bills.setWarning(tx, r.accountUin, { warnedAt: null });
    return { balanceCents: after, created: true };
  });
}

export async function balanceOf(store: Store, accountUin: string): Promise<number> {
  return (await bills.getBillingAccounts(store.db, [accountUin])).get(accountUin)?.balanceCents ?? 0;
}

/** Turns the budget warning on (status 1) or off (0) with its threshold; re-arms it. */
export async function setBudgetWarning(store: Store, accountUin: string, status: number, thresholdCents: number, now: number): Promise<void> {
  await store.transaction(async (tx) => {
    await bills.ensureBillingAccounts(tx, [accountUin], now);
    await bills.setWarning(tx, accountUin, { status, thresholdCents, warnedAt: null });
  });
}
