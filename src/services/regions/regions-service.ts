/**
 * Regions and zones (DescribeRegions, DescribeZones).
 *
 * A deployment serves one or more regions, each with zones, recorded in the store by the
 * operator (or seeded on first start). The gateway's region check reads the same records.
 */
import type { Handler } from '../types.ts';
import type { RegionCatalog } from './region-catalog.ts';

export function describeRegions(catalog: RegionCatalog): Handler {
  return async (ctx) => {
    const regions = await catalog.regions();
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

export function describeZones(catalog: RegionCatalog): Handler {
  return async (ctx) => {
    const zones = await catalog.zones(ctx.region);
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
