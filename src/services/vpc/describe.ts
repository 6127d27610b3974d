/**
 * DescribeVpcs and DescribeSubnets: one page of the caller's VPCs or subnets in the region.
 *
 * Either IDs or Filters select, never both (Tencent's rule). IDs that do not exist — or belong
 * to someone else — are simply not listed, as on Tencent. Filters are AND-ed, the values of one
 * filter OR-ed; name filters match a substring ignoring case (Tencent's "fuzzy" match);
 * `is-default` can only ever match `false` here, since this deployment creates no default VPCs
 * or subnets. Each filter becomes a store condition, so TotalCount is the exact count before
 * paging. AvailableIpAddressCount is counted live from the allocations.
 */
import type { DescribeSubnetsRequest, DescribeVpcsRequest, Filter } from '../../generated/vpc.ts';
import { normalizeId } from '../../shared/ids.ts';
import { countBySubnet } from '../../store/repos/ip-allocations.ts';
import { listSubnets, type SubnetCondition } from '../../store/repos/subnets.ts';
import { listVpcs, type VpcCondition } from '../../store/repos/vpcs.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { idsWithFilters } from './errors.ts';
import { booleanValues, idListParam, pagingParams, scopeOf } from './params.ts';
import { tagsOfResources } from '../../store/repos/resource-tags.ts';
import { subnetView, vpcView } from './views.ts';

/** A condition nothing satisfies (an `is-default` filter without `false`). */
const NOTHING = { column: 'id', values: [] } as const;

export function describeVpcs(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeVpcsRequest;
    const page = pagingParams(p.Offset, p.Limit);
    if (p.VpcIds?.length && p.Filters?.length) throw idsWithFilters('VpcIds');
    const conditions: VpcCondition[] = p.VpcIds?.length
      ? [{ column: 'id', values: idListParam('VpcIds', p.VpcIds, 'vpc') }]
      : (p.Filters ?? []).flatMap((f, i) => vpcCondition(f, `Filters.${i}.Values`));
    const { total, items } = await listVpcs(store.db, scopeOf(ctx), conditions, page);
    const tags = await tagsOfResources(store.db, ctx.principal.accountUin, items.map((v) => ({ kind: 'vpc' as const, id: v.id })));
    return { TotalCount: total, VpcSet: items.map((v) => vpcView(v, tags.get(`vpc/${v.id}`))) };
  };
}

function vpcCondition(f: Filter, path: string): VpcCondition[] {
  switch (f.Name) {
    case 'vpc-name': return [{ column: 'name', values: f.Values, contains: true }];
    case 'vpc-id': return [{ column: 'id', values: f.Values.map((v) => normalizeId(v.trim())) }];
    case 'cidr-block': return [{ column: 'cidr', values: f.Values.map((v) => v.trim()) }];
    default: return isDefault(path, f.Values); // 'is-default' (the validator admits no other name)
  }
}

export function describeSubnets(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeSubnetsRequest;
    const page = pagingParams(p.Offset, p.Limit);
    if (p.SubnetIds?.length && p.Filters?.length) throw idsWithFilters('SubnetIds');
    const conditions: SubnetCondition[] = p.SubnetIds?.length
      ? [{ column: 'id', values: idListParam('SubnetIds', p.SubnetIds, 'subnet') }]
      : (p.Filters ?? []).flatMap((f, i) => subnetCondition(f, `Filters.${i}.Values`));
    const { total, items } = await listSubnets(store.db, scopeOf(ctx), conditions, page);
    const counts = await countBySubnet(store.db, items.map((s) => s.id));
    const tags = await tagsOfResources(store.db, ctx.principal.accountUin, items.map((s) => ({ kind: 'subnet' as const, id: s.id })));
    return { TotalCount: total, SubnetSet: items.map((s) => subnetView(s, counts.get(s.id)?.ipv4 ?? 0, tags.get(`subnet/${s.id}`))) };
  };
}

function subnetCondition(f: Filter, path: string): SubnetCondition[] {
  switch (f.Name) {
    case 'subnet-id': return [{ column: 'id', values: f.Values.map((v) => normalizeId(v.trim())) }];
    case 'vpc-id': return [{ column: 'vpc_id', values: f.Values.map((v) => normalizeId(v.trim())) }];
    case 'subnet-name': return [{ column: 'name', values: f.Values, contains: true }];
    case 'cidr-block': return [{ column: 'cidr', values: f.Values.map((v) => v.trim()) }];
    case 'zone': return [{ column: 'zone', values: f.Values.map((v) => v.trim()) }];
    case 'is-bms-subnet': return [{ column: 'is_bms', values: [...new Set(booleanValues(path, f.Values))].map((b) => (b ? 1 : 0)) }];
    default: return isDefault(path, f.Values); // 'is-default'
  }
}

/** `is-default`: nothing is a default VPC/subnet, so the filter keeps all (`false` among its values) or nothing. */
function isDefault(path: string, values: readonly string[]): Array<typeof NOTHING> {
  return booleanValues(path, values).includes(false) ? [] : [NOTHING];
}
