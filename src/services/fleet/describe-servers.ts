/**
 * DescribeServers: the pool as operators see it — where each machine sits, what it is, its
 * pool and power state, and who is using it.
 *
 * Either ServerIds or Filters select, never both. Filters are AND-ed, the values of one filter
 * OR-ed; each becomes a store condition, so TotalCount is exact before paging. `maintenance`
 * is a view of the pool state (true = `maintenance`, false = any other), so it combines with
 * `state` like any two filters. Values of closed sets (state, hardware-type, maintenance) are
 * checked and a stray one is InvalidParameterValue naming it; IDs in filters are normalised but
 * not checked — a malformed one simply matches nothing. Only the request region's zones are
 * listed. The BMC password is never selected, let alone returned.
 */
import type { DescribeServersRequest, Filter } from '../../generated/bmsops.ts';
import { listServers, type ServerCondition } from '../../store/repos/fleet-servers.ts';
import type { ServerState } from '../../store/repos/fleet-servers.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { idsWithFilters } from './errors.ts';
import { booleanValues, enumValues, filterIds, idListParam, pageOf, regionZones } from './params.ts';
import { serverView } from './views.ts';
import { HARDWARE_TYPES as DRIVER_FACTORIES, type HardwareType } from '../../drivers/registry.ts';

export const SERVER_STATES: readonly ServerState[] = ['available', 'allocated', 'cleaning', 'maintenance'];
export const HARDWARE_TYPES = Object.keys(DRIVER_FACTORIES) as HardwareType[];

export function describeServers({ store, labRedfishUrl }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeServersRequest;
    if (p.ServerIds?.length && p.Filters?.length) throw idsWithFilters('ServerIds');
    const conditions: ServerCondition[] = [{ column: 'zone', values: await regionZones(store.db, ctx.region) }];
    if (p.ServerIds?.length) conditions.push({ column: 'id', values: idListParam('ServerIds', p.ServerIds, 'srv') });
    (p.Filters ?? []).forEach((f, i) => conditions.push(condition(f, `Filters.${i}.Values`)));
    const { total, items } = await listServers(store.db, conditions, pageOf(p));
    return { TotalCount: total, ServerSet: items.map((s) => serverView(s, labRedfishUrl)) };
  };
}

function condition(f: Filter, path: string): ServerCondition {
  const trimmed = f.Values.map((v) => v.trim());
  switch (f.Name) {
    case 'zone': return { column: 'zone', values: trimmed };
    case 'switch-id': return { column: 'switch_id', values: filterIds(f.Values) };
    case 'rack-id': return { column: 'rack_id', values: filterIds(f.Values) };
    case 'flavor-id': return { column: 'flavor_id', values: filterIds(f.Values) };
    case 'instance-id': return { column: 'instance_id', values: filterIds(f.Values) };
    case 'sn': return { column: 'sn', values: trimmed, contains: true };
    case 'state': return { column: 'state', values: enumValues(path, f.Values, SERVER_STATES) };
    case 'hardware-type': return { column: 'hardware_type', values: enumValues(path, f.Values, HARDWARE_TYPES) };
    default: return maintenance(path, f.Values); // 'maintenance' (the validator admits no other name)
  }
}

/** `maintenance` true/false as pool states (both values given: every state). */
function maintenance(path: string, values: readonly string[]): ServerCondition {
  const wanted = new Set(booleanValues(path, values));
  return { column: 'state', values: SERVER_STATES.filter((s) => wanted.has(s === 'maintenance')) };
}
