/**
 * Regions and zones (DescribeRegions, DescribeZones).
 *
 * A deployment serves one or more regions, each with zones, recorded in the store by the
 * operator (or seeded on first start). The gateway's region check reads the same records.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { listRegions, listZones } from '../../store/repos/regions.ts';
import type { Handler } from '../types.ts';

export function describeRegions(db: Kysely<Database>): Handler {
  return async (ctx) => {
    const regions = await listRegions(db);
    return {
      TotalCount: regions.length,
      RegionSet: regions.map((r) => ({
        Region: r.region,
        RegionName: ctx.language === 'zh-CN' ? r.name : r.nameEn,
        RegionState: r.state,
      })),
    };
  };
}

export function describeZones(db: Kysely<Database>): Handler {
  return async (ctx) => {
    const zones = await listZones(db, ctx.region);
    return {
      TotalCount: zones.length,
      ZoneSet: zones.map((z) => ({
        Zone: z.zone,
        ZoneName: ctx.language === 'zh-CN' ? z.name : z.nameEn,
        ZoneId: String(z.zoneId),
        ZoneState: z.state,
      })),
    };
  };
}
