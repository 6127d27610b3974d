/**
 * The hardware driver interfaces: everything above this line talks to servers only through them.
 *
 * A hardware type (`sim`, `redfish`) combines one implementation of each concern — power,
 * management (boot device, BMC accounts, inventory), RAID, deploy (install an OS, wipe disks)
 * and network (switch ports). Flows never branch on the hardware type; a concern a type cannot
 * do throws `DriverError` with kind `unsupported`. Every method is idempotent: calling it again
 * after a crash, for a state already reached, succeeds without redoing harm.
 *
 * Calls take a `ServerTarget`: which server and how to reach its BMC (the admin credentials are
 * opened from the store by the caller and live only in memory).
 */

export interface ServerTarget {
  serverId: string;
  sn: string;
  bmc: { address: string; username: string; password: string };
}

export type PowerStateReading = 'on' | 'off';
export type BootDevice = 'disk' | 'pxe' | 'cdrom';

export interface PowerInterface {
  getPowerState(target: ServerTarget): Promise<PowerStateReading>;
  /** Drives the server to `state`; a no-op when it is already there. */
  setPowerState(target: ServerTarget, state: PowerStateReading): Promise<void>;
  /** Power-cycles a running server (powers it on if it is off). */
  reboot(target: ServerTarget): Promise<void>;
}

export interface BmcAccount {
  username: string;
  password: string;
  role: 'Operator' | 'ReadOnly' | 'Administrator';
}

export interface Inventory {
  sn: string;
  cpuModel: string;
  cpuCores: number;
  cpuArch: 'X86' | 'ARM';
  memoryGb: number;
  disks: Array<{ type: string; sizeGb: number }>;
  nicPorts: number;
}

export interface ManagementInterface {
  setBootDevice(target: ServerTarget, device: BootDevice): Promise<void>;
  /** Creates or updates a BMC account (same username → password and role replaced). */
  ensureBmcAccount(target: ServerTarget, account: BmcAccount): Promise<void>;
  /** Removes a BMC account; a no-op when it does not exist. */
  removeBmcAccount(target: ServerTarget, username: string): Promise<void>;
  readInventory(target: ServerTarget): Promise<Inventory>;
}

export interface RaidInterface {
  /** Builds the array for `raidType` (e.g. RAID0, RAID1, RAID5, RAID10, NORAID) across the data disks. */
  buildRaid(target: ServerTarget, raidType: string): Promise<void>;
}

/** What the installer needs: rendered as cloud-init NoCloud by drivers that boot a real one. */
export interface InstallConfig {
  instanceId: string;
  osType: string;
  osName: string;
  hostName: string;
  /** SHA-512 crypt hash of the login password; the clear password never reaches a driver. */
  passwordHash: string;
  network: {
    address: string;
    prefixLength: number;
    gateway: string;
    backupAddresses: string[];
    /** The heartbeat VLAN, when the instance is in a heartbeat group. */
    vlan?: number;
    /** The instance's IPv6 address, when it has one. */
    ipv6?: { address: string; prefixLength: number; gateway?: string };
  };
  /**
   * The monitoring agent to install and start (EnhancedService.MonitorService): where it pushes
   * and the instance's own credential (a secret: the installer writes it to a root-only file).
   */
  monitorAgent?: { endpoint: string; token: string; intervalSeconds: number };
}

export interface DeployInterface {
  /**
   * Boots the installer, installs the OS, waits for the installer's authenticated callback,
   * and leaves the server set to boot from disk. Idempotent for the same `instanceId`.
   */
  installOs(target: ServerTarget, config: InstallConfig): Promise<void>;
  /** Erases every disk (cleaning); `system` erases only the system disk (reinstall). */
  wipeDisks(target: ServerTarget, scope: 'all' | 'system'): Promise<void>;
}

export interface NetworkInterface {
  /** Puts the server's heartbeat port into `vlan` (undefined: back to the default VLAN). */
  setHeartbeatVlan(target: ServerTarget, vlan: number | undefined): Promise<void>;
}

/**
 * What the BMC itself measures, read out of band (no agent on the host needed). A reading the
 * hardware does not offer is absent rather than zero.
 */
export interface SensorReading {
  /** Power the server draws now, in watts. */
  powerWatts?: number;
  /** Inlet (ambient) temperature, in degrees Celsius. */
  inletTempC?: number;
}

export interface SensorsInterface {
  readSensors(target: ServerTarget): Promise<SensorReading>;
}

export interface HardwareDriver {
  readonly type: string;
  readonly power: PowerInterface;
  readonly management: ManagementInterface;
  readonly raid: RaidInterface;
  readonly deploy: DeployInterface;
  readonly network: NetworkInterface;
  /** BMC sensors (power, inlet temperature), read by the power-state sync for monitoring. */
  readonly sensors: SensorsInterface;
}

export type DriverErrorKind = 'unreachable' | 'failed' | 'timeout' | 'unsupported';

/** A hardware failure, translated where it enters: flows decide on `kind`, never on the message. */
export class DriverError extends Error {
  readonly kind: DriverErrorKind;
  readonly operation: string;

  constructor(kind: DriverErrorKind, operation: string, message: string) {
    super(message);
    this.name = 'DriverError';
    this.kind = kind;
    this.operation = operation;
  }
}

/** What the install path needs from the service (src/install): media URLs and the callback. */
export interface InstallMediaPort {
  /** Registers (idempotently) the install of `config` on `target`; returns the URLs to insert. */
  prepare(target: ServerTarget, config: InstallConfig): Promise<{ installerUrl: string; configUrl: string }>;
  /** Whether the installer of `instanceId` has called back (authenticated by its token). */
  completed(instanceId: string): Promise<boolean>;
  /** The install of `instanceId` is over: its URLs stop working. */
  finished?(instanceId: string): Promise<void>;
}
