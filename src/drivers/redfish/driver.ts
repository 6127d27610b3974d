/**
 * The `redfish` hardware type: every driver concern over DMTF Redfish (iDRAC, iLO, XCC,
 * Supermicro, OpenBMC, the sushy-tools emulator, BMS's own lab face).
 *
 * | concern     | Redfish                                                                  |
 * |-------------|--------------------------------------------------------------------------|
 * | power       | System `PowerState`; `ComputerSystem.Reset` On / GracefulShutdown → ForceOff after `gracefulOffMs` / ForceRestart; polled until the BMC reports the state |
 * | boot        | PATCH `Boot.BootSourceOverrideTarget` (Pxe, Cd, Hdd) with `Enabled: Once`, If-Match |
 * | media       | Manager (or System) `VirtualMedia`: InsertMedia / EjectMedia, verified by reading back `Image` and `Inserted` |
 * | RAID        | `Storage/<id>/Volumes`: delete what differs, POST one volume of the asked `RAIDType` over the drives; a BMC without Volumes is `unsupported` (documented, the flow skips the step) |
 * | accounts    | `AccountService/Accounts` POST / PATCH / DELETE (or fixed slots, per profile); the admin account BMS drives the BMC with is refused |
 * | inventory   | System `SerialNumber`, Processors, `MemorySummary`, Storage Drives, EthernetInterfaces |
 * | sensors     | Chassis `Power.PowerControl[0].PowerConsumedWatts`, `Thermal.Temperatures` (intake) |
 * | deploy      | install: the installer ISO and the per-instance NoCloud seed inserted as virtual media, boot Cd once, wait for the installer's authenticated callback (`InstallMediaPort`), eject, boot Hdd; wipe: `Drive.SecureErase` where offered, else `unsupported` |
 * | network     | the heartbeat VLAN lives on the switch, not the BMC: `unsupported` |
 */
import {
  DriverError,
  type BmcAccount,
  type BootDevice,
  type DeployInterface,
  type HardwareDriver,
  type InstallConfig,
  type InstallMediaPort,
  type Inventory,
  type ManagementInterface,
  type NetworkInterface,
  type PowerInterface,
  type PowerStateReading,
  type RaidInterface,
  type SensorReading,
  type SensorsInterface,
  type ServerTarget,
} from '../interfaces/hardware.ts';
import { unsupportedNetwork } from '../noop/unsupported.ts';
import { RedfishClient, link, str, type ClientOptions, type Conversation, type Json } from './client.ts';

export type { InstallMediaPort };

export interface RedfishDriverOptions extends ClientOptions {
  media?: InstallMediaPort;
  client?: RedfishClient;
}

const BOOT_TARGET: Record<BootDevice, string> = { disk: 'Hdd', pxe: 'Pxe', cdrom: 'Cd' };
const ROLE: Record<BmcAccount['role'], string> = { Operator: 'Operator', ReadOnly: 'ReadOnly', Administrator: 'Administrator' };

export class RedfishDriver implements HardwareDriver {
  readonly type = 'redfish';
  readonly client: RedfishClient;
  readonly power: PowerInterface;
  readonly management: ManagementInterface;
  readonly raid: RaidInterface;
  readonly deploy: DeployInterface;
  readonly network: NetworkInterface = unsupportedNetwork('redfish (the heartbeat VLAN is configured on the switch, not through the BMC)');
  readonly sensors: SensorsInterface;

