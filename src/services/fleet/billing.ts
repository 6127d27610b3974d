/**
 * bmsops billing: what the operator does with money — recharge an account (idempotent by
 * ClientToken), see every account's balance and arrears, set ISP traffic prices (flavor prices
 * are ModifyFlavor's HourlyPrice), read any account's usage records, and run the daily
 * reconciliation of billed time against observed power-on time.
 */
import { randomUUID } from 'node:crypto';
import { parseBillTime, formatBillTime } from '../../billing/bill-time.ts';
import { recharge } from '../../billing/ledger.ts';
import { formatCents, parseCents } from '../../billing/money.ts';
import { reconcileDay } from '../../billing/reconcile.ts';
import type {
  DescribeAccountBalancesRequest, DescribeBillingReconciliationRequest, DescribeUsageRecordsRequest, RechargeAccountRequest, SetTrafficPriceRequest,
} from '../../generated/bmsops.ts';
import { accountNotFound } from '../../iam/errors.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import { getAccountByUin } from '../../store/repos/accounts.ts';
import * as bills from '../../store/repos/billing.ts';
import { ISPS } from '../../store/repos/eips.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';

function amountParam(name: string, raw: string): number {
  try {
    return parseCents(raw);
  } catch {
    throw invalidParameterValue(name, `"${raw}" is not an amount such as 100.00 (at most two decimals)`, `"${raw}" 不是形如 100.00 的金额（最多两位小数）`);
  }
}

export function rechargeAccount({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as RechargeAccountRequest;
    const account = await getAccountByUin(store.db, p.OwnerUin.trim());
    if (!account || account.kind !== 'tenant') throw accountNotFound(p.OwnerUin);
    const cents = amountParam('Amount', p.Amount);
    if (cents === 0) throw invalidParameterValue('Amount', 'a recharge of 0.00 changes nothing', '充值金额不能为 0.00');
    const key = p.ClientToken ? `${account.uin}:${p.ClientToken}` : ctx.requestId || randomUUID();
    const r = await recharge(store, { accountUin: account.uin, key, cents, remark: p.Remark ?? '' }, ctx.now);
    return { Balance: formatCents(r.balanceCents), BillNo: `recharge:${key}` };
  };
}

export function describeAccountBalances({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeAccountBalancesRequest;
    const tenants = await store.db.selectFrom('accounts').select(['uin', 'name']).where('kind', '=', 'tenant').execute();
    const names = new Map(tenants.map((t) => [t.uin, t.name]));
    const balances = new Map((await bills.listBillingAccounts(store.db)).map((a) => [a.accountUin, a]));
    const wanted = p.OwnerUins ? new Set(p.OwnerUins.map((u) => u.trim())) : undefined;
    const rows = tenants.map((t) => t.uin).filter((u) => !wanted || wanted.has(u)).map((uin) => {
      const a = balances.get(uin);
      const balance = a?.balanceCents ?? 0;
      return {
        OwnerUin: uin, Name: names.get(uin) ?? '', Balance: formatCents(balance), InArrears: balance < 0, Arrears: formatCents(Math.max(0, -balance)),
        WarningStatus: a?.warnStatus ?? 0, BalanceThreshold: formatCents(a?.warnThresholdCents ?? 0), UpdateTime: isoTime(a?.updatedAt ?? 0), balance,
      };
    }).filter((r) => !p.InArrears || r.InArrears).sort((x, y) => x.balance - y.balance || (x.OwnerUin < y.OwnerUin ? -1 : 1));
    const page = rows.slice(p.Offset ?? 0, (p.Offset ?? 0) + (p.Limit ?? 20)).map(({ balance: _b, ...r }) => r);
    return { TotalCount: rows.length, AccountSet: page };
  };
}

export function setTrafficPrice({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as SetTrafficPriceRequest;
    const isp = p.Isp.trim();
    // a price for a line no EIP has would be kept and never charged: refuse it by name
    if (!(ISPS as readonly string[]).includes(isp)) {
      throw invalidParameterValue('Isp', `"${p.Isp}" is not an ISP line (${ISPS.join(', ')})`, `"${p.Isp}" 不是运营商线路（${ISPS.join('、')}）`);
    }
    const cents = amountParam('PricePerGb', p.PricePerGb);
    if (cents < 0) throw invalidParameterValue('PricePerGb', 'a price cannot be negative', '价格不能为负');
    await store.transaction((tx) => bills.setPrice(tx, { product: 'traffic', key: isp, from: ctx.now, cents }));
    return {};
  };
}

export function describeTrafficPrices({ store }: FleetDeps): Handler {
  return async () => ({
    PriceSet: (await bills.listTrafficPrices(store.db)).map((t) => ({ Isp: t.isp, PricePerGb: formatCents(t.cents), EffectiveTime: isoTime(t.from) })),
  });
}

export function describeUsageRecords({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeUsageRecordsRequest;
    if (p.EndTime < p.StartTime) throw invalidParameterValue('EndTime', `${p.EndTime} is before StartTime ${p.StartTime}`, `${p.EndTime} 早于 StartTime ${p.StartTime}`);
    const rows = await bills.listRecords(store.db, {
      from: p.StartTime * 1000, to: p.EndTime * 1000, ...(p.OwnerUin ? { accountUin: p.OwnerUin.trim() } : {}), ...(p.ResourceId ? { resourceId: p.ResourceId.trim() } : {}),
    });
    const page = rows.slice(p.Offset ?? 0, (p.Offset ?? 0) + (p.Limit ?? 100));
    return {
      TotalCount: rows.length,
      RecordSet: page.map((r) => ({
        RecordId: r.record_key, OwnerUin: r.account_uin, ProductCode: r.product, ResourceId: r.resource_id, SubProductCode: r.sub_product,
        PeriodStart: isoTime(r.period_start), PeriodEnd: isoTime(r.period_end), Quantity: r.quantity, UnitPrice: formatCents(r.unit_price_cents),
        Amount: formatCents(r.amount_cents), Final: r.final === 1, PushTime: isoTime(r.pushed_at), DeductTime: r.deducted_at === null ? null : isoTime(r.deducted_at),
      })),
    };
  };
}

export function describeBillingReconciliation({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeBillingReconciliationRequest;
    const day = p.Date ?? formatBillTime(ctx.now - 86_400_000).slice(0, 10);
    const from = parseBillTime(day);
    if (from === undefined || day.length !== 10) throw invalidParameterValue('Date', `"${day}" is not a day such as 2026-01-15`, `"${day}" 不是形如 2026-01-15 的日期`);
    const findings = await reconcileDay(store.db, { from, to: from + 86_400_000 }, p.ToleranceSeconds ?? 3600);
    return {
      FindingSet: findings.map((f) => ({
        InstanceId: f.instanceId, OwnerUin: f.accountUin, BilledSeconds: f.billedSeconds, PoweredOnSeconds: f.poweredOnSeconds,
        ObservedSeconds: f.observedSeconds, DifferenceSeconds: f.differenceSeconds,
      })),
    };
  };
}
