/**
 * The physical topology: CreateSwitch, DescribeSwitches, CreateRack, DescribeRacks.
 *
 * A zone holds top-of-rack switches; a switch holds racks; a rack holds servers. The topology
 * is what spread placement groups reason about (RACK = every member on a different rack and
 * switch; RACK_SAME_SW = different racks under one switch), so every server must sit in a
 * rack, and every rack under a switch. A rack takes its switch's zone — there is no way to
 * give it another — and a server takes its rack's (see register-servers.ts).
 *
 * Names are unique per zone. The check is made first for a precise message; the database's
 * unique constraint settles a race between two creates, and is translated to the same error.
 */
import type { CreateRackRequest, CreateSwitchRequest, DescribeRacksRequest, DescribeSwitchesRequest } from '../../generated/bmsops.ts';
import { newId } from '../../shared/ids.ts';
import { ConflictError } from '../../store/errors.ts';
import { findRackByName, insertRack, listRacks } from '../../store/repos/fleet-racks.ts';
import { findSwitchByName, getSwitch, insertSwitch, listSwitches } from '../../store/repos/fleet-switches.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { nameTaken, switchNotFound, unknownZone } from './errors.ts';
import { idListParam, idParam, nameParam, pageOf, regionZones, zoneParam } from './params.ts';
import { rackView, switchView } from './views.ts';

export function createSwitch({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateSwitchRequest;
    const name = nameParam('SwitchName', p.SwitchName);
    const zone = await zoneParam(store.db, 'Zone', p.Zone, ctx.region);
    const existing = await findSwitchByName(store.db, zone, name);
    if (existing) throw nameTaken('SwitchName', 'switch', name, zone, existing.id);
    const id = newId('sw');
    await insertSwitch(store.db, { id, zone, name, createdAt: ctx.now }).catch(conflictAs(nameTaken('SwitchName', 'switch', name, zone)));
    return { SwitchId: id };
  };
}

export function describeSwitches({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeSwitchesRequest;
    const zones = await zonesToList(store.db, ctx.region, p.Zone);
    const ids = p.SwitchIds?.length ? idListParam('SwitchIds', p.SwitchIds, 'sw') : undefined;
    const { total, items } = await listSwitches(store.db, { zones, ...(ids ? { ids } : {}) }, pageOf(p));
    return { TotalCount: total, SwitchSet: items.map(switchView) };
  };
}

export function createRack({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateRackRequest;
    const switchId = idParam('SwitchId', p.SwitchId, 'sw');
    const name = nameParam('RackName', p.RackName);
    const sw = await getSwitch(store.db, switchId);
    if (!sw || !(await regionZones(store.db, ctx.region)).includes(sw.zone)) throw switchNotFound(switchId);
    const existing = await findRackByName(store.db, sw.zone, name);
    if (existing) throw nameTaken('RackName', 'rack', name, sw.zone, existing.id);
    const id = newId('rack');
    await insertRack(store.db, { id, zone: sw.zone, switchId, name, createdAt: ctx.now })
      .catch(conflictAs(nameTaken('RackName', 'rack', name, sw.zone)));
    return { RackId: id };
  };
}

export function describeRacks({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeRacksRequest;
    const zones = await zonesToList(store.db, ctx.region, p.Zone);
    const ids = p.RackIds?.length ? idListParam('RackIds', p.RackIds, 'rack') : undefined;
    const switchId = p.SwitchId === undefined ? undefined : idParam('SwitchId', p.SwitchId, 'sw');
    const query = { zones, ...(ids ? { ids } : {}), ...(switchId ? { switchId } : {}) };
    const { total, items } = await listRacks(store.db, query, pageOf(p));
    return { TotalCount: total, RackSet: items.map(rackView) };
  };
}

/** The region's zones, or just `zone` when given (which must be one of them). */
async function zonesToList(db: FleetDeps['store']['db'], region: string, zone: string | undefined): Promise<string[]> {
  const zones = await regionZones(db, region);
  if (zone === undefined) return zones;
  if (!zones.includes(zone)) throw unknownZone('Zone', zone, region);
  return [zone];
}

/** Rethrows a unique-constraint refusal as `error`, anything else unchanged. */
export function conflictAs(error: Error): (e: unknown) => never {
  return (e) => {
    throw e instanceof ConflictError ? error : e;
  };
}
