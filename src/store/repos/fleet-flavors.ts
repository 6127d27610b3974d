/**
 * Flavors: what is sold — a machine type in one zone, its price, RAID layouts and OS images.
 *
 * A standard flavor is visible to every tenant; a user-defined one is bound to one tenant
 * (`ownerUin`). The tenant-facing DescribeFlavors reads the same table; this repository is the
 * operator's side, which also writes. Names are unique per zone (`flavors_zone_name_key`).
 * The images a flavor offers are rows of `flavor_os_images`; `setFlavorImages` replaces the
 * whole set, which is what ModifyFlavor means by a new list.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, Flag, FlavorsTable } from '../schema.ts';
import type { Page } from './fleet-switches.ts';
import type { OsImage } from './fleet-os-images.ts';
import { containsIgnoringCase } from './list-conditions.ts';

export interface Flavor {
  id: string;
  name: string;
  zone: string;
  cpu: string;
  memory: string;
  systemDisk: string;
  netSpeed: string;
  cpuArch: string;
  flavorType: string;
  networkPorts: number;
  raidTypes: string[];
  userDefined: boolean;
  ownerUin: string | null;
  soldOut: boolean;
  /** Decimal string with two decimals ("12.00"). */
  hourlyPrice: string;
  createdAt: number;
}

export interface FlavorChanges {
  soldOut?: boolean;
  hourlyPrice?: string;
  raidTypes?: string[];
}

/** A listing condition: the column equals one of `values` (or, with `contains`, holds one as a substring). */
export type FlavorCondition =
  | { column: 'id' | 'zone' | 'cpu_arch' | 'owner_uin'; values: readonly string[] }
  | { column: 'name'; values: readonly string[]; contains: true }
  | { column: 'user_defined'; values: readonly Flag[] };

/** Inserts `f`; ConflictError when its zone already has a flavor of that name. */
export async function insertFlavor(db: Kysely<Database>, f: Flavor): Promise<Flavor> {
  await translatingConflicts(db.insertInto('flavors').values(toRow(f)).execute());
  return f;
}

export async function getFlavor(db: Kysely<Database>, id: string): Promise<Flavor | undefined> {
  const row = await db.selectFrom('flavors').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toFlavor(row);
}

/** The flavors among `ids` that exist (in no particular order). */
export async function getFlavors(db: Kysely<Database>, ids: readonly string[]): Promise<Flavor[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('flavors').selectAll().where('id', 'in', ids).execute()).map(toFlavor);
}

export async function findFlavorByName(db: Kysely<Database>, zone: string, name: string): Promise<Flavor | undefined> {
  const row = await db.selectFrom('flavors').selectAll().where('zone', '=', zone).where('name', '=', name).executeTakeFirst();
  return row && toFlavor(row);
}

export async function updateFlavor(db: Kysely<Database>, id: string, changes: FlavorChanges): Promise<void> {
  const set: Partial<FlavorsTable> = {};
  if (changes.soldOut !== undefined) set.sold_out = changes.soldOut ? 1 : 0;
  if (changes.hourlyPrice !== undefined) set.hourly_price = changes.hourlyPrice;
  if (changes.raidTypes !== undefined) set.raid_types = JSON.stringify(changes.raidTypes);
  if (Object.keys(set).length > 0) await db.updateTable('flavors').set(set).where('id', '=', id).execute();
}

/** Makes `imageIds` the flavor's whole image list. */
export async function setFlavorImages(db: Kysely<Database>, flavorId: string, imageIds: readonly string[]): Promise<void> {
  await db.deleteFrom('flavor_os_images').where('flavor_id', '=', flavorId).execute();
  await addFlavorImages(db, imageIds.map((imageId) => ({ flavorId, imageId })));
}

/** Adds image offers in one statement (seeding); each pair must be new. */
export async function addFlavorImages(db: Kysely<Database>, pairs: ReadonlyArray<{ flavorId: string; imageId: string }>): Promise<void> {
  if (pairs.length === 0) return;
  await translatingConflicts(db.insertInto('flavor_os_images').values(pairs.map((p) => ({ flavor_id: p.flavorId, image_id: p.imageId }))).execute());
}

/** The images each of `flavorIds` offers, by type then name. */
export async function imagesOfFlavors(db: Kysely<Database>, flavorIds: readonly string[]): Promise<Map<string, OsImage[]>> {
  const byFlavor = new Map<string, OsImage[]>();
  if (flavorIds.length === 0) return byFlavor;
  const rows = await db.selectFrom('flavor_os_images').innerJoin('os_images', 'os_images.id', 'flavor_os_images.image_id')
    .select(['flavor_os_images.flavor_id', 'os_images.id', 'os_images.os_type', 'os_images.name', 'os_images.cpu_arch', 'os_images.created_at'])
    .where('flavor_os_images.flavor_id', 'in', flavorIds).orderBy('os_images.os_type').orderBy('os_images.name').execute();
  for (const r of rows) {
    const list = byFlavor.get(r.flavor_id) ?? [];
    list.push({ id: r.id, osType: r.os_type, name: r.name, cpuArch: r.cpu_arch, createdAt: Number(r.created_at) });
    byFlavor.set(r.flavor_id, list);
  }
  return byFlavor;
}

/** One page of the flavors of `zones` (by zone, then name) satisfying every condition, with the total. */
export async function listFlavors(
  db: Kysely<Database>, zones: readonly string[], conditions: readonly FlavorCondition[], page: Page,
): Promise<{ total: number; items: Flavor[] }> {
  if (zones.length === 0) return { total: 0, items: [] };
  let base = db.selectFrom('flavors').where('zone', 'in', zones);
  for (const c of conditions) {
    if (c.values.length === 0) return { total: 0, items: [] };
    if (c.column === 'user_defined') base = base.where('user_defined', 'in', c.values);
    else if (c.column === 'name') base = base.where((eb) => eb.or(c.values.map((v) => containsIgnoringCase('flavors.name', v))));
    else base = base.where(c.column, 'in', c.values);
  }
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('zone').orderBy('name').orderBy('id').offset(page.offset).limit(page.limit).execute();
  return { total: Number(counted.n), items: rows.map(toFlavor) };
}

function toRow(f: Flavor): FlavorsTable {
  return {
    id: f.id, name: f.name, zone: f.zone, cpu: f.cpu, memory: f.memory, system_disk: f.systemDisk, net_speed: f.netSpeed,
    cpu_arch: f.cpuArch, flavor_type: f.flavorType, network_ports: f.networkPorts, raid_types: JSON.stringify(f.raidTypes),
    user_defined: f.userDefined ? 1 : 0, owner_uin: f.ownerUin, sold_out: f.soldOut ? 1 : 0, hourly_price: f.hourlyPrice,
    created_at: f.createdAt,
  };
}

function toFlavor(row: Selectable<FlavorsTable>): Flavor {
  return {
    id: row.id, name: row.name, zone: row.zone, cpu: row.cpu, memory: row.memory, systemDisk: row.system_disk,
    netSpeed: row.net_speed, cpuArch: row.cpu_arch, flavorType: row.flavor_type, networkPorts: Number(row.network_ports),
    raidTypes: JSON.parse(row.raid_types) as string[], userDefined: Number(row.user_defined) === 1, ownerUin: row.owner_uin,
    soldOut: Number(row.sold_out) === 1, hourlyPrice: row.hourly_price, createdAt: Number(row.created_at),
  };
}
