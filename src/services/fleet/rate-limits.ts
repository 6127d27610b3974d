/**
 * Request rate limits: SetRateLimit and DescribeRateLimits (operator API).
 *
 * Every action has a default limit in its spec (SPEC §2: requests per second per account). An
 * operator overrides it for one account (a noisy tenant, a batch integration that needs more)
 * or for every account; the most specific rule wins — account, then every account, then the
 * default. Limit 0 refuses every call of the action; SetRateLimit without Limit removes the
 * override. The gateway reads the rules through a short cache: the process that made the change
 * applies it at once (`reload`), the others within the cache's lifetime.
 *
 * The catalog of services and actions comes from the composition root (the specs the gateway
 * serves), so a rule can only name an action that exists.
 */
import type { DescribeRateLimitsRequest, RateLimit, SetRateLimitRequest } from '../../generated/bmsops.ts';
import { invalidParameterValue, resourceNotFound } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import type { ServiceSpec } from '../../spec/model.ts';
import { getAccountByUin } from '../../store/repos/accounts.ts';
import {
  deleteRateLimitOverride, EVERY_ACCOUNT, listRateLimitOverrides, putRateLimitOverride, type RateLimitOverride,
} from '../../store/repos/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { pageOf } from './params.ts';

export interface RateLimitDeps {
  store: Store;
  /** The services the gateway serves, by name (bms, vpc, …). */
  catalog: () => Record<string, ServiceSpec>;
  /** Makes this process apply the rules now rather than when its cache expires. */
  reload?: () => Promise<void>;
}

type Source = 'default' | 'every-account' | 'account';

export function setRateLimit(deps: RateLimitDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as SetRateLimitRequest;
    const defaultLimit = actionDefault(deps.catalog(), p.Service, p.Action);
    if (p.Limit === 0 && p.Service === 'bmsops' && p.Action === 'SetRateLimit') {
      throw invalidParameterValue('Limit', 'SetRateLimit itself cannot be switched off (it is how limits are undone)', 'SetRateLimit 本身不能被禁用（需要用它撤销限制）');
    }
    const accountUin = p.AccountUin?.trim();
    if (accountUin !== undefined && !(await getAccountByUin(deps.store.db, accountUin))) throw resourceNotFound('account', accountUin);
    const scope = accountUin ?? EVERY_ACCOUNT;
    if (p.Limit === undefined) await deleteRateLimitOverride(deps.store.db, scope, p.Service, p.Action);
    else await putRateLimitOverride(deps.store.db, { accountUin: scope, service: p.Service, action: p.Action, perSecond: p.Limit, updatedAt: ctx.now });
    await deps.reload?.();
    const rules = await listRateLimitOverrides(deps.store.db);
    return { RateLimit: effective(rules, p.Service, p.Action, defaultLimit, accountUin) };
  };
}

export function describeRateLimits(deps: RateLimitDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeRateLimitsRequest;
    const catalog = deps.catalog();
    if (p.Service !== undefined && !catalog[p.Service]) throw unknownService(p.Service, catalog);
    if (p.AccountUin !== undefined && !(await getAccountByUin(deps.store.db, p.AccountUin))) throw resourceNotFound('account', p.AccountUin);
    const rules = await listRateLimitOverrides(deps.store.db);
    const rows: RateLimit[] = [];
    for (const [service, spec] of Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b))) {
      if (p.Service !== undefined && service !== p.Service) continue;
      for (const [action, a] of Object.entries(spec.actions).sort(([x], [y]) => x.localeCompare(y))) {
        if (p.Action !== undefined && action !== p.Action) continue;
        rows.push(effective(rules, service, action, a.rateLimit, p.AccountUin));
        if (p.AccountUin !== undefined) continue;
        for (const r of rules) {
          if (r.service === service && r.action === action && r.accountUin !== EVERY_ACCOUNT) rows.push(view(r, a.rateLimit, 'account'));
        }
      }
    }
    const listed = p.OnlyOverrides ? rows.filter((r) => r.Source !== 'default') : rows;
    const { offset, limit } = pageOf(p);
    return { TotalCount: listed.length, RateLimitSet: listed.slice(offset, offset + limit) };
  };
}

/** The limit in effect for `accountUin` (or for every account when absent). */
function effective(rules: RateLimitOverride[], service: string, action: string, defaultLimit: number, accountUin: string | undefined): RateLimit {
  const find = (scope: string) => rules.find((r) => r.accountUin === scope && r.service === service && r.action === action);
  const own = accountUin === undefined ? undefined : find(accountUin);
  if (own) return view(own, defaultLimit, 'account');
  const every = find(EVERY_ACCOUNT);
  if (every) return { ...view(every, defaultLimit, 'every-account'), AccountUin: accountUin ?? null };
  return { AccountUin: accountUin ?? null, Service: service, Action: action, Limit: defaultLimit, DefaultLimit: defaultLimit, Source: 'default', UpdatedTime: null };
}

function view(r: RateLimitOverride, defaultLimit: number, source: Source): RateLimit {
  return {
    AccountUin: r.accountUin === EVERY_ACCOUNT ? null : r.accountUin, Service: r.service, Action: r.action, Limit: r.perSecond,
    DefaultLimit: defaultLimit, Source: source, UpdatedTime: isoTime(r.updatedAt),
  };
}

function actionDefault(catalog: Record<string, ServiceSpec>, service: string, action: string): number {
  const spec = catalog[service];
  if (!spec) throw unknownService(service, catalog);
  const a = Object.hasOwn(spec.actions, action) ? spec.actions[action] : undefined;
  if (!a) {
    throw invalidParameterValue('Action', `service ${service} has no action "${action}"`, `服务 ${service} 中不存在接口 "${action}"`);
  }
  return a.rateLimit;
}

const unknownService = (service: string, catalog: Record<string, ServiceSpec>) =>
  invalidParameterValue('Service', `"${service}" is not a service of this deployment; use one of ${Object.keys(catalog).sort().join(', ')}`,
    `"${service}" 不是本部署提供的服务，可选：${Object.keys(catalog).sort().join('、')}`);
