/**
 * bill: the account itself — balance (DescribeUserAccount), the account water (DescribeAccountWater)
 * and the budget warning (CreateWarning / DescribeWarning). Amounts go out as yuan with two
 * decimals (Strings), or as cents where the vendor's field is an integer (UsableLimit…).
 */
import { formatBillTime, parseBillTime } from '../../billing/bill-time.ts';
import { setBudgetWarning } from '../../billing/ledger.ts';
import { formatCents } from '../../billing/money.ts';
import type {
  CreateWarningRequest, DescribeAccountWaterRequest, DescribeAccountWaterResponse, DescribeUserAccountResponse, DescribeWarningResponse,
} from '../../generated/bill.ts';
import * as bills from '../../store/repos/billing.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { centsOfNumber, compactTime } from './params.ts';

const startOfDayCst = (now: number) => parseBillTime(formatBillTime(now).slice(0, 10))!;

export function describeUserAccount({ store }: { store: Store }): Handler {
  return async (ctx) => {
    const uin = ctx.principal.accountUin;
    const account = (await bills.getBillingAccounts(store.db, [uin])).get(uin);
    const balance = account?.balanceCents ?? 0;
    const t = await bills.ledgerTotals(store.db, uin, startOfDayCst(ctx.now));
    const out: DescribeUserAccountResponse = {
      Status: account === undefined ? '0' : balance < 0 ? '2' : '1',
      Balance: formatCents(balance), AllIn: formatCents(t.allIn), AllOut: formatCents(t.allOut), Exptime: '0', ExpireinfoExtend: '',
      Dplimit: '0.00', Dpbalance: formatCents(balance), Debt: formatCents(Math.max(0, -balance)), Cash: formatCents(Math.max(0, balance)),
      BillingDate: '1', DueDate: '1', MerchantType: '3', RelatedMerchant: '', DueDelayType: '2', DueDelay: '0', NextDueDelay: '',
      RecoverImmediately: '1', RefundSequence: '0', CashRecoverImmediately: '1', BillingCycleType: '1', BillingCycle: '1',
      DayOut: formatCents(t.outSince), SubDplimit: '-1', UsableLimit: Math.max(0, balance), Fixedlimit: '0.00',
      CashBalance: Math.max(0, balance), UsedLimit: Math.max(0, -balance),
    };
    return out as unknown as Record<string, unknown>;
  };
}

export function describeAccountWater({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeAccountWaterRequest;
    const from = compactTime('StartTime', p.StartTime, false);
    const to = compactTime('EndTime', p.EndTime, true) + 1000;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 20;
    const kind = p.WaterFilter === 'Deduct' ? 'deduct' as const : p.WaterFilter === 'Recharge' ? 'recharge' as const : undefined;
    const page = await bills.pageLedger(store.db, {
      accountUin: ctx.principal.accountUin, from, to, offset, limit, ...(kind ? { kind } : {}), ...(p.BillNo ? { entryKey: p.BillNo } : {}),
    });
    const out: DescribeAccountWaterResponse = {
      AllNum: String(page.total), RetNum: String(page.rows.length), Offset: String(offset),
      WaterSet: page.rows.map((r) => {
        const deduct = r.kind === 'deduct';
        return {
          WaterType: deduct ? 'Deduct' : 'Recharge', IoFlag: deduct ? '1' : '2', ExternTranType: deduct ? '23' : '19', BaseTranType: deduct ? '2' : '57',
          BillNo: r.entry_key, TranAmt: formatCents(Math.abs(r.amount_cents)), Balance: formatCents(r.balance_after_cents),
          CreateTime: formatBillTime(r.created_at), Source: deduct ? 'billing' : 'operator', Device: '0', UserIp: '',
          TranInfo: deduct ? '后付费扣费 post-paid deduction' : '充值 recharge', Remark: r.remark, RelationId: r.record_key ?? '',
          Dpbalance: formatCents(r.balance_after_cents), Cash: formatCents(Math.max(0, r.balance_after_cents)),
        };
      }),
    };
    return out as unknown as Record<string, unknown>;
  };
}

export function createWarning({ store }: { store: Store }): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateWarningRequest;
    await setBudgetWarning(store, ctx.principal.accountUin, p.Status, centsOfNumber('BalanceThreshold', p.BalanceThreshold), ctx.now);
    return {};
  };
}

export function describeWarning({ store }: { store: Store }): Handler {
  return async (ctx) => {
    const uin = ctx.principal.accountUin;
    const account = (await bills.getBillingAccounts(store.db, [uin])).get(uin);
    const notices = await bills.listNotifications(store.db, uin);
    const out: DescribeWarningResponse = {
      Status: account?.warnStatus ?? 0, BalanceThreshold: formatCents(account?.warnThresholdCents ?? 0),
      WarningSet: notices.map((n) => ({ Time: formatBillTime(n.at), Balance: formatCents(n.balanceCents), BalanceThreshold: formatCents(n.thresholdCents) })),
    };
    return out as unknown as Record<string, unknown>;
  };
}