  constructor(options: RedfishDriverOptions = {}) {
    const client = (this.client = options.client ?? new RedfishClient(options));
    const media = options.media;
    this.power = {
      getPowerState: (t) => client.operation(t, 'getPowerState', 'read', (c) => readPower(c)),
      setPowerState: (t, state) => client.operation(t, 'setPowerState', 'power', (c) => drivePower(c, state)),
      reboot: (t) => client.operation(t, 'reboot', 'power', (c) => reboot(c)),
    };
    this.management = {
      setBootDevice: (t, device) => client.operation(t, 'setBootDevice', 'boot', (c) => setBoot(c, device)),
      ensureBmcAccount: (t, account) => client.operation(t, 'ensureBmcAccount', 'accounts', (c) => ensureAccount(c, account)),
      removeBmcAccount: (t, username) => client.operation(t, 'removeBmcAccount', 'accounts', (c) => removeAccount(c, username)),
      readInventory: (t) => client.operation(t, 'readInventory', 'read', (c) => readInventory(c)),
    };
    this.raid = { buildRaid: (t, raidType) => client.operation(t, 'buildRaid', 'raid', (c) => buildRaid(c, raidType)) };
    this.deploy = {
      installOs: (t, config) => client.operation(t, 'installOs', 'install', (c) => install(c, media, config)),
      wipeDisks: (t, scope) => client.operation(t, 'wipeDisks', 'erase', (c) => wipe(c, scope)),
    };
    this.sensors = { readSensors: (t) => client.operation(t, 'readSensors', 'read', (c) => readSensors(c)) };
  }

  /** Virtual media, outside the interfaces: what is inserted now (verify), insert, eject. */
  readonly media = {
    list: (t: ServerTarget) => this.client.operation(t, 'listVirtualMedia', 'read', (c) => listMedia(c)),
    insert: (t: ServerTarget, slot: 'installer' | 'config', image: string) =>
      this.client.operation(t, 'insertVirtualMedia', 'media', (c) => insertMedia(c, slot, image)),
    ejectAll: (t: ServerTarget) => this.client.operation(t, 'ejectVirtualMedia', 'media', (c) => ejectAll(c)),
  };

  /** The BMC's accounts (usernames and roles; never passwords), outside the interfaces. */
  listBmcAccounts(t: ServerTarget): Promise<Array<{ username: string; role: string }>> {
    return this.client.operation(t, 'listBmcAccounts', 'read', async (c) =>
      (await listAccounts(c)).filter((a) => str(a.body.UserName)).map((a) => ({ username: String(a.body.UserName), role: String(a.body.RoleId ?? '') })));
  }

  close(): void {
    this.client.close();
  }
}

export function createRedfishDriver(options: RedfishDriverOptions = {}): RedfishDriver {
  return new RedfishDriver(options);
}

// ---- power --------------------------------------------------------------------------------

function powerOf(system: Json): PowerStateReading {
  const s = str(system.PowerState);
  return s === 'On' || s === 'PoweringOff' ? 'on' : 'off';
}

async function readPower(c: Conversation): Promise<PowerStateReading> {
  return powerOf(await c.get(c.service.systemPath));
}

function resetTypes(system: Json): string[] | undefined {
  const action = (system.Actions as Json | undefined)?.['#ComputerSystem.Reset'] as Json | undefined;
  return action?.['ResetType@Redfish.AllowableValues'] as string[] | undefined;
}

function resetPath(c: Conversation, system: Json): string {
  const action = (system.Actions as Json | undefined)?.['#ComputerSystem.Reset'] as Json | undefined;
  const target = str(action?.target);
  if (!target) throw c.unsupported(`the system at ${c.address.origin}${c.service.systemPath} offers no ComputerSystem.Reset action`);
  return target;
}

async function reset(c: Conversation, system: Json, type: string): Promise<void> {
  await c.post(resetPath(c, system), { ResetType: type });
}

/** Polls the power state until it is `want` or `untilMs` (clock) passes; returns whether reached. */
async function waitPower(c: Conversation, want: PowerStateReading, untilMs = Infinity): Promise<boolean> {
  for (;;) {
    if ((await readPower(c)) === want) return true;
    if (Date.now() >= untilMs) return false;
    await c.pause();
  }
}

async function drivePower(c: Conversation, state: PowerStateReading): Promise<void> {
  if (state !== 'on' && state !== 'off') throw c.failure(`unknown power state ${JSON.stringify(state)}`);
  const system = await c.get(c.service.systemPath);
  if (powerOf(system) === state) return;
  const allowed = resetTypes(system);
  const can = (t: string) => !allowed || allowed.includes(t);
  if (state === 'on') {
    await reset(c, system, 'On');
    await waitPower(c, 'on');
    return;
  }
  if (can('GracefulShutdown')) {
    await reset(c, system, 'GracefulShutdown');
    if (await waitPower(c, 'off', Date.now() + c.profile.gracefulOffMs)) return;
  }
  await reset(c, system, 'ForceOff');
  await waitPower(c, 'off');
}

