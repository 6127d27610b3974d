/**
 * DescribeAddresses: one page of the caller's EIPs in the region, as Tencent's `Address`.
 *
 * Either AddressIds or Filters select, never both (Tencent's rule). IDs that do not exist — or
 * belong to someone else — are simply not listed, as DescribeVpcs does. Filters are AND-ed, the
 * values of one filter OR-ed; names match exactly (Tencent: "不支持模糊过滤"). `address-status`
 * takes Tencent's whole vocabulary, but this deployment binds and unbinds synchronously, so
 * only BIND and UNBIND ever match. Each filter becomes a store condition, so TotalCount is exact.
 *
 * The view keeps every member Tencent returns that has a meaning here; members for features
 * this deployment lacks carry their "none" value (false, null, empty list).
 */
import type { Address, DescribeAddressesRequest, Filter } from '../../generated/vpc.ts';
import { isoTime, normalizeId } from '../../shared/ids.ts';
import { ISPS, listEips, type Eip, type EipCondition } from '../../store/repos/eips.ts';
import { tagsOfResources } from '../../store/repos/resource-tags.ts';
import type { Store } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { badFilterValue, eipIdListParam, idsWithFilters } from './addresses-errors.ts';
import { scopeOf } from './params.ts';
import { tagSet } from './views.ts';

/** Tencent's EIP states; only the two steady ones exist here. */
export const ADDRESS_STATUSES = ['CREATING', 'BINDING', 'BIND', 'UNBINDING', 'UNBIND', 'OFFLINING', 'BIND_ENI'] as const;

export function describeAddresses(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeAddressesRequest;
    if (p.AddressIds?.length && p.Filters?.length) throw idsWithFilters();
    const conditions: EipCondition[] = p.AddressIds?.length
      ? [{ column: 'id', values: eipIdListParam('AddressIds', p.AddressIds) }]
      : (p.Filters ?? []).map((f, i) => condition(f, `Filters.${i}.Values`));
    const { total, items } = await listEips(store.db, scopeOf(ctx), conditions, { offset: p.Offset ?? 0, limit: p.Limit ?? 20 });
    const tags = await tagsOfResources(store.db, ctx.principal.accountUin, items.map((e) => ({ kind: 'eip' as const, id: e.id })));
    return { TotalCount: total, AddressSet: items.map((e) => addressView(e, tags.get(`eip/${e.id}`))) };
  };
}

function condition(f: Filter, path: string): EipCondition {
  const trimmed = f.Values.map((v) => v.trim());
  switch (f.Name) {
    case 'address-id': return { column: 'id', values: trimmed.map(normalizeId) };
    case 'address-name': return { column: 'name', values: f.Values };
    case 'address-ip': return { column: 'address', values: trimmed };
    case 'instance-id': return { column: 'instance_id', values: trimmed.map(normalizeId) };
    case 'private-ip-address': return { column: 'private_ip', values: trimmed };
    case 'address-isp': return { column: 'isp', values: oneOf(path, trimmed.map((v) => v.toUpperCase()), ISPS) };
    default: { // 'address-status' (the validator admits no other name)
      const statuses = oneOf(path, trimmed.map((v) => v.toUpperCase()), ADDRESS_STATUSES);
      return { bound: [...(statuses.includes('BIND') ? [true] : []), ...(statuses.includes('UNBIND') ? [false] : [])] };
    }
  }
}

function oneOf<T extends string>(path: string, values: readonly string[], allowed: readonly T[]): T[] {
  return values.map((v, i) => {
    if (!(allowed as readonly string[]).includes(v)) throw badFilterValue(`${path}.${i}`, v, allowed);
    return v as T;
  });
}

export function addressView(eip: Eip, tags?: ReadonlyArray<{ key: string; value: string }>): Address {
  return {
    AddressId: eip.id,
    AddressName: eip.name,
    AddressStatus: eip.instanceId ? 'BIND' : 'UNBIND',
    AddressIp: eip.address,
    InstanceId: eip.instanceId,
    CreatedTime: isoTime(eip.createdAt),
    NetworkInterfaceId: null,
    PrivateAddressIp: eip.privateIp,
    IsArrears: false,
    IsBlocked: false,
    IsEipDirectConnection: false,
    AddressType: 'EIP',
    CascadeRelease: false,
    InternetServiceProvider: eip.isp,
    LocalBgp: false,
    Bandwidth: eip.bandwidth,
    InternetChargeType: 'TRAFFIC_POSTPAID_BY_HOUR',
    TagSet: tagSet(tags),
    InstanceType: eip.instanceId ? 'BMS' : null,
  };
}
