/**
 * The lab's control surface: what an operator (or a test) does to the simulated datacenter
 * from the outside — never part of `HardwareDriver`, so nothing that drives servers can use it.
 *
 * - `addServer` racks and cables a server: its inventory and its BMC (address, admin username
 *   and password — only the password's SHA-256 is kept). It starts powered off (or as asked),
 *   disks clean, no RAID, no OS. Adding the same hardware again is a no-op (a seeding step that
 *   is re-run after a crash); different hardware under the same id is `server-exists`.
 * - `removeServer` un-cables it: every later call to it is `unreachable`.
 * - `injectFault` / `clearFaults` / `listFaults` — see `faults.ts`. Clearing also ends calls
 *   that hang on that server.
 * - `pressPowerButton` is a person at the rack: the power changes at once, behind the
 *   control plane's back, and the power-state sync loop has to notice.
 * - `snapshot` is a read-only copy of everything the server holds (no BMC password hashes).
 * - `concurrencyViolations` reports breaches of the one-operation-per-BMC promise.
 *
 * Control calls on an unknown server throw `SimLabError('unknown-server')`.
 */
import { z } from 'zod';
import type { Inventory, PowerStateReading } from '../interfaces/hardware.ts';
import type { ConcurrencyReport, InFlightCalls } from './exclusivity.ts';
import { faultFrom, type SimFault, type SimFaultSpec } from './faults.ts';
import type { HungCalls } from './hangs.ts';
import { SimLabError } from './lab-error.ts';
import type { SimOperation } from './operations.ts';
import { diskSummary, newServerState, passwordMatches, type BmcAccountRecord, type DiskState, type InstalledOs, type SimHardwareSpec, type SimServerState } from './state.ts';
import type { SimStateStore } from './state-store.ts';

export interface SimSnapshot {
  serverId: string;
  inventory: Inventory;
  power: PowerStateReading;
  bootDevice: SimServerState['bootDevice'];
  raid: string | null;
  os: InstalledOs | null;
  /** Each physical disk with its state; disk 0 is the system disk. */
  disks: Array<{ type: string; sizeGb: number; state: DiskState }>;
  /** All disks in one word (`dirty` if any holds data). */
  diskState: DiskState;
  bmc: { address: string; adminUsername: string; accounts: Array<{ username: string; role: string }> };
  heartbeatVlan: number | null;
  faults: SimFault[];
  inFlight: SimOperation[];
  hungCalls: number;
}

export interface SimLabDeps {
  store: SimStateStore;
  inFlight: InFlightCalls;
  hangs: HungCalls;
}

export class SimLab {
  constructor(private readonly deps: SimLabDeps) {}

  async addServer(serverId: string, hardware: SimHardwareSpec, initial: { power?: PowerStateReading } = {}): Promise<SimSnapshot> {
    const state = buildState(serverId, hardware, initial.power);
    const existing = await this.deps.store.load(serverId);
    if (!existing) await this.deps.store.create(serverId, { state, faults: [] });
    else if (!sameHardware(existing.state, state)) {
      throw new SimLabError('server-exists', `sim server ${serverId} is already racked with different hardware`);
    }
    return this.snapshot(serverId);
  }

  /** Un-cables the server; false if it was not there. Calls hanging on it end. */
  async removeServer(serverId: string): Promise<boolean> {
    const removed = await this.deps.store.remove(serverId);
    this.deps.hangs.release(serverId);
    return removed;
  }

  listServers(): Promise<string[]> {
    return this.deps.store.list();
  }

  /** Adds a fault; returns the server's faults afterwards. */
  async injectFault(serverId: string, spec: SimFaultSpec): Promise<SimFault[]> {
    const fault = faultFrom(spec);
    return this.known(serverId, await this.deps.store.updateFaults(serverId, (faults) => [...faults, fault]));
  }

  /** Removes every fault of the server and ends the calls hanging on it. */
  async clearFaults(serverId: string): Promise<void> {
    this.known(serverId, await this.deps.store.updateFaults(serverId, () => []));
    this.deps.hangs.release(serverId);
  }

  async listFaults(serverId: string): Promise<SimFault[]> {
    return this.known(serverId, await this.deps.store.load(serverId)).faults;
  }

  /** Someone at the rack switches the server `to` on or off. */
  async pressPowerButton(serverId: string, to: PowerStateReading): Promise<void> {
    if (to !== 'on' && to !== 'off') throw new SimLabError('invalid', `a power button goes on or off, not ${JSON.stringify(to)}`);
    this.known(
      serverId,
      await this.deps.store.updateState(serverId, (s) => {
        s.power = to;
      }),
    );
  }

  async snapshot(serverId: string): Promise<SimSnapshot> {
    const { state, faults } = this.known(serverId, await this.deps.store.load(serverId));
    return {
      serverId,
      inventory: state.inventory,
      power: state.power,
      bootDevice: state.bootDevice,
      raid: state.raid,
      os: state.os,
      disks: state.inventory.disks.map((d, i) => ({ ...d, state: state.disks[i]! })),
      diskState: diskSummary(state.disks),
      bmc: {
        address: state.bmc.address,
        adminUsername: state.bmc.adminUsername,
        accounts: state.bmc.accounts.map(({ username, role }) => ({ username, role })),
      },
      heartbeatVlan: state.heartbeatVlan,
      faults,
      inFlight: this.deps.inFlight.inFlight(serverId),
      hungCalls: this.deps.hangs.count(serverId),
    };
  }

  /**
   * The role of `username` on the server's BMC if `password` is its password, else null — how
   * a face of the lab (the Redfish listener) checks a login without holding password hashes.
   */
  async authenticate(serverId: string, username: string, password: string): Promise<BmcAccountRecord['role'] | null> {
    const record = await this.deps.store.load(serverId);
    const account = record?.state.bmc.accounts.find((a) => a.username === username);
    return account && passwordMatches(account, password) ? account.role : null;
  }

  concurrencyViolations(): ConcurrencyReport {
    return this.deps.inFlight.report();
  }

  private known<T>(serverId: string, found: T | undefined): T {
    if (found === undefined) throw new SimLabError('unknown-server', `the lab has no server ${serverId}`);
    return found;
  }
}

function buildState(serverId: string, hardware: SimHardwareSpec, power: PowerStateReading = 'off'): SimServerState {
  if (typeof serverId !== 'string' || serverId === '') throw new SimLabError('invalid', 'a sim server needs an id');
  const bmc = hardware?.bmc;
  if (!bmc?.address || !bmc.username || !bmc.password) {
    throw new SimLabError('invalid', `sim server ${serverId} needs a BMC address, admin username and password`);
  }
  if (power !== 'on' && power !== 'off') throw new SimLabError('invalid', `initial power must be on or off, not ${JSON.stringify(power)}`);
  try {
    return newServerState(hardware, power);
  } catch (error) {
    if (error instanceof z.ZodError) throw new SimLabError('invalid', `sim server ${serverId}: ${z.prettifyError(error)}`);
    throw error;
  }
}

function sameHardware(a: SimServerState, b: SimServerState): boolean {
  const admin = (s: SimServerState) => s.bmc.accounts.find((x) => x.username === s.bmc.adminUsername)?.passwordSha256;
  return (
    JSON.stringify(a.inventory) === JSON.stringify(b.inventory) &&
    a.bmc.address === b.bmc.address &&
    a.bmc.adminUsername === b.bmc.adminUsername &&
    admin(a) === admin(b)
  );
}