async function reboot(c: Conversation): Promise<void> {
  const system = await c.get(c.service.systemPath);
  if (powerOf(system) === 'off') {
    await reset(c, system, 'On');
    await waitPower(c, 'on');
    return;
  }
  const allowed = resetTypes(system);
  const type = c.profile.rebootResetTypes.find((t) => !allowed || allowed.includes(t));
  if (type) await reset(c, system, type);
  else {
    await reset(c, system, 'ForceOff');
    await waitPower(c, 'off');
    await reset(c, system, 'On');
  }
  await waitPower(c, 'on');
}

// ---- boot ---------------------------------------------------------------------------------

async function setBoot(c: Conversation, device: BootDevice): Promise<void> {
  const target = BOOT_TARGET[device];
  if (!target) throw c.failure(`unknown boot device ${JSON.stringify(device)}`);
  const { body: system, etag } = await c.read(c.service.systemPath);
  const boot = (system.Boot as Json | undefined) ?? {};
  const allowed = boot['BootSourceOverrideTarget@Redfish.AllowableValues'] as string[] | undefined;
  if (allowed && !allowed.includes(target)) throw c.unsupported(`the BMC at ${c.address.origin} cannot boot ${target} (offers ${allowed.join(', ')})`);
  const patch: Json = { BootSourceOverrideTarget: target, BootSourceOverrideEnabled: 'Once' };
  if (c.profile.bootModeWithOverride && str(boot.BootSourceOverrideMode)) patch.BootSourceOverrideMode = boot.BootSourceOverrideMode;
  await c.patch(c.service.systemPath, { Boot: patch }, etag);
}

// ---- accounts -----------------------------------------------------------------------------

function refuseAdmin(c: Conversation, username: string): void {
  if (username === c.target.bmc.username) {
    throw c.failure(`the BMC admin account ${username} of server ${c.target.serverId} is reserved to the control plane`);
  }
}

function accountsPath(c: Conversation): string {
  const path = c.service.accountsPath;
  if (!path) throw c.unsupported(`the BMC at ${c.address.origin} has no AccountService`);
  return path;
}

async function listAccounts(c: Conversation): Promise<Array<{ path: string; body: Json; etag?: string }>> {
  const collection = await c.get(accountsPath(c));
  const members = (collection.Members as Json[] | undefined) ?? [];
  const out = [];
  for (const m of members) {
    const path = String(m['@odata.id']);
    const r = await c.read(path);
    out.push({ path, body: r.body, ...(r.etag ? { etag: r.etag } : {}) });
  }
  return out;
}

async function ensureAccount(c: Conversation, account: BmcAccount): Promise<void> {
  if (!account.username || !account.password) throw c.failure('a BMC account needs a username and a password');
  const role = ROLE[account.role];
  if (!role) throw c.failure(`unknown BMC role ${JSON.stringify(account.role)}`);
  refuseAdmin(c, account.username);
  const accounts = await listAccounts(c);
  const existing = accounts.find((a) => a.body.UserName === account.username);
  if (existing) {
    await c.patch(existing.path, { Password: account.password, RoleId: role, Enabled: true }, existing.etag);
    return;
  }
  if (c.profile.accountSlots) {
    const slot = accounts.find((a) => !str(a.body.UserName) && a.body.Id !== '1');
    if (!slot) throw c.failure(`every account slot of the BMC at ${c.address.origin} is taken`);
    await c.patch(slot.path, { UserName: account.username, Password: account.password, RoleId: role, Enabled: true }, slot.etag);
    return;
  }
  await c.post(accountsPath(c), { UserName: account.username, Password: account.password, RoleId: role, Enabled: true });
}

