/**
 * Flavors, the operator's side: CreateFlavor and ModifyFlavor.
 *
 * A flavor is what tenants buy: a machine type sold in one zone, with its descriptions (CPU,
 * memory, disks, network), RAID layouts, OS images and hourly price. Servers are tied to a
 * flavor when they are registered, and a launch allocates among the available servers of the
 * flavor in the zone. A *standard* flavor is visible to every tenant; a *user-defined* one is
 * bound to one tenant account (`OwnerUin`), whose machines operators hand over as instances.
 *
 * Rules: the zone is one of the region's; the name is unique in the zone; a user-defined
 * flavor needs an existing tenant account as owner, and a standard one takes none; the price
 * is a decimal kept with two decimals; every image exists and runs on the flavor's CPU
 * architecture. ModifyFlavor changes only what it is given (at least one thing): sale status,
 * price, or — replacing the whole list — RAID types or images.
 */
import type { Tx } from '../../store/store.ts';
import type { CreateFlavorRequest, ModifyFlavorRequest } from '../../generated/bmsops.ts';
import { missingParameter } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { getAccountByUin } from '../../store/repos/accounts.ts';
import { findFlavorByName, getFlavor, insertFlavor, setFlavorImages, updateFlavor, type Flavor } from '../../store/repos/fleet-flavors.ts';
import { getOsImages } from '../../store/repos/fleet-os-images.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import {
  archMismatch, flavorNotFound, imageNotFound, nameTaken, nothingToModify, ownerNotTenant, ownerWithoutUserDefined,
} from './errors.ts';
import { parseCents } from '../../billing/money.ts';
import { setPrice } from '../../store/repos/billing.ts';
import { idListParam, idParam, nameParam, priceParam, regionZones, zoneParam } from './params.ts';
import { conflictAs } from './topology.ts';

export function createFlavor({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateFlavorRequest;
    const name = nameParam('FlavorName', p.FlavorName);
    const hourlyPrice = priceParam('HourlyPrice', p.HourlyPrice);
    const imageIds = idListParam('OsImageIds', p.OsImageIds ?? [], 'img');
    const zone = await zoneParam(store.db, 'Zone', p.Zone, ctx.region);
    const ownerUin = await ownerParam(store.db, p.UserDefined, p.OwnerUin);
    await checkImages(store.db, imageIds, p.CpuArch);
    const flavor: Flavor = {
      id: newId('flavor'), name, zone, cpu: p.Cpu, memory: p.Memory, systemDisk: p.SystemDisk, netSpeed: p.NetSpeed, cpuArch: p.CpuArch,
      flavorType: p.FlavorType, networkPorts: p.NetworkPorts, raidTypes: [...new Set(p.RaidTypes)], userDefined: p.UserDefined,
      ownerUin, soldOut: false, hourlyPrice, createdAt: ctx.now,
    };
    await store.transaction(async (tx) => {
      const existing = await findFlavorByName(tx, zone, name);
      if (existing) throw nameTaken('FlavorName', 'flavor', name, zone, existing.id);
      await insertFlavor(tx, flavor).catch(conflictAs(nameTaken('FlavorName', 'flavor', name, zone)));
      await setFlavorImages(tx, flavor.id, imageIds);
    });
    return { FlavorId: flavor.id };
  };
}

export function modifyFlavor({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyFlavorRequest;
    const id = idParam('FlavorId', p.FlavorId, 'flavor');
    if (p.SoldOut === undefined && p.HourlyPrice === undefined && p.RaidTypes === undefined && p.OsImageIds === undefined) throw nothingToModify();
    const hourlyPrice = p.HourlyPrice === undefined ? undefined : priceParam('HourlyPrice', p.HourlyPrice);
    const imageIds = p.OsImageIds === undefined ? undefined : idListParam('OsImageIds', p.OsImageIds, 'img');
    const flavor = await getFlavor(store.db, id);
    if (!flavor || !(await regionZones(store.db, ctx.region)).includes(flavor.zone)) throw flavorNotFound(id);
    if (imageIds) await checkImages(store.db, imageIds, flavor.cpuArch);
    await store.transaction(async (tx) => {
      await updateFlavor(tx, id, {
        ...(p.SoldOut === undefined ? {} : { soldOut: p.SoldOut }),
        ...(hourlyPrice === undefined ? {} : { hourlyPrice }),
        ...(p.RaidTypes === undefined ? {} : { raidTypes: [...new Set(p.RaidTypes)] }),
      });
      if (imageIds) await setFlavorImages(tx, id, imageIds);
      // Billing rates each period at the price in force at its start: keep the history.
      if (hourlyPrice !== undefined && hourlyPrice !== flavor.hourlyPrice) {
        await setPrice(tx, { product: 'flavor', key: id, from: ctx.now, cents: parseCents(hourlyPrice), previousCents: parseCents(flavor.hourlyPrice) });
      }
    });
    return {};
  };
}

/** The owner of a user-defined flavor (an existing tenant account), or null for a standard one. */
async function ownerParam(db: Tx, userDefined: boolean, raw: string | undefined): Promise<string | null> {
  const uin = raw?.trim();
  if (!userDefined) {
    if (uin) throw ownerWithoutUserDefined();
    return null;
  }
  if (!uin) throw missingParameter('OwnerUin');
  const account = await getAccountByUin(db, uin);
  if (!account || account.kind !== 'tenant') throw ownerNotTenant(uin);
  return uin;
}

/** Every image exists (ResourceNotFound) and runs on `cpuArch` (InvalidParameterValue naming it). */
async function checkImages(db: Tx, ids: readonly string[], cpuArch: string): Promise<void> {
  const found = new Map((await getOsImages(db, ids)).map((i) => [i.id, i]));
  ids.forEach((id, i) => {
    const image = found.get(id);
    if (!image) throw imageNotFound(id);
    if (image.cpuArch !== cpuArch) throw archMismatch(`OsImageIds.${i}`, `image ${id} (${image.name})`, image.cpuArch, cpuArch, 'the flavor');
  });
}
