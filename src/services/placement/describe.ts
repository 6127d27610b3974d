/**
 * DescribeDisasterRecoverGroups: one page of the caller's groups in the region, each with its
 * live member count, listed under both `GroupId` (the reference's name for it) and `GroupSet`
 * (the vendor's SDK and Terraform provider's); Limit goes up to 200 (the provider sends 200).
 *
 * Either GroupIds or Filters select, never both. IDs that do not exist — or belong to someone
 * else — are simply not listed. Filters are AND-ed, the values of one filter OR-ed: `Name`
 * matches a substring ignoring case, like Tencent's name filters, so the exact name finds the
 * group too (and exact matches are listed first, then newest first — what a tool looking up a
 * group it just created by name expects); `Type` is RACK, RACK_SAME_SW or SW.
 */
import type { DescribeDisasterRecoverGroupsRequest, Filter } from '../../generated/bms.ts';
import { SPREAD_TYPES, type SpreadType } from '../../network/placement.ts';
import { countMembers, listGroups, type GroupCondition } from '../../store/repos/placement-groups.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { badTypeFilter, groupIdsWithFilters } from './errors.ts';
import { groupIdParam, scopeOf } from './params.ts';
import { groupView } from './views.ts';

export function describeGroups(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeDisasterRecoverGroupsRequest;
    if (p.GroupIds?.length && p.Filters?.length) throw groupIdsWithFilters();
    const conditions: GroupCondition[] = p.GroupIds?.length
      ? [{ column: 'id', values: p.GroupIds.map((id, i) => groupIdParam(`GroupIds.${i}`, id)) }]
      : (p.Filters ?? []).map((f, i) => condition(f, `Filters.${i}.Values`));
    const exactNames = (p.Filters ?? []).filter((f) => f.Name === 'Name').flatMap((f) => f.Values);
    const scope = scopeOf(ctx);
    const { total, items } = await listGroups(store.db, scope, conditions, { offset: p.Offset ?? 0, limit: p.Limit ?? 20 }, exactNames);
    const counts = await countMembers(store.db, scope.accountUin, items.map((g) => g.id));
    const groups = items.map((g) => groupView(g, counts.get(g.id) ?? 0));
    return { GroupId: groups, GroupSet: groups, TotalCount: total };
  };
}

function condition(f: Filter, path: string): GroupCondition {
  if (f.Name === 'Name') return { column: 'name', values: f.Values, contains: true };
  return { column: 'type', values: f.Values.map((v, i) => typeValue(`${path}.${i}`, v)) }; // 'Type' (the validator admits no other name)
}

function typeValue(path: string, raw: string): SpreadType {
  const value = raw.trim().toUpperCase();
  if (!(SPREAD_TYPES as readonly string[]).includes(value)) throw badTypeFilter(path, raw);
  return value as SpreadType;
}