async function removeAccount(c: Conversation, username: string): Promise<void> {
  refuseAdmin(c, username);
  const existing = (await listAccounts(c)).find((a) => a.body.UserName === username);
  if (!existing) return;
  if (c.profile.accountSlots) await c.patch(existing.path, { UserName: '', Enabled: false }, existing.etag);
  else await c.delete(existing.path);
}

// ---- inventory and sensors ----------------------------------------------------------------

async function members(c: Conversation, path: string | undefined): Promise<Json[]> {
  if (!path) return [];
  const collection = await c.get(path);
  const out: Json[] = [];
  for (const m of (collection.Members as Json[] | undefined) ?? []) out.push(await c.get(String(m['@odata.id'])));
  return out;
}

async function drives(c: Conversation, system: Json): Promise<Array<{ storage: Json; drive: Json }>> {
  const out = [];
  for (const storage of await members(c, link(system, 'Storage')).catch(() => [] as Json[])) {
    for (const d of (storage.Drives as Json[] | undefined) ?? []) out.push({ storage, drive: await c.get(String(d['@odata.id'])) });
  }
  return out;
}

async function readInventory(c: Conversation): Promise<Inventory> {
  const system = await c.get(c.service.systemPath);
  // A system without a SerialNumber (emulators) is known by its UUID.
  const sn = str(system.SerialNumber) ?? str(system.UUID);
  if (!sn) throw c.failure(`the system at ${c.address.origin}${c.service.systemPath} reports no SerialNumber and no UUID`);
  const cpus = (await members(c, link(system, 'Processors')).catch(() => [] as Json[])).filter((p) => p.ProcessorType === undefined || p.ProcessorType === 'CPU');
  const summary = (system.ProcessorSummary as Json | undefined) ?? {};
  const cores = cpus.reduce((n, p) => n + (Number(p.TotalCores) || 0), 0) || Number(summary.CoreCount) || Number(summary.Count) || 0;
  const arch = cpus.map((p) => `${str(p.ProcessorArchitecture) ?? ''} ${str(p.InstructionSet) ?? ''}`).join(' ');
  const memory = Number((system.MemorySummary as Json | undefined)?.TotalSystemMemoryGiB) || 0;
  const disks = (await drives(c, system)).map(({ drive }) => ({
    type: str(drive.Protocol) === 'NVMe' ? 'NVMe' : (str(drive.MediaType) ?? 'HDD'),
    sizeGb: Math.round((Number(drive.CapacityBytes) || 0) / 1e9),
  }));
  const nics = (await members(c, link(system, 'EthernetInterfaces')).catch(() => [] as Json[])).length;
  return {
    sn,
    cpuModel: str(cpus[0]?.Model) ?? str(summary.Model) ?? 'unknown',
    cpuCores: cores,
    cpuArch: /arm|aarch/i.test(arch) ? 'ARM' : 'X86',
    memoryGb: Math.round(memory),
    disks,
    nicPorts: nics,
  };
}

async function readSensors(c: Conversation): Promise<SensorReading> {
  const chassis = c.service.chassisPath ? await c.get(c.service.chassisPath) : undefined;
  if (!chassis) return {};
  const out: SensorReading = {};
  const power = link(chassis, 'Power') ? await c.get(link(chassis, 'Power')!).catch(() => undefined) : undefined;
  const watts = Number(((power?.PowerControl as Json[] | undefined)?.[0])?.PowerConsumedWatts);
  if (Number.isFinite(watts) && watts >= 0) out.powerWatts = watts;
  const thermal = link(chassis, 'Thermal') ? await c.get(link(chassis, 'Thermal')!).catch(() => undefined) : undefined;
  const temps = (thermal?.Temperatures as Json[] | undefined) ?? [];
  const inlet = temps.find((t) => t.PhysicalContext === 'Intake' || /inlet|ambient|intake/i.test(String(t.Name ?? '')));
  const celsius = Number(inlet?.ReadingCelsius);
  if (inlet && Number.isFinite(celsius)) out.inletTempC = celsius;
  return out;
}

// ---- RAID ---------------------------------------------------------------------------------

const RAID_TYPES = new Set(['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10', 'RAID50', 'RAID60']);

