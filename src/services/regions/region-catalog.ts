/**
 * The regions and zones this deployment serves, read through a short cache.
 *
 * They change only when an operator adds one, yet every request's region is checked and
 * DescribeZones is among the most frequent calls: one store read per second per process is
 * plenty. A change is visible everywhere within `ttlMs`.
 */
import type { Tx } from '../../store/store.ts';
import { listRegions, listZones, type Region, type Zone } from '../../store/repos/regions.ts';

export interface RegionCatalog {
  regions(): Promise<Region[]>;
  zones(region: string): Promise<Zone[]>;
  /** Synchronous while the snapshot is fresh and knows the region (every request asks). */
  isSupported(region: string): boolean | Promise<boolean>;
}

export function regionCatalog(db: Tx, clock: () => number, ttlMs = 1_000): RegionCatalog {
  let snapshot: { regions: Region[]; zones: Zone[]; until: number } | undefined;
  const load = async () => {
    if (!snapshot || clock() >= snapshot.until) {
      const [regions, zones] = await Promise.all([listRegions(db), listZones(db)]);
      snapshot = { regions, zones, until: clock() + ttlMs };
    }
    return snapshot;
  };
  return {
    regions: async () => (await load()).regions,
    zones: async (region) => (await load()).zones.filter((z) => z.region === region),
    isSupported(region) {
      if (snapshot && clock() < snapshot.until && snapshot.regions.some((r) => r.region === region)) return true;
      return (async () => {
        if ((await load()).regions.some((r) => r.region === region)) return true;
        snapshot = undefined; // a region added a moment ago: look again before refusing
        return (await load()).regions.some((r) => r.region === region);
      })();
    },
  };
}
