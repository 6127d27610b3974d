/**
 * The out-of-band metrics: what the power-state sync read from each BMC (src/reconcile/
 * power-sync.ts) becomes one `bmc` sample per instance — PowerWatts and InletTemp when the
 * hardware reports them, and BmcReachable (1 when the BMC answered, 0 when it did not) — stored
 * through the same ingest path as the agent's.
 */
import type { BmcReading } from '../reconcile/power-sync.ts';
import type { Store } from '../store/store.ts';
import { ingest, type IncomingBatch } from './ingest.ts';

export function bmcReadings(store: Store): (readings: BmcReading[], at: number) => Promise<void> {
  return async (readings, at) => {
    const ts = Math.floor(at / 1000);
    const batches: IncomingBatch[] = readings.map((r) => {
      const values: Record<string, number> = { BmcReachable: r.reachable ? 1 : 0 };
      if (r.sensors?.powerWatts !== undefined && r.sensors.powerWatts >= 0) values.PowerWatts = r.sensors.powerWatts;
      if (r.sensors?.inletTempC !== undefined && r.sensors.inletTempC >= 0) values.InletTemp = r.sensors.inletTempC;
      return { instanceId: r.instanceId, source: 'bmc', samples: [{ ts, values }] };
    });
    await ingest(store, batches, at);
  };
}
