/**
 * The demo fleet, so that a fresh install has machines to rent at once (layout: demo-catalog.ts).
 *
 * `seedDemoFleet` creates, in the given zones, the OS images, the standard flavors and — in the
 * first zone — one user-defined flavor bound to the demo tenant, then 4 switches × 6 racks × 8
 * simulated servers per zone, each with a random BMC admin password (sealed; the lab keeps its
 * hash). It creates no instances: handing machines over to the demo tenant is the caller's.
 *
 * It is idempotent, in two halves:
 *   1. the rows are written in one transaction together with the setting `seed.demo-fleet`,
 *      which records the result; when the setting exists, nothing is written and the recorded
 *      result is returned. Images and flavors that already exist by name are reused.
 *   2. the simulated hardware is then racked for every seeded server the lab does not have —
 *      none on a second call; all of them after a crash between the two halves.
 *
 * Speed matters (it runs at first start, and in tests): rows go in as multi-row INSERTs, and
 * the lab is asked once which servers it already has.
 */
import { randomBytes } from 'node:crypto';
import type { Tx } from '../../store/store.ts';
import { newId } from '../../shared/ids.ts';
import { getAccountByUin } from '../../store/repos/accounts.ts';
import { addFlavorImages, findFlavorByName, insertFlavor, type Flavor } from '../../store/repos/fleet-flavors.ts';
import { findOsImage, insertOsImage, type OsImage } from '../../store/repos/fleet-os-images.ts';
import { insertRacks, type Rack } from '../../store/repos/fleet-racks.ts';
import { findBySn, getServerHardware, insertServers, type NewServer } from '../../store/repos/fleet-servers.ts';
import { insertSwitches, type Switch } from '../../store/repos/fleet-switches.ts';
import { listZones } from '../../store/repos/regions.ts';
import { getSetting, setSetting } from '../../store/repos/settings.ts';
import type { FleetDeps } from './deps.ts';
import {
  bmcAddress, DEMO_IMAGES, flavorOfSlot, MAX_ZONES, rackName, rackUnit, serialNumber, slotsOfZone, STANDARD_FLAVORS, switchName,
  USER_DEFINED_FLAVOR, RACKS_PER_SWITCH, SWITCHES_PER_ZONE, type DemoFlavor,
} from './demo-catalog.ts';
import { LAB_HARDWARE_TYPE } from '../../drivers/lab.ts';

export const DEMO_FLEET_SETTING = 'seed.demo-fleet';

export interface DemoFleet {
  /** Flavor id by `name@zone`. */
  flavors: Record<string, string>;
  /** How many servers the seed created. */
  servers: number;
  userDefinedFlavorId: string;
}

export interface DemoFleetOptions {
  zones: string[];
  demoAccountUin: string;
  now: number;
}

export async function seedDemoFleet(deps: FleetDeps, opts: DemoFleetOptions): Promise<DemoFleet> {
  const fleet = await deps.store.transaction(async (tx) => {
    const done = await getSetting(tx, DEMO_FLEET_SETTING);
    if (done) return JSON.parse(done) as DemoFleet;
    await checkOptions(tx, opts);
    const seeded = await seedRows(tx, deps, opts);
    await setSetting(tx, DEMO_FLEET_SETTING, JSON.stringify(seeded));
    return seeded;
  });
  await rackMissing(deps, opts.zones);
  return fleet;
}

async function checkOptions(tx: Tx, opts: DemoFleetOptions): Promise<void> {
  const known = new Set((await listZones(tx)).map((z) => z.zone));
  const unknown = opts.zones.filter((z) => !known.has(z));
  if (opts.zones.length === 0 || unknown.length > 0) throw new Error(`seedDemoFleet: unknown zones ${unknown.join(', ') || '(none given)'}`);
  if (opts.zones.length > MAX_ZONES) throw new Error(`seedDemoFleet: at most ${MAX_ZONES} zones, got ${opts.zones.length}`);
  const owner = await getAccountByUin(tx, opts.demoAccountUin);
  if (owner?.kind !== 'tenant') throw new Error(`seedDemoFleet: ${opts.demoAccountUin} is not a tenant account`);
}

async function seedRows(tx: Tx, deps: FleetDeps, opts: DemoFleetOptions): Promise<DemoFleet> {
  const images = await ensureImages(tx, opts.now);
  const flavors: Record<string, string> = {};
  let userDefinedFlavorId = '';
  const switches: Switch[] = [];
  const racks: Rack[] = [];
  const servers: NewServer[] = [];
  for (const [z, zone] of opts.zones.entries()) {
    const inZone = new Map<string, string>();
    for (const def of z === 0 ? [...STANDARD_FLAVORS, USER_DEFINED_FLAVOR] : STANDARD_FLAVORS) {
      const owner = def === USER_DEFINED_FLAVOR ? opts.demoAccountUin : null;
      const id = await ensureFlavor(tx, def, zone, owner, images, opts.now);
      inZone.set(def.name, id);
      flavors[`${def.name}@${zone}`] = id;
      if (owner) userDefinedFlavorId = id;
    }
    const rackIds = layTopology(zone, opts.now, switches, racks);
    for (const { s, r, slot } of slotsOfZone()) {
      const flavorName = flavorOfSlot(z, s, r, slot);
      const rack = racks[rackIds + s * RACKS_PER_SWITCH + r]!;
      servers.push(demoServer(deps, { z, s, r, slot }, rack, flavorByName(flavorName), inZone.get(flavorName)!, opts.now));
    }
  }
  await insertSwitches(tx, switches);
  await insertRacks(tx, racks);
  await insertServers(tx, servers);
  return { flavors, servers: servers.length, userDefinedFlavorId };
}

