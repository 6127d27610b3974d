/**
 * Regions and zones: the geography DescribeRegions / DescribeZones report.
 *
 * The set is small and configured rather than created through the API, so writes are upserts:
 * loading the same configuration at every start converges on it. A zone belongs to one region
 * and carries both its textual id (`ap-guangzhou-3`) and its numeric `zoneId` (100003).
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, RegionsTable, ZonesTable } from '../schema.ts';

export interface Region {
  region: string;
  name: string;
  nameEn: string;
  state: string;
}

export interface Zone {
  zone: string;
  region: string;
  zoneId: number;
  name: string;
  nameEn: string;
  state: string;
}

/** Inserts the region, or updates it if one with that id exists. */
export async function upsertRegion(db: Kysely<Database>, region: Region): Promise<Region> {
  const row: RegionsTable = { region: region.region, name: region.name, name_en: region.nameEn, state: region.state };
  await db
    .insertInto('regions')
    .values(row)
    .onConflict((oc) => oc.column('region').doUpdateSet({ name: row.name, name_en: row.name_en, state: row.state }))
    .execute();
  return region;
}

/** Inserts the zone, or updates it; ConflictError if its zoneId belongs to another zone. */
export async function upsertZone(db: Kysely<Database>, zone: Zone): Promise<Zone> {
  const row = toZoneRow(zone);
  const { region, zone_id, name, name_en, state } = row;
  await translatingConflicts(
    db
      .insertInto('zones')
      .values(row)
      .onConflict((oc) => oc.column('zone').doUpdateSet({ region, zone_id, name, name_en, state }))
      .execute(),
  );
  return zone;
}

export async function listRegions(db: Kysely<Database>): Promise<Region[]> {
  const rows = await db.selectFrom('regions').selectAll().orderBy('region').execute();
  return rows.map(toRegion);
}

/** All zones, or those of one region, ordered by numeric zone id. */
export async function listZones(db: Kysely<Database>, region?: string): Promise<Zone[]> {
  let query = db.selectFrom('zones').selectAll().orderBy('zone_id');
  if (region !== undefined) query = query.where('region', '=', region);
  return (await query.execute()).map(toZone);
}

function toRegion(row: Selectable<RegionsTable>): Region {
  return { region: row.region, name: row.name, nameEn: row.name_en, state: row.state };
}

function toZoneRow(z: Zone): ZonesTable {
  return { zone: z.zone, region: z.region, zone_id: z.zoneId, name: z.name, name_en: z.nameEn, state: z.state };
}

function toZone(row: Selectable<ZonesTable>): Zone {
  return {
    zone: row.zone,
    region: row.region,
    zoneId: row.zone_id,
    name: row.name,
    nameEn: row.name_en,
    state: row.state,
  };
}
