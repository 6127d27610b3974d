/**
 * The `sim` hardware type: a whole datacenter behind the same interfaces as a real one.
 *
 * The driver composes one implementation per concern — `power.ts`, `management.ts`,
 * `raid.ts`, `deploy.ts`, `network.ts`, `sensors.ts` — all reaching the servers through one front door
 * (`bmc.ts`: cabling, addresses, faults, authentication, the in-flight check). What the
 * servers remember lives behind `SimStateStore` (in memory, or the `sim_hardware` table), how
 * long things take in `timing.ts`. Nothing above the driver can tell it from real hardware.
 *
 * Beside the `HardwareDriver`, a sim driver carries `lab`: the control surface an operator or
 * a test uses to rack servers, inject faults and press power buttons (`control.ts`).
 *
 *   const sim = createSimDriver({ timeScale: 1 / 60 });            // in-memory lab
 *   await sim.lab.addServer('srv-1', { inventory, bmc: { address, username, password } });
 *   await sim.power.setPowerState(target, 'on');                   // ~0.33 s at 1/60
 */
import type {
  DeployInterface,
  HardwareDriver,
  ManagementInterface,
  NetworkInterface,
  PowerInterface,
  RaidInterface,
  SensorsInterface,
} from '../interfaces/hardware.ts';
import { SimBmc } from './bmc.ts';
import { SimLab } from './control.ts';
import { simDeploy } from './deploy.ts';
import { InFlightCalls } from './exclusivity.ts';
import { HungCalls } from './hangs.ts';
import { simManagement } from './management.ts';
import { simNetwork } from './network.ts';
import { simPower } from './power.ts';
import { simRaid } from './raid.ts';
import { simSensors } from './sensors.ts';
import { inMemoryStateStore, type SimStateStore } from './state-store.ts';
import { SimTiming, type TimingOptions } from './timing.ts';

export interface SimDriverOptions extends TimingOptions {
  /** Where the servers' state lives. Default: a fresh in-memory lab. */
  state?: SimStateStore;
}

export class SimDriver implements HardwareDriver {
  readonly type = 'sim';
  readonly power: PowerInterface;
  readonly management: ManagementInterface;
  readonly raid: RaidInterface;
  readonly deploy: DeployInterface;
  readonly network: NetworkInterface;
  readonly sensors: SensorsInterface;
  /** The lab's control surface (not part of HardwareDriver). */
  readonly lab: SimLab;
  readonly timing: SimTiming;
  private readonly hangs = new HungCalls();

  constructor(options: SimDriverOptions = {}) {
    this.timing = new SimTiming(options);
    const store = options.state ?? inMemoryStateStore();
    const inFlight = new InFlightCalls(this.timing.now);
    const bmc = new SimBmc({ store, timing: this.timing, inFlight, hangs: this.hangs });
    this.power = simPower(bmc);
    this.management = simManagement(bmc);
    this.raid = simRaid(bmc);
    this.deploy = simDeploy(bmc);
    this.network = simNetwork(bmc);
    this.sensors = simSensors(bmc, this.timing.now);
    this.lab = new SimLab({ store, inFlight, hangs: this.hangs });
  }

  /** Ends every hung call (DriverError `timeout`); call when shutting down. */
  close(): void {
    this.hangs.releaseAll();
  }
}

export function createSimDriver(options: SimDriverOptions = {}): SimDriver {
  return new SimDriver(options);
}
