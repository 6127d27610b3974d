/**
 * The simulated datacenter's state, kept in the store: the adapter between the sim driver's
 * row port and the `sim_hardware` repository.
 */
import type { SimRowStore } from '../drivers/sim/index.ts';
import * as simHardware from '../store/repos/sim-hardware.ts';
import type { Store } from '../store/store.ts';

export function simRows(store: Store): SimRowStore {
  return {
    get: (id) => simHardware.getSimHardware(store.db, id),
    insert: (id, row) => simHardware.insertSimHardware(store.db, id, row),
    updateState: (id, s) => simHardware.updateSimState(store.db, id, s),
    updateFaults: (id, f) => simHardware.updateSimFaults(store.db, id, f),
    delete: (id) => simHardware.deleteSimHardware(store.db, id),
    list: () => simHardware.listSimServerIds(store.db),
  };
}
