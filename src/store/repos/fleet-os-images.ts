/**
 * OS images: the operating systems a flavor can install.
 *
 * An image is a name as tenants write it in `RunInstances.OperatingSystem` ("CentOS 7.9"), its
 * type (Linux, Windows, Other — the tenant's `OperatingSystemType`) and the CPU architecture it
 * runs on; (type, name, architecture) is unique (`os_images_type_name_arch_key`), so "Ubuntu
 * 22.04" exists once for X86 and once for ARM. Images are global — not per zone — and are
 * offered per flavor through `flavor_os_images` (see fleet-flavors.ts).
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, OsImagesTable } from '../schema.ts';
import type { Page } from './fleet-switches.ts';
import { conditionsOn, type ListCondition } from './list-conditions.ts';

export interface OsImage {
  id: string;
  osType: string;
  name: string;
  cpuArch: string;
  createdAt: number;
}

export interface OsImageSummary extends OsImage {
  /** How many flavors offer the image. */
  flavorCount: number;
}

export type OsImageCondition = ListCondition<'id' | 'os_type' | 'name' | 'cpu_arch'>;

/** Inserts `image`; ConflictError when (type, name, architecture) exists. */
export async function insertOsImage(db: Kysely<Database>, image: OsImage): Promise<OsImage> {
  await translatingConflicts(db.insertInto('os_images').values(toRow(image)).execute());
  return image;
}

export async function findOsImage(db: Kysely<Database>, key: { osType: string; name: string; cpuArch: string }): Promise<OsImage | undefined> {
  const row = await db.selectFrom('os_images').selectAll()
    .where('os_type', '=', key.osType).where('name', '=', key.name).where('cpu_arch', '=', key.cpuArch).executeTakeFirst();
  return row && toImage(row);
}

/** The images among `ids` that exist (in no particular order). */
export async function getOsImages(db: Kysely<Database>, ids: readonly string[]): Promise<OsImage[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('os_images').selectAll().where('id', 'in', ids).execute()).map(toImage);
}

/** One page of images (by architecture, type, name) satisfying every condition, with flavor counts and the total. */
export async function listOsImages(
  db: Kysely<Database>, conditions: readonly OsImageCondition[], page: Page,
): Promise<{ total: number; items: OsImageSummary[] }> {
  const matching = conditionsOn('os_images', conditions);
  if (!matching) return { total: 0, items: [] };
  let base = db.selectFrom('os_images');
  for (const m of matching) base = base.where(m);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('os_images')
    .select((eb) => eb.selectFrom('flavor_os_images').whereRef('flavor_os_images.image_id', '=', 'os_images.id')
      .select((e) => e.fn.countAll<number | string | bigint>().as('n')).as('flavor_count'))
    .orderBy('os_images.cpu_arch').orderBy('os_images.os_type').orderBy('os_images.name').orderBy('os_images.id')
    .offset(page.offset).limit(page.limit)
    .execute();
  return { total: Number(counted.n), items: rows.map((r) => ({ ...toImage(r), flavorCount: Number(r.flavor_count ?? 0) })) };
}

function toRow(i: OsImage): OsImagesTable {
  return { id: i.id, os_type: i.osType, name: i.name, cpu_arch: i.cpuArch, created_at: i.createdAt };
}

function toImage(row: Selectable<OsImagesTable>): OsImage {
  return { id: row.id, osType: row.os_type, name: row.name, cpuArch: row.cpu_arch, createdAt: Number(row.created_at) };
}