/** Adds the zone's switches and racks to the lists; returns the index of its first rack. */
function layTopology(zone: string, now: number, switches: Switch[], racks: Rack[]): number {
  const first = racks.length;
  for (let s = 0; s < SWITCHES_PER_ZONE; s++) {
    const sw: Switch = { id: newId('sw'), zone, name: switchName(s), createdAt: now };
    switches.push(sw);
    for (let r = 0; r < RACKS_PER_SWITCH; r++) racks.push({ id: newId('rack'), zone, switchId: sw.id, name: rackName(s, r), createdAt: now });
  }
  return first;
}

function demoServer(
  deps: FleetDeps, at: { z: number; s: number; r: number; slot: number }, rack: Rack, def: DemoFlavor, flavorId: string, now: number,
): NewServer {
  const id = newId('srv');
  const password = randomBytes(12).toString('base64url');
  return {
    id, sn: serialNumber(at.z, at.s, at.r, at.slot), zone: rack.zone, switchId: rack.switchId, rackId: rack.id, rackUnit: rackUnit(at.slot),
    hardwareType: LAB_HARDWARE_TYPE, bmcAddress: bmcAddress(at.z, at.s, at.r, at.slot), bmcUsername: 'admin', bmcPasswordEnc: deps.box.seal(password, id),
    cpuArch: def.cpuArch, ...def.hardware, flavorId, state: 'available', powerState: 'off', createdAt: now,
  };
}

function flavorByName(name: string): DemoFlavor {
  return [...STANDARD_FLAVORS, USER_DEFINED_FLAVOR].find((f) => f.name === name)!;
}

/** The demo images, created where missing; id by `type/name/arch`. */
async function ensureImages(tx: Tx, now: number): Promise<Map<string, OsImage>> {
  const byKey = new Map<string, OsImage>();
  for (const img of DEMO_IMAGES) {
    const key = { osType: img.osType, name: img.name, cpuArch: img.cpuArch };
    const image = (await findOsImage(tx, key)) ?? (await insertOsImage(tx, { id: newId('img'), ...key, createdAt: now }));
    byKey.set(`${img.osType}/${img.name}/${img.cpuArch}`, image);
  }
  return byKey;
}

/** The flavor `def` in `zone`: an existing one of that name is kept as it is; a new one offers every image of its arch. */
async function ensureFlavor(
  tx: Tx, def: DemoFlavor, zone: string, ownerUin: string | null, images: Map<string, OsImage>, now: number,
): Promise<string> {
  const existing = await findFlavorByName(tx, zone, def.name);
  if (existing) return existing.id;
  const flavor: Flavor = {
    id: newId('flavor'), name: def.name, zone, cpu: def.cpu, memory: def.memory, systemDisk: def.systemDisk, netSpeed: def.netSpeed,
    cpuArch: def.cpuArch, flavorType: def.flavorType, networkPorts: def.networkPorts, raidTypes: def.raidTypes,
    userDefined: ownerUin !== null, ownerUin, soldOut: false, hourlyPrice: def.hourlyPrice, createdAt: now,
  };
  await insertFlavor(tx, flavor);
  const offered = [...images.values()].filter((i) => i.cpuArch === def.cpuArch);
  await addFlavorImages(tx, offered.map((i) => ({ flavorId: flavor.id, imageId: i.id })));
  return flavor.id;
}

/** Racks the hardware of every seeded server the lab does not have yet (second half of the seed). */
async function rackMissing(deps: FleetDeps, zones: string[]): Promise<void> {
  const sns = zones.slice(0, MAX_ZONES).flatMap((_, z) => [...slotsOfZone()].map(({ s, r, slot }) => serialNumber(z, s, r, slot)));
  const seeded = await findBySn(deps.store.db, sns);
  const inLab = new Set(await deps.sim.listServers());
  const missing = seeded.filter((x) => !inLab.has(x.id)).map((x) => x.id);
  for (const hw of await getServerHardware(deps.store.db, missing)) {
    if (hw.hardwareType !== LAB_HARDWARE_TYPE) continue;
    const { id, sn, cpuModel, cpuCores, cpuArch, memoryGb, disks, nicPorts } = hw;
    await deps.sim.addServer(id, {
      inventory: { sn, cpuModel, cpuCores, cpuArch: cpuArch as 'X86' | 'ARM', memoryGb, disks, nicPorts },
      bmc: { address: hw.bmcAddress, username: hw.bmcUsername, password: deps.box.open(hw.bmcPasswordEnc, id) },
    });
  }
}