async function buildRaid(c: Conversation, raidType: string): Promise<void> {
  const layout = String(raidType).toUpperCase();
  if (layout !== 'NORAID' && !RAID_TYPES.has(layout)) throw c.failure(`unknown RAID type ${layout}; known: NORAID, ${[...RAID_TYPES].join(', ')}`);
  const system = await c.get(c.service.systemPath);
  const storages = await members(c, link(system, 'Storage')).catch(() => [] as Json[]);
  const storage = storages.find((s) => link(s, 'Volumes') && ((s.Drives as Json[] | undefined)?.length ?? 0) > 0);
  if (!storage) throw c.unsupported(`the BMC at ${c.address.origin} offers no Storage Volumes to build ${layout} with (RAID step skipped)`);
  const volumesPath = link(storage, 'Volumes')!;
  const volumes = await members(c, volumesPath);
  const drivesOf = (storage.Drives as Json[]).map((d) => ({ '@odata.id': d['@odata.id'] }));
  if (layout === 'NORAID') {
    for (const v of volumes) await c.delete(String(v['@odata.id']));
    return;
  }
  if (volumes.length === 1 && str(volumes[0]!.RAIDType) === layout) return;
  for (const v of volumes) await c.delete(String(v['@odata.id']));
  const created = await c.post(volumesPath, { Name: `bms-${layout.toLowerCase()}`, RAIDType: layout, Links: { Drives: drivesOf } }).catch((e: unknown) => {
    if (e instanceof DriverError && /HTTP (400|405|501)/.test(e.message)) {
      throw c.unsupported(`the BMC at ${c.address.origin} refused to create a ${layout} volume (${e.message}); RAID step skipped`);
    }
    throw e;
  });
  void created;
}

// ---- virtual media ------------------------------------------------------------------------

interface MediaSlot {
  path: string;
  body: Json;
  etag?: string;
}

async function mediaSlots(c: Conversation): Promise<MediaSlot[]> {
  const system = await c.get(c.service.systemPath);
  let collection = link(system, 'VirtualMedia');
  if (!collection && c.service.managerPath) collection = link(await c.get(c.service.managerPath), 'VirtualMedia');
  if (!collection) throw c.unsupported(`the BMC at ${c.address.origin} offers no VirtualMedia`);
  const list = await c.get(collection);
  const out: MediaSlot[] = [];
  for (const m of (list.Members as Json[] | undefined) ?? []) {
    const path = String(m['@odata.id']);
    const r = await c.read(path);
    out.push({ path, body: r.body, ...(r.etag ? { etag: r.etag } : {}) });
  }
  return out;
}

function slotFor(c: Conversation, slots: MediaSlot[], kind: 'installer' | 'config'): MediaSlot {
  const types = (s: MediaSlot) => ((s.body.MediaTypes as string[] | undefined) ?? []).map((t) => t.toUpperCase());
  const cd = slots.find((s) => types(s).some((t) => t === 'CD' || t === 'DVD'));
  if (kind === 'installer') {
    if (!cd) throw c.unsupported(`the BMC at ${c.address.origin} has no CD/DVD virtual media slot`);
    return cd;
  }
  const other = slots.find((s) => s !== cd && types(s).some((t) => t === 'USBSTICK' || t === 'FLOPPY' || t === 'CD' || t === 'DVD'));
  if (!other) throw c.unsupported(`the BMC at ${c.address.origin} has no second virtual media slot for the config image`);
  return other;
}

async function listMedia(c: Conversation): Promise<Array<{ id: string; image: string | null; inserted: boolean; mediaTypes: string[] }>> {
  return (await mediaSlots(c)).map((s) => ({
    id: String(s.body.Id ?? s.path),
    image: str(s.body.Image) ?? null,
    inserted: s.body.Inserted === true,
    mediaTypes: (s.body.MediaTypes as string[] | undefined) ?? [],
  }));
}

