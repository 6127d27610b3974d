/**
 * Heartbeat VLANs from the operator's side: SetHeartbeatVlanRange and DescribeSwitchPorts.
 *
 * Operators trunk a range of VLANs on each zone's switches for heartbeat network groups and
 * tell BMS with SetHeartbeatVlanRange (a zone without one uses 2000–2999). A group's VLAN is
 * region-wide and lies in every zone's range (the rule: src/network/vlans.ts), so a range may
 * not be shrunk below a VLAN any group of the region holds (ResourceInUse, naming them). The
 * answer shows the range every zone shares — where CreateHeartbeat allocates — or null when
 * the zones' ranges do not overlap, so the operator sees at once that no group can be created.
 *
 * DescribeSwitchPorts lists each server's heartbeat port with the VLAN the switch confirmed
 * (null: the default VLAN), where the server sits, the instance on it and that instance's
 * group; `InSync` is false while a port does not (yet) carry what the membership asks for.
 */
import type { DescribeSwitchPortsRequest, SetHeartbeatVlanRangeRequest, SwitchPort as SwitchPortWire } from '../../generated/bmsops.ts';
import { checkVlanRange, formatRange, freeCount, outsideRange, sharedRange, VLAN_MAX, VLAN_MIN } from '../../network/vlans.ts';
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import { setVlanRange, vlansInUse } from '../../store/repos/heartbeats.ts';
import { listPorts, type PortQuery, type SwitchPort } from '../../store/repos/switch-ports.ts';
import { regionVlans, rowLock, vlanFilterValue } from '../heartbeats/vlan-pool.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { idsWithFilters } from './errors.ts';
import { filterIds, idListParam, pageOf, regionZones, zoneParam } from './params.ts';

export function setHeartbeatVlanRange({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as SetHeartbeatVlanRangeRequest;
    const zone = await zoneParam(store.db, 'Zone', p.Zone, ctx.region);
    const range = { first: p.FirstVlanId, last: p.LastVlanId };
    const problem = checkVlanRange(range);
    if (problem?.problem === 'outside') {
      throw invalidParameterValue('FirstVlanId', `VLAN IDs are integers ${VLAN_MIN}-${VLAN_MAX}`, `VLAN ID 须为 ${VLAN_MIN}-${VLAN_MAX} 的整数`);
    }
    if (problem) throw invalidParameterValue('LastVlanId', `${p.LastVlanId} is below FirstVlanId ${p.FirstVlanId}`, `${p.LastVlanId} 小于 FirstVlanId ${p.FirstVlanId}`);
    const result = await store.transaction(async (tx) => {
      // Exclusive: waits for CreateHeartbeat calls in flight, whose VLANs must count as in use.
      const { zones } = await regionVlans(tx, ctx.region, rowLock(store.dialect, 'update'));
      const inUse = await vlansInUse(tx, ctx.region);
      const outside = outsideRange(range, inUse.map((v) => v.vlanId));
      if (outside.length > 0) throw rangeBelowGroups(zone, range, inUse.filter((v) => outside.includes(v.vlanId)));
      await setVlanRange(tx, zone, range);
      zones.set(zone, range);
      const shared = sharedRange(zones.values());
      return { shared, free: shared ? freeCount(shared, inUse.map((v) => v.vlanId)) : 0 };
    });
    return {
      Zone: zone, FirstVlanId: range.first, LastVlanId: range.last,
      RegionFirstVlanId: result.shared?.first ?? null, RegionLastVlanId: result.shared?.last ?? null, FreeVlanCount: result.free,
    };
  };
}

function rangeBelowGroups(zone: string, range: { first: number; last: number }, held: ReadonlyArray<{ vlanId: number; groupId: string }>) {
  const list = held.map((h) => `VLAN ${h.vlanId} (${h.groupId})`).join(', ');
  return new ApiError('ResourceInUse', {
    en: `The range ${formatRange(range)} for zone ${zone} would leave out VLANs held by heartbeat network groups: ${list}. A group's VLAN must stay in every zone's range; keep the range around them, or have the tenants delete those groups first.`,
    zh: `可用区 ${zone} 的范围 ${formatRange(range)} 会排除已被心跳网络组占用的VLAN：${list}。心跳网络组的VLAN须始终在每个可用区的范围内；请让范围包含这些VLAN，或先由租户删除这些心跳网络组。`,
  });
}

export function describeSwitchPorts({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeSwitchPortsRequest;
    if (p.ServerIds?.length && p.Filters?.length) throw idsWithFilters('ServerIds');
    const query: PortQuery & { switchIds: string[][]; vlans: number[][] } = { zones: await regionZones(store.db, ctx.region), switchIds: [], vlans: [] };
    if (p.ServerIds?.length) query.serverIds = idListParam('ServerIds', p.ServerIds, 'srv');
    (p.Filters ?? []).forEach((f, i) => {
      if (f.Name === 'zone') query.zones = query.zones.filter((z) => f.Values.map((v) => v.trim()).includes(z));
      else if (f.Name === 'switch-id') query.switchIds.push(filterIds(f.Values));
      else query.vlans.push(f.Values.map((v, j) => vlanFilterValue(`Filters.${i}.Values.${j}`, v))); // 'heartbeat-vlan'
    });
    const { total, items } = await listPorts(store.db, query, pageOf(p));
    return { TotalCount: total, SwitchPortSet: items.map(portView) };
  };
}

function portView(s: SwitchPort): SwitchPortWire {
  const wanted = s.heartbeatId ? s.groupVlan : null;
  return {
    ServerId: s.serverId, Sn: s.sn, Zone: s.zone, SwitchId: s.switchId, SwitchName: s.switchName, RackId: s.rackId, RackName: s.rackName,
    RackUnit: s.rackUnit, HeartbeatVlanId: s.heartbeatVlan, InstanceId: s.instanceId, HeartbeatId: s.heartbeatId,
    InSync: s.heartbeatVlan === wanted, UpdatedTime: s.updatedAt === null ? null : isoTime(s.updatedAt),
  };
}
