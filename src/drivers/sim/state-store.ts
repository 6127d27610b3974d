/**
 * Where the simulated servers' state lives: the port, and its two implementations.
 *
 * The driver reaches state only through `SimStateStore`. Underneath sits a `SimRowStore`: one
 * row per server holding two strings (`state`, `faults`), which is exactly what the
 * `sim_hardware` table stores. Two row stores exist:
 *
 * - `memoryRows()` here — a Map; a lab that vanishes with the process (tests, quick demos);
 * - the database, via `src/store/repos/sim-hardware.ts` — the lab survives restarts and is
 *   shared by every server process on one PostgreSQL. The repository cannot import the driver,
 *   so the composition root adapts it (each method is a one-line call):
 *
 *       const rows: SimRowStore = {
 *         get: (id) => simHardware.getSimHardware(store.db, id),
 *         insert: (id, row) => simHardware.insertSimHardware(store.db, id, row),
 *         updateState: (id, state) => simHardware.updateSimState(store.db, id, state),
 *         updateFaults: (id, faults) => simHardware.updateSimFaults(store.db, id, faults),
 *         delete: (id) => simHardware.deleteSimHardware(store.db, id),
 *         list: () => simHardware.listSimServerIds(store.db),
 *       };
 *       createSimDriver({ state: rowBackedStateStore(rows), timeScale });
 *
 * Both go through the same JSON codec, so the in-memory lab cannot differ from the stored one
 * (no shared object can be mutated behind the store's back). Changes are read-modify-write
 * functions, run one at a time per server within a process, so a power-button press landing
 * in the middle of a long install is not lost when the install saves. State and faults are
 * separate columns: consuming a fault never rewrites the state, and vice versa.
 */
import { decodeFaults, decodeState, encodeFaults, encodeState } from './codec.ts';
import type { SimFault } from './faults.ts';
import type { SimServerState } from './state.ts';

export interface SimRow {
  state: string;
  faults: string;
}

/** Storage of opaque rows, one per server (the shape of the `sim_hardware` table). */
export interface SimRowStore {
  get(serverId: string): Promise<SimRow | undefined>;
  /** Creates the row; rejects if it exists. */
  insert(serverId: string, row: SimRow): Promise<void>;
  /** False when there is no row. */
  updateState(serverId: string, state: string): Promise<boolean>;
  updateFaults(serverId: string, faults: string): Promise<boolean>;
  delete(serverId: string): Promise<boolean>;
  list(): Promise<string[]>;
}

export interface SimRecord {
  state: SimServerState;
  faults: SimFault[];
}

/** The driver's view of the lab's persistence. A server without a record is not cabled. */
export interface SimStateStore {
  load(serverId: string): Promise<SimRecord | undefined>;
  create(serverId: string, record: SimRecord): Promise<void>;
  /** Applies `change` to the current state and saves it; undefined if the server is gone. */
  updateState(serverId: string, change: (state: SimServerState) => void): Promise<SimServerState | undefined>;
  /** Replaces the faults by `change(current)`; undefined if the server is gone. */
  updateFaults(serverId: string, change: (faults: SimFault[]) => SimFault[]): Promise<SimFault[] | undefined>;
  remove(serverId: string): Promise<boolean>;
  list(): Promise<string[]>;
}

/** The state store over any row store (memory or database). */
export function rowBackedStateStore(rows: SimRowStore): SimStateStore {
  const serial = new PerServerQueue();
  const load = async (serverId: string): Promise<SimRecord | undefined> => {
    const row = await rows.get(serverId);
    return row && { state: decodeState(serverId, row.state), faults: decodeFaults(serverId, row.faults) };
  };
  return {
    load,
    create: (serverId, record) =>
      rows.insert(serverId, { state: encodeState(record.state), faults: encodeFaults(record.faults) }),
    updateState: (serverId, change) =>
      serial.run(serverId, async () => {
        const record = await load(serverId);
        if (!record) return undefined;
        change(record.state);
        return (await rows.updateState(serverId, encodeState(record.state))) ? record.state : undefined;
      }),
    updateFaults: (serverId, change) =>
      serial.run(serverId, async () => {
        const record = await load(serverId);
        if (!record) return undefined;
        const faults = change(record.faults);
        return (await rows.updateFaults(serverId, encodeFaults(faults))) ? faults : undefined;
      }),
    remove: (serverId) => serial.run(serverId, () => rows.delete(serverId)),
    list: () => rows.list(),
  };
}

/** Rows in a Map: the lab lives as long as the process. */
export function memoryRows(): SimRowStore {
  const map = new Map<string, SimRow>();
  const update = async (serverId: string, patch: Partial<SimRow>) => {
    const row = map.get(serverId);
    if (row) map.set(serverId, { ...row, ...patch });
    return row !== undefined;
  };
  return {
    get: async (serverId) => map.get(serverId),
    insert: async (serverId, row) => {
      if (map.has(serverId)) throw new Error(`sim hardware of ${serverId} already exists`);
      map.set(serverId, { ...row });
    },
    updateState: (serverId, state) => update(serverId, { state }),
    updateFaults: (serverId, faults) => update(serverId, { faults }),
    delete: async (serverId) => map.delete(serverId),
    list: async () => [...map.keys()].sort(),
  };
}

/** An in-memory lab. */
export function inMemoryStateStore(): SimStateStore {
  return rowBackedStateStore(memoryRows());
}

/** Runs tasks one after another per server id (different servers run side by side). */
class PerServerQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(serverId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(serverId) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(serverId, tail);
    void tail.then(() => {
      if (this.tails.get(serverId) === tail) this.tails.delete(serverId);
    });
    return result;
  }
}