async function insertMedia(c: Conversation, kind: 'installer' | 'config', image: string): Promise<void> {
  const slot = slotFor(c, await mediaSlots(c), kind);
  if (slot.body.Inserted === true && slot.body.Image === image) return;
  if (slot.body.Inserted === true) await ejectSlot(c, slot);
  const action = str(((slot.body.Actions as Json | undefined)?.['#VirtualMedia.InsertMedia'] as Json | undefined)?.target);
  if (action && !c.profile.mediaInsertByPatch) await c.post(action, { Image: image, Inserted: true, WriteProtected: true });
  else await c.patch(slot.path, { Image: image, Inserted: true, WriteProtected: true }, slot.etag);
  const after = await c.get(slot.path);
  if (after.Image !== image || after.Inserted === false) {
    throw c.failure(`virtual media ${slot.path} on ${c.address.origin} reports ${JSON.stringify(after.Image ?? null)} after inserting the ${kind} image`);
  }
}

async function ejectSlot(c: Conversation, slot: MediaSlot): Promise<void> {
  const action = str(((slot.body.Actions as Json | undefined)?.['#VirtualMedia.EjectMedia'] as Json | undefined)?.target);
  if (action && !c.profile.mediaInsertByPatch) await c.post(action, {});
  else await c.patch(slot.path, { Image: null, Inserted: false }, slot.etag);
}

async function ejectAll(c: Conversation): Promise<void> {
  for (const slot of await mediaSlots(c)) {
    if (slot.body.Inserted === true || str(slot.body.Image)) await ejectSlot(c, slot);
  }
  const left = (await mediaSlots(c)).filter((s) => s.body.Inserted === true && str(s.body.Image));
  if (left.length > 0) throw c.failure(`virtual media still inserted on ${c.address.origin} after eject: ${left.map((s) => s.path).join(', ')}`);
}

// ---- deploy -------------------------------------------------------------------------------

async function install(c: Conversation, media: InstallMediaPort | undefined, config: InstallConfig): Promise<void> {
  if (!media) throw c.unsupported('this deployment has no install-media service configured for redfish servers');
  if (!config.instanceId) throw c.failure('an install needs an instance id');
  if (!(await media.completed(config.instanceId))) {
    const urls = await media.prepare(c.target, config);
    await insertMedia(c, 'installer', urls.installerUrl);
    await insertMedia(c, 'config', urls.configUrl);
    await setBoot(c, 'cdrom');
    const system = await c.get(c.service.systemPath);
    if (powerOf(system) === 'on') await reboot(c);
    else await drivePower(c, 'on');
    while (!(await media.completed(config.instanceId))) await c.pause();
  }
  // The installer has called back: media out, boot the installed system from its disk.
  await ejectAll(c).catch((e: unknown) => {
    if (!(e instanceof DriverError && e.kind === 'unsupported')) throw e;
  });
  await media.finished?.(config.instanceId);
  await setBoot(c, 'disk');
  if ((await readPower(c)) === 'off') await drivePower(c, 'on');
}

async function wipe(c: Conversation, scope: 'all' | 'system'): Promise<void> {
  if (scope !== 'all' && scope !== 'system') throw c.failure(`unknown wipe scope ${JSON.stringify(scope)}`);
  await ejectAll(c).catch((e: unknown) => {
    if (!(e instanceof DriverError && e.kind === 'unsupported')) throw e;
  });
  const system = await c.get(c.service.systemPath);
  const all = await drives(c, system);
  const inScope = scope === 'all' ? all : all.slice(0, 1);
  const erasable = inScope.filter(({ drive }) => str(((drive.Actions as Json | undefined)?.['#Drive.SecureErase'] as Json | undefined)?.target));
  if (inScope.length === 0 || erasable.length < inScope.length) {
    throw c.unsupported(`the BMC at ${c.address.origin} offers no Drive.SecureErase for ${inScope.length === 0 ? 'any drive' : `${inScope.length - erasable.length} of ${inScope.length} drive(s)`}; disks not wiped`);
  }
  for (const { drive } of erasable) {
    await c.post(str(((drive.Actions as Json)['#Drive.SecureErase'] as Json).target)!, {});
  }
  await drivePower(c, 'off');
}
