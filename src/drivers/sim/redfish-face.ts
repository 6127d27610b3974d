/**
 * The lab's Redfish face: one loopback listener through which every simulated BMC speaks
 * DMTF Redfish, so the `redfish` driver — or any Redfish client (redfishtool, sushy) — can
 * drive a simulated server.
 *
 * One service root (`/redfish/v1/`), every simulated server a system of it:
 * `/redfish/v1/Systems/<serverId>`, its manager `/redfish/v1/Managers/<serverId>` (virtual
 * media `Cd` and `Usb`, the BMC's accounts as `RemoteAccountService`), its chassis. A server's
 * BMC address over Redfish is therefore `http://127.0.0.1:<port>/redfish/v1/Systems/<id>`
 * (`urlOf`). Every request is authenticated against the BMC it addresses (basic auth or an
 * `X-Auth-Token` from `SessionService`), and every operation goes through the sim driver, so
 * the lab's timings, faults, accounts and one-operation-per-BMC check all apply. Requests that
 * name no system (the Systems collection, the service-level `AccountService`, a new session)
 * address the BMCs whose account the credentials are — with the demo fleet's per-server admin
 * passwords, exactly one.
 *
 * The face's own faults (`injectFault`) make it misbehave the way real BMCs do on the wire:
 * `slow` (answers after `delayMs`), `drop` (closes the connection without answering), `status`
 * (answers `status`, default 503, with a Redfish error), `stale-etag` (a PATCH gets 412 as if
 * the resource had changed), `session-limit` (a new session is refused with
 * `Base.1.8.SessionLimitExceeded`). Each strikes the next `times` requests to that server.
 *
 * The installer of the lab: when a system is powered on or reset while its boot override is
 * `Cd` and both virtual media slots hold images, the face plays the installer BMS's install
 * media would boot — it reads the NoCloud seed from the config image URL (`meta-data`,
 * `user-data`), installs through the sim (which records the instance, host name, password
 * hash, network) and calls the phone-home URL of the seed, as cloud-init would.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { DriverError, type InstallConfig, type ServerTarget } from '../interfaces/hardware.ts';
import type { SimDriver } from './sim-driver.ts';

export type FaceFaultKind = 'slow' | 'drop' | 'status' | 'stale-etag' | 'session-limit';

export interface FaceFault {
  kind: FaceFaultKind;
  /** Strikes the next `times` matching requests (default 1). */
  times?: number;
  delayMs?: number;
  status?: number;
}

export interface RedfishFaceOptions {
  sim: SimDriver;
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Sessions each simulated BMC allows at once. */
  sessionLimit?: number;
}

interface Session {
  id: string;
  token: string;
  username: string;
  password: string;
  servers: Set<string>;
}

type Json = Record<string, unknown>;
type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };

class FaceError extends Error {
  constructor(readonly status: number, readonly messageId: string, message: string) {
    super(message);
  }
}

const ROOT = '/redfish/v1';
const PRIVILEGES = {
  Administrator: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureSelf', 'ConfigureComponents'],
  Operator: ['Login', 'ConfigureSelf', 'ConfigureComponents'],
  ReadOnly: ['Login', 'ConfigureSelf'],
} as const;
const BOOT: Record<string, 'disk' | 'pxe' | 'cdrom'> = { Hdd: 'disk', Pxe: 'pxe', Cd: 'cdrom' };
const BOOT_BACK = { disk: 'Hdd', pxe: 'Pxe', cdrom: 'Cd' } as const;

export class RedfishFace {
  private server!: http.Server;
  private readonly sessions = new Map<string, Session>();
  private readonly media = new Map<string, { Cd: string | null; Usb: string | null }>();
  private readonly faults = new Map<string, FaceFault[]>();
  private readonly installs = new Set<Promise<void>>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private origin = '';

  constructor(private readonly options: RedfishFaceOptions) {}

  /** `http(s)://127.0.0.1:<port>` */
  get address(): string {
    return this.origin;
  }

  /** The BMC address of `serverId` over Redfish. */
  urlOf(serverId: string): string {
    return `${this.origin}${ROOT}/Systems/${encodeURIComponent(serverId)}`;
  }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = this.options.tls ? https.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    this.origin = `${this.options.tls ? 'https' : 'http'}://${host}:${port}`;
    return this;
  }

  /** Replaces the TLS certificate (a BMC whose certificate was regenerated). */
  setCertificate(key: string, cert: string): void {
    (this.server as https.Server).setSecureContext({ key, cert });
    for (const s of this.sockets) s.destroy();
  }

  injectFault(serverId: string, fault: FaceFault): void {
    this.faults.set(serverId, [...(this.faults.get(serverId) ?? []), { times: 1, ...fault }]);
  }

  clearFaults(serverId?: string): void {
    if (serverId) this.faults.delete(serverId);
    else this.faults.clear();
  }

  /** Live sessions on `serverId`'s BMC. */
  sessionCount(serverId: string): number {
    return [...this.sessions.values()].filter((s) => s.servers.has(serverId)).length;
  }

  /** What is inserted in `serverId`'s virtual media. */
  mediaOf(serverId: string): { Cd: string | null; Usb: string | null } {
    return { ...(this.media.get(serverId) ?? { Cd: null, Usb: null }) };
  }

  /** Resolves when every installer the face started has finished. */
  async settled(): Promise<void> {
    while (this.installs.size > 0) await Promise.allSettled([...this.installs]);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.settled();
  }

  // ---- the request path -------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://face');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    try {
      const body = await readBody(req);
      const serverId = /^\/redfish\/v1\/(?:Systems|Managers|Chassis)\/([^/]+)/.exec(path)?.[1];
      const id = serverId ? decodeURIComponent(serverId) : undefined;
      if (id && (await this.strike(id, req, res, method))) return;
      const out = await this.route(method, path, body, req, id);
      send(res, out.status ?? 200, out.body, out.headers);
    } catch (e) {
      if (e instanceof FaceError) return send(res, e.status, redfishError(e.messageId, e.message));
      if (e instanceof DriverError) {
        if (e.kind === 'unreachable') return void res.socket?.destroy();
        if (e.kind === 'timeout') return send(res, 504, redfishError('Base.1.8.OperationTimeout', e.message));
        if (/authentication failed/.test(e.message)) return send(res, 401, redfishError('Base.1.8.NoValidSession', e.message));
        if (/may not perform/.test(e.message)) return send(res, 403, redfishError('Base.1.8.InsufficientPrivilege', e.message));
        return send(res, 500, redfishError('BmsLab.1.0.HardwareError', e.message));
      }
      send(res, 500, redfishError('Base.1.8.InternalError', (e as Error).message));
    }
  }

  /** Applies the first of `serverId`'s face faults that strikes this request; true if it answered. */
  private async strike(serverId: string, req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<boolean> {
    const list = this.faults.get(serverId);
    const index = list?.findIndex((f) => (f.kind === 'stale-etag' ? method === 'PATCH' : f.kind !== 'session-limit')) ?? -1;
    if (!list || index < 0) return false;
    const fault = list[index]!;
    if ((fault.times ?? 1) <= 1) list.splice(index, 1);
    else list[index] = { ...fault, times: (fault.times ?? 1) - 1 };
    switch (fault.kind) {
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
        return false;
      case 'drop':
        req.socket.destroy();
        return true;
      case 'status':
        send(res, fault.status ?? 503, redfishError('Base.1.8.ServiceTemporarilyUnavailable', `the BMC of ${serverId} is busy (injected)`), { 'retry-after': '0' });
        return true;
      case 'stale-etag':
        send(res, 412, redfishError('Base.1.8.PreconditionFailed', 'the ETag supplied did not match the current ETag of the resource'));
        return true;
      default:
        return false;
    }
  }

  private async route(method: string, path: string, body: Json, req: http.IncomingMessage, serverId?: string): Promise<{ status?: number; body?: unknown; headers?: Record<string, string> }> {
    if (path === ROOT || path === '/redfish') {
      if (path === '/redfish') return { body: { v1: `${ROOT}/` } };
      return { body: this.root() };
    }
    if (path === `${ROOT}/SessionService`) {
      return { body: { '@odata.id': path, '@odata.type': '#SessionService.v1_1_8.SessionService', Id: 'SessionService', Name: 'Session Service', ServiceEnabled: true, SessionTimeout: 1800, Sessions: { '@odata.id': `${ROOT}/SessionService/Sessions` } } };
    }
    if (path === `${ROOT}/SessionService/Sessions` && method === 'POST') return this.createSession(body);
    const who = await this.caller(req, serverId);
    if (path === `${ROOT}/SessionService/Sessions`) {
      const mine = [...this.sessions.values()].filter((s) => s.username === who.username && [...s.servers].some((x) => who.servers.has(x)));
      return { body: collection(path, 'SessionCollection', mine.map((s) => `${path}/${s.id}`)) };
    }
    const sessionMatch = new RegExp(`^${ROOT}/SessionService/Sessions/([^/]+)$`).exec(path);
    if (sessionMatch) {
      const s = this.sessions.get(sessionMatch[1]!);
      if (!s) throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no session ${sessionMatch[1]}`);
      if (method === 'DELETE') {
        this.sessions.delete(s.id);
        return { status: 204 };
      }
      return { body: { '@odata.id': path, '@odata.type': '#Session.v1_3_0.Session', Id: s.id, Name: 'Session', UserName: s.username } };
    }
    if (path === `${ROOT}/Systems` || path === `${ROOT}/Managers` || path === `${ROOT}/Chassis`) {
      return { body: collection(path, `${path.split('/').pop()!.replace(/s$/, '')}Collection`, [...who.servers].sort().map((id) => `${path}/${encodeURIComponent(id)}`)) };
    }
    if (path === `${ROOT}/AccountService` || path.startsWith(`${ROOT}/AccountService/`)) {
      const only = [...who.servers];
      if (only.length !== 1) throw new FaceError(400, 'Base.1.8.ActionNotSupported', `these credentials log in to ${only.length} simulated BMCs; use /redfish/v1/Managers/<id>/RemoteAccountService`);
      return this.accounts(method, path.slice(`${ROOT}/AccountService`.length), body, only[0]!, `${ROOT}/AccountService`, who);
    }
    if (!serverId) throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no resource at ${path}`);
    if (!who.servers.has(serverId)) throw new FaceError(401, 'Base.1.8.NoValidSession', `not logged in to the BMC of ${serverId}`);
    const target = await this.targetOf(serverId, who);
    const [, kind, , rest] = /^\/redfish\/v1\/(Systems|Managers|Chassis)\/([^/]+)(.*)$/.exec(path)!;
    if (kind === 'Systems') return this.system(method, rest!, body, target, who, header(req, 'if-match'));
    if (kind === 'Managers') {
      const accountsBase = `${ROOT}/Managers/${encodeURIComponent(serverId)}/RemoteAccountService`;
      if (rest!.startsWith('/RemoteAccountService')) return this.accounts(method, rest!.slice('/RemoteAccountService'.length), body, serverId, accountsBase, who);
      return this.manager(method, rest!, body, target);
    }
    return this.chassis(rest!, serverId);
  }

  private root(): Json {
    return {
      '@odata.id': `${ROOT}/`, '@odata.type': '#ServiceRoot.v1_15_0.ServiceRoot', Id: 'RootService', Name: 'BMS lab Redfish service',
      RedfishVersion: '1.15.0', Vendor: 'BMS Lab', UUID: '00000000-0000-4000-8000-000000000b35',
      Systems: { '@odata.id': `${ROOT}/Systems` }, Managers: { '@odata.id': `${ROOT}/Managers` }, Chassis: { '@odata.id': `${ROOT}/Chassis` },
      AccountService: { '@odata.id': `${ROOT}/AccountService` }, SessionService: { '@odata.id': `${ROOT}/SessionService` },
      Links: { Sessions: { '@odata.id': `${ROOT}/SessionService/Sessions` } },
    };
  }

  // ---- authentication ---------------------------------------------------------------------

  private async serversFor(username: string, password: string, only?: string): Promise<Set<string>> {
    const ids = only ? [only] : await this.options.sim.lab.listServers();
    const out = new Set<string>();
    for (const id of ids) if (await this.options.sim.lab.authenticate(id, username, password)) out.add(id);
    return out;
  }

  private async createSession(body: Json): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const username = typeof body.UserName === 'string' ? body.UserName : '';
    const password = typeof body.Password === 'string' ? body.Password : '';
    if (!username || !password) throw new FaceError(400, 'Base.1.8.PropertyMissing', 'UserName and Password are required');
    const servers = await this.serversFor(username, password);
    if (servers.size === 0) throw new FaceError(401, 'Base.1.8.NoValidSession', 'invalid user name or password');
    for (const id of servers) {
      const limitFault = this.faults.get(id)?.findIndex((f) => f.kind === 'session-limit') ?? -1;
      if (limitFault >= 0) {
        const list = this.faults.get(id)!;
        const f = list[limitFault]!;
        if ((f.times ?? 1) <= 1) list.splice(limitFault, 1);
        else list[limitFault] = { ...f, times: (f.times ?? 1) - 1 };
        throw new FaceError(503, 'Base.1.8.SessionLimitExceeded', `the BMC of ${id} has no free session`);
      }
      if (this.sessionCount(id) >= (this.options.sessionLimit ?? 16)) {
        throw new FaceError(503, 'Base.1.8.SessionLimitExceeded', `the BMC of ${id} already has ${this.sessionCount(id)} sessions`);
      }
    }
    const id = randomBytes(8).toString('hex');
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(id, { id, token, username, password, servers });
    const location = `${ROOT}/SessionService/Sessions/${id}`;
    return {
      status: 201,
      body: { '@odata.id': location, '@odata.type': '#Session.v1_3_0.Session', Id: id, Name: 'Session', UserName: username },
      headers: { 'x-auth-token': token, location },
    };
  }

  private async caller(req: http.IncomingMessage, serverId?: string): Promise<{ username: string; password: string; servers: Set<string> }> {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const s = [...this.sessions.values()].find((x) => x.token === token);
      if (!s) throw new FaceError(401, 'Base.1.8.NoValidSession', 'the session token is not valid');
      // An account removed or given a new password ends its sessions.
      for (const id of s.servers) if (!(await this.options.sim.lab.authenticate(id, s.username, s.password))) s.servers.delete(id);
      if (s.servers.size === 0) {
        this.sessions.delete(s.id);
        throw new FaceError(401, 'Base.1.8.NoValidSession', 'the session has ended');
      }
      return s;
    }
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Basic ')) {
      const text = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = text.indexOf(':');
      const username = text.slice(0, colon);
      const password = text.slice(colon + 1);
      const servers = await this.serversFor(username, password, serverId);
      if (servers.size > 0) return { username, password, servers };
    }
    throw new FaceError(401, 'Base.1.8.NoValidSession', 'authentication required');
  }

  private async targetOf(serverId: string, who: { username: string; password: string }): Promise<ServerTarget> {
    const snap = await this.options.sim.lab.snapshot(serverId);
    return { serverId, sn: snap.inventory.sn, bmc: { address: snap.bmc.address, username: who.username, password: who.password } };
  }

  // ---- resources --------------------------------------------------------------------------

  private async systemBody(target: ServerTarget): Promise<Json> {
    const power = await this.options.sim.power.getPowerState(target);
    const snap = await this.options.sim.lab.snapshot(target.serverId);
    const base = `${ROOT}/Systems/${encodeURIComponent(target.serverId)}`;
    const inv = snap.inventory;
    return {
      '@odata.id': base, '@odata.type': '#ComputerSystem.v1_20_0.ComputerSystem', Id: target.serverId, Name: target.serverId,
      SystemType: 'Physical', Manufacturer: 'BMS Lab', Model: 'Simulated server', SerialNumber: inv.sn, HostName: snap.os?.hostName ?? null,
      PowerState: power === 'on' ? 'On' : 'Off',
      Status: { State: 'Enabled', Health: snap.faults.length > 0 ? 'Warning' : 'OK' },
      Boot: {
        BootSourceOverrideTarget: BOOT_BACK[snap.bootDevice], BootSourceOverrideEnabled: 'Continuous', BootSourceOverrideMode: 'UEFI',
        'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Cd', 'Hdd'],
      },
      ProcessorSummary: { Count: 1, CoreCount: inv.cpuCores, Model: inv.cpuModel },
      MemorySummary: { TotalSystemMemoryGiB: inv.memoryGb },
      Processors: { '@odata.id': `${base}/Processors` },
      Storage: { '@odata.id': `${base}/Storage` },
      EthernetInterfaces: { '@odata.id': `${base}/EthernetInterfaces` },
      Links: { ManagedBy: [{ '@odata.id': `${ROOT}/Managers/${encodeURIComponent(target.serverId)}` }], Chassis: [{ '@odata.id': `${ROOT}/Chassis/${encodeURIComponent(target.serverId)}` }] },
      Actions: {
        '#ComputerSystem.Reset': {
          target: `${base}/Actions/ComputerSystem.Reset`,
          'ResetType@Redfish.AllowableValues': ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart', 'GracefulRestart', 'PowerCycle'],
        },
      },
    };
  }

  private async system(method: string, rest: string, body: Json, target: ServerTarget, who: { username: string; password: string }, ifMatch?: string): Promise<Answer> {
    const sim = this.options.sim;
    const base = `${ROOT}/Systems/${encodeURIComponent(target.serverId)}`;
    if (rest === '') {
      const current = await this.systemBody(target);
      const etag = etagOf(current);
      if (method === 'GET') return { body: { ...current, '@odata.etag': etag }, headers: { etag } };
      if (method !== 'PATCH') throw notAllowed(method, base);
      if (ifMatch && ifMatch !== '*' && ifMatch !== etag) {
        throw new FaceError(412, 'Base.1.8.PreconditionFailed', `If-Match ${ifMatch} does not match the current ETag of ${base}`);
      }
      return this.patchSystem(body, target);
    }
    if (rest === '/Actions/ComputerSystem.Reset' && method === 'POST') {
      const type = String(body.ResetType ?? '');
      const was = await sim.power.getPowerState(target);
      if (type === 'On' || type === 'ForceOn') await sim.power.setPowerState(target, 'on');
      else if (type === 'ForceOff' || type === 'GracefulShutdown') await sim.power.setPowerState(target, 'off');
      else if (type === 'PushPowerButton') await sim.power.setPowerState(target, was === 'on' ? 'off' : 'on');
      else if (type === 'ForceRestart' || type === 'GracefulRestart' || type === 'PowerCycle') await sim.power.reboot(target);
      else throw new FaceError(400, 'Base.1.8.ActionParameterValueNotInList', `ResetType ${JSON.stringify(type)} is not one of On, ForceOff, GracefulShutdown, ForceRestart, GracefulRestart, PowerCycle`);
      if (type !== 'ForceOff' && type !== 'GracefulShutdown') this.maybeInstall(target, who);
      return { status: 204 };
    }
    if (method !== 'GET' && !(rest.endsWith('/Volumes') && method === 'POST') && !(/\/Volumes\/[^/]+$/.test(rest) && method === 'DELETE') && !rest.endsWith('/Actions/Drive.SecureErase')) {
      throw notAllowed(method, base + rest);
    }
    const snap = await sim.lab.snapshot(target.serverId);
    const inv = snap.inventory;
    if (rest === '/Processors') return { body: collection(base + rest, 'ProcessorCollection', [`${base}/Processors/CPU1`]) };
    if (rest === '/Processors/CPU1') {
      return { body: {
        '@odata.id': base + rest, '@odata.type': '#Processor.v1_18_0.Processor', Id: 'CPU1', Name: 'CPU1', ProcessorType: 'CPU', Model: inv.cpuModel,
        TotalCores: inv.cpuCores, ProcessorArchitecture: inv.cpuArch === 'ARM' ? 'ARM' : 'x86', InstructionSet: inv.cpuArch === 'ARM' ? 'ARM-A64' : 'x86-64',
      } };
    }
    if (rest === '/EthernetInterfaces') return { body: collection(base + rest, 'EthernetInterfaceCollection', Array.from({ length: inv.nicPorts }, (_, i) => `${base}/EthernetInterfaces/NIC${i + 1}`)) };
    const nic = /^\/EthernetInterfaces\/NIC(\d+)$/.exec(rest);
    if (nic && Number(nic[1]) <= inv.nicPorts) {
      const n = Number(nic[1]);
      const mac = createHash('sha256').update(`${target.serverId}/${n}`).digest('hex').slice(0, 10).match(/../g)!.join(':');
      return { body: { '@odata.id': base + rest, '@odata.type': '#EthernetInterface.v1_9_0.EthernetInterface', Id: `NIC${n}`, Name: `NIC${n}`, MACAddress: `02:${mac}`, LinkStatus: snap.power === 'on' ? 'LinkUp' : 'LinkDown' } };
    }
    if (rest === '/Storage') return { body: collection(base + rest, 'StorageCollection', [`${base}/Storage/RAID1`]) };
    if (rest === '/Storage/RAID1') {
      return { body: {
        '@odata.id': base + rest, '@odata.type': '#Storage.v1_15_0.Storage', Id: 'RAID1', Name: 'Simulated RAID controller',
        Drives: inv.disks.map((_, i) => ({ '@odata.id': `${base}/Storage/RAID1/Drives/${i}` })), Volumes: { '@odata.id': `${base}/Storage/RAID1/Volumes` },
      } };
    }
    const drive = /^\/Storage\/RAID1\/Drives\/(\d+)(\/Actions\/Drive\.SecureErase)?$/.exec(rest);
    if (drive && Number(drive[1]) < inv.disks.length) {
      const i = Number(drive[1]);
      if (drive[2]) {
        if (method !== 'POST') throw notAllowed(method, base + rest);
        // Disk 0 holds the system; erasing another disk is a whole-server wipe in the lab.
        await sim.deploy.wipeDisks(target, i === 0 ? 'system' : 'all');
        return { status: 204 };
      }
      const d = inv.disks[i]!;
      return { body: {
        '@odata.id': base + rest, '@odata.type': '#Drive.v1_17_0.Drive', Id: String(i), Name: `Disk ${i}`, CapacityBytes: d.sizeGb * 1e9,
        MediaType: d.type === 'HDD' ? 'HDD' : 'SSD', Protocol: d.type === 'NVMe' ? 'NVMe' : 'SAS', Status: { State: 'Enabled', Health: 'OK' },
        Oem: { BmsLab: { State: snap.disks[i]!.state } },
        Actions: { '#Drive.SecureErase': { target: `${base}/Storage/RAID1/Drives/${i}/Actions/Drive.SecureErase` } },
      } };
    }
    const hasVolume = snap.raid !== null && snap.raid !== 'NORAID';
    if (rest === '/Storage/RAID1/Volumes') {
      if (method === 'POST') {
        const type = String(body.RAIDType ?? '');
        if (!/^RAID(0|1|5|10)$/.test(type)) throw new FaceError(400, 'Base.1.8.PropertyValueNotInList', `RAIDType ${JSON.stringify(type)} is not one of RAID0, RAID1, RAID5, RAID10`);
        await sim.raid.buildRaid(target, type);
        return { status: 201, headers: { location: `${base}/Storage/RAID1/Volumes/1` }, body: { '@odata.id': `${base}/Storage/RAID1/Volumes/1` } };
      }
      return { body: collection(base + rest, 'VolumeCollection', hasVolume ? [`${base}/Storage/RAID1/Volumes/1`] : []) };
    }
    if (rest === '/Storage/RAID1/Volumes/1' && hasVolume) {
      if (method === 'DELETE') {
        await sim.raid.buildRaid(target, 'NORAID');
        return { status: 204 };
      }
      const size = inv.disks.reduce((n, d) => n + d.sizeGb, 0) * 1e9;
      return { body: { '@odata.id': base + rest, '@odata.type': '#Volume.v1_9_0.Volume', Id: '1', Name: `bms-${snap.raid!.toLowerCase()}`, RAIDType: snap.raid, CapacityBytes: size } };
    }
    throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no resource at ${base}${rest}`);
  }

  private async patchSystem(body: Json, target: ServerTarget): Promise<Answer> {
    const boot = body.Boot as Json | undefined;
    if (!boot) throw new FaceError(400, 'Base.1.8.PropertyNotWritable', 'only Boot may be patched on a simulated system');
    const wanted = boot.BootSourceOverrideTarget;
    if (wanted !== undefined) {
      const device = BOOT[String(wanted)];
      if (!device) throw new FaceError(400, 'Base.1.8.PropertyValueNotInList', `BootSourceOverrideTarget ${JSON.stringify(wanted)} is not one of Pxe, Cd, Hdd`);
      await this.options.sim.management.setBootDevice(target, device);
    }
    return { status: 204 };
  }

  private async manager(method: string, rest: string, body: Json, target: ServerTarget): Promise<Answer> {
    const base = `${ROOT}/Managers/${encodeURIComponent(target.serverId)}`;
    if (rest === '' && method === 'GET') {
      await this.options.sim.power.getPowerState(target); // the BMC answers (faults, auth)
      return { body: {
        '@odata.id': base, '@odata.type': '#Manager.v1_19_0.Manager', Id: target.serverId, Name: `BMC of ${target.serverId}`, ManagerType: 'BMC',
        Manufacturer: 'BMS Lab', Model: 'Simulated BMC', FirmwareVersion: '1.0', Status: { State: 'Enabled', Health: 'OK' },
        VirtualMedia: { '@odata.id': `${base}/VirtualMedia` }, RemoteAccountService: { '@odata.id': `${base}/RemoteAccountService` },
        Links: { ManagerForServers: [{ '@odata.id': `${ROOT}/Systems/${encodeURIComponent(target.serverId)}` }] },
      } };
    }
    const media = this.media.get(target.serverId) ?? { Cd: null, Usb: null };
    if (rest === '/VirtualMedia' && method === 'GET') return { body: collection(base + rest, 'VirtualMediaCollection', [`${base}/VirtualMedia/Cd`, `${base}/VirtualMedia/Usb`]) };
    const slot = /^\/VirtualMedia\/(Cd|Usb)(\/Actions\/VirtualMedia\.(InsertMedia|EjectMedia))?$/.exec(rest);
    if (slot) {
      const name = slot[1] as 'Cd' | 'Usb';
      const path = `${base}/VirtualMedia/${name}`;
      if (slot[3] === 'InsertMedia' && method === 'POST') {
        const image = typeof body.Image === 'string' ? body.Image : '';
        if (!/^https?:\/\//.test(image)) throw new FaceError(400, 'Base.1.8.ActionParameterValueFormatError', `Image ${JSON.stringify(body.Image ?? null)} is not an http(s) URL`);
        this.media.set(target.serverId, { ...media, [name]: image });
        return { status: 204 };
      }
      if (slot[3] === 'EjectMedia' && method === 'POST') {
        this.media.set(target.serverId, { ...media, [name]: null });
        return { status: 204 };
      }
      if (slot[2] || method !== 'GET') throw notAllowed(method, path);
      return { body: {
        '@odata.id': path, '@odata.type': '#VirtualMedia.v1_6_0.VirtualMedia', Id: name, Name: name === 'Cd' ? 'Virtual CD' : 'Virtual USB',
        MediaTypes: name === 'Cd' ? ['CD', 'DVD'] : ['USBStick'], Image: media[name], Inserted: media[name] !== null, WriteProtected: true,
        ConnectedVia: media[name] ? 'URI' : 'NotConnected',
        Actions: {
          '#VirtualMedia.InsertMedia': { target: `${path}/Actions/VirtualMedia.InsertMedia` },
          '#VirtualMedia.EjectMedia': { target: `${path}/Actions/VirtualMedia.EjectMedia` },
        },
      } };
    }
    throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no resource at ${base}${rest}`);
  }

  private async chassis(rest: string, serverId: string): Promise<Answer> {
    const base = `${ROOT}/Chassis/${encodeURIComponent(serverId)}`;
    if (rest !== '') throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no resource at ${base}${rest}`);
    return { body: { '@odata.id': base, '@odata.type': '#Chassis.v1_23_0.Chassis', Id: serverId, Name: serverId, ChassisType: 'RackMount', Manufacturer: 'BMS Lab' } };
  }

  private async accounts(method: string, rest: string, body: Json, serverId: string, base: string, who: { username: string; password: string }): Promise<Answer> {
    const target = await this.targetOf(serverId, who);
    const sim = this.options.sim;
    const snap = await sim.lab.snapshot(serverId);
    const list = snap.bmc.accounts;
    if (rest === '') {
      return { body: { '@odata.id': base, '@odata.type': '#AccountService.v1_13_0.AccountService', Id: 'AccountService', Name: 'Account Service', ServiceEnabled: true, Accounts: { '@odata.id': `${base}/Accounts` }, Roles: { '@odata.id': `${base}/Roles` } } };
    }
    if (rest === '/Roles') return { body: collection(base + rest, 'RoleCollection', Object.keys(PRIVILEGES).map((r) => `${base}/Roles/${r}`)) };
    const role = /^\/Roles\/([^/]+)$/.exec(rest)?.[1];
    if (role && Object.hasOwn(PRIVILEGES, role)) {
      return { body: { '@odata.id': base + rest, '@odata.type': '#Role.v1_3_1.Role', Id: role, Name: role, RoleId: role, IsPredefined: true, AssignedPrivileges: PRIVILEGES[role as keyof typeof PRIVILEGES] } };
    }
    if (rest === '/Accounts') {
      if (method === 'POST') {
        const username = String(body.UserName ?? '');
        const password = String(body.Password ?? '');
        const role = String(body.RoleId ?? 'ReadOnly');
        if (!username || !password) throw new FaceError(400, 'Base.1.8.PropertyMissing', 'UserName and Password are required');
        if (list.some((a) => a.username === username)) throw new FaceError(409, 'Base.1.8.ResourceAlreadyExists', `account ${username} exists`);
        await this.ensure(target, username, password, role, snap.bmc.adminUsername);
        return { status: 201, headers: { location: `${base}/Accounts/${encodeURIComponent(username)}` }, body: { '@odata.id': `${base}/Accounts/${encodeURIComponent(username)}` } };
      }
      return { body: collection(base + rest, 'ManagerAccountCollection', list.map((a) => `${base}/Accounts/${encodeURIComponent(a.username)}`)) };
    }
    const m = /^\/Accounts\/([^/]+)$/.exec(rest);
    const account = m ? list.find((a) => a.username === decodeURIComponent(m[1]!)) : undefined;
    if (!m || !account) throw new FaceError(404, 'Base.1.8.ResourceMissingAtURI', `no resource at ${base}${rest}`);
    if (method === 'DELETE') {
      if (account.username === snap.bmc.adminUsername) throw new FaceError(400, 'Base.1.8.ActionNotSupported', 'the administrator account cannot be removed');
      await sim.management.removeBmcAccount(target, account.username);
      return { status: 204 };
    }
    if (method === 'PATCH') {
      if (typeof body.Password !== 'string') throw new FaceError(400, 'Base.1.8.PropertyMissing', 'Password is required to change an account of a simulated BMC');
      await this.ensure(target, account.username, body.Password, String(body.RoleId ?? account.role), snap.bmc.adminUsername);
      return { status: 204 };
    }
    return { body: {
      '@odata.id': base + rest, '@odata.type': '#ManagerAccount.v1_10_0.ManagerAccount', Id: account.username, Name: 'User Account',
      UserName: account.username, RoleId: account.role, Enabled: true, Locked: false, Password: null,
    } };
  }

  private async ensure(target: ServerTarget, username: string, password: string, role: string, admin: string): Promise<void> {
    if (!['ReadOnly', 'Operator', 'Administrator'].includes(role)) throw new FaceError(400, 'Base.1.8.PropertyValueNotInList', `RoleId ${role} is not one of ReadOnly, Operator, Administrator`);
    if (username === admin) throw new FaceError(400, 'Base.1.8.ActionNotSupported', 'the administrator account is changed at the rack, not over Redfish');
    await this.options.sim.management.ensureBmcAccount(target, { username, password, role: role as 'ReadOnly' | 'Operator' | 'Administrator' });
  }

  // ---- the lab's installer ----------------------------------------------------------------

  private maybeInstall(target: ServerTarget, who: { username: string; password: string }): void {
    const media = this.media.get(target.serverId);
    if (!media?.Cd || !media.Usb) return;
    const run = (async () => {
      const snap = await this.options.sim.lab.snapshot(target.serverId);
      if (snap.bootDevice !== 'cdrom') return;
      await playInstaller({ ...target, bmc: { ...target.bmc, username: who.username, password: who.password } }, media.Usb!, this.options.sim);
    })().catch(() => undefined);
    this.installs.add(run);
    void run.finally(() => this.installs.delete(run));
  }
}

/**
 * What a cloud-init installer does with a NoCloud seed: read `meta-data` and `user-data` from
 * the seed URL, install (through the sim), then call the `phone_home` URL.
 */
export async function playInstaller(target: ServerTarget, seedUrl: string, sim: SimDriver): Promise<void> {
  const base = seedUrl.endsWith('/') ? seedUrl : `${seedUrl}/`;
  const [meta, user, network] = await Promise.all(['meta-data', 'user-data', 'network-config'].map(async (f) => {
    const r = await fetch(new URL(f, base));
    if (!r.ok) throw new Error(`seed ${f}: HTTP ${r.status}`);
    return r.text();
  }));
  const field = (text: string, name: string) => new RegExp(`^\\s*${name}:\\s*"?([^"\\n]+?)"?\\s*$`, 'm').exec(text)?.[1];
  const instanceId = field(meta!, 'instance-id');
  const phoneHome = field(user!, 'url');
  if (!instanceId || !phoneHome) throw new Error('the seed names no instance-id or phone_home url');
  const address = /-\s*"?(\d+\.\d+\.\d+\.\d+)\/(\d+)"?/.exec(network!);
  const config: InstallConfig = {
    instanceId,
    osType: field(meta!, 'bms-os-type') ?? 'Linux',
    osName: field(meta!, 'bms-os-name') ?? 'unknown',
    hostName: field(meta!, 'local-hostname') ?? instanceId,
    passwordHash: field(user!, 'hashed_passwd') ?? '!',
    network: {
      address: address?.[1] ?? '0.0.0.0', prefixLength: Number(address?.[2] ?? 0), gateway: /via:\s*"?([\d.]+)/.exec(network!)?.[1] ?? '0.0.0.0',
      backupAddresses: [...network!.matchAll(/-\s*"?(\d+\.\d+\.\d+\.\d+)\/\d+"?/g)].slice(1).map((x) => x[1]!),
    },
  };
  await sim.deploy.installOs(target, config);
  const r = await fetch(phoneHome, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `instance_id=${encodeURIComponent(instanceId)}&hostname=${encodeURIComponent(config.hostName)}` });
  if (!r.ok) throw new Error(`phone home: HTTP ${r.status}`);
}

// ---- helpers ------------------------------------------------------------------------------

async function readBody(req: http.IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 1 << 20) throw new FaceError(413, 'Base.1.8.PayloadTooLarge', 'request body over 1 MiB');
    chunks.push(c);
  }
  if (size === 0) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch {
    /* fall through */
  }
  throw new FaceError(400, 'Base.1.8.MalformedJSON', 'the request body is not a JSON object');
}

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined || status === 204 ? '' : JSON.stringify(body);
  res.writeHead(status, { 'odata-version': '4.0', ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function redfishError(messageId: string, message: string): Json {
  return { error: { code: messageId, message, '@Message.ExtendedInfo': [{ '@odata.type': '#Message.v1_1_1.Message', MessageId: messageId, Message: message, Severity: 'Critical' }] } };
}

function collection(path: string, type: string, members: string[]): Json {
  return { '@odata.id': path, '@odata.type': `#${type}.${type}`, Name: type, 'Members@odata.count': members.length, Members: members.map((m) => ({ '@odata.id': m })) };
}

function notAllowed(method: string, path: string): FaceError {
  return new FaceError(405, 'Base.1.8.OperationNotAllowed', `${method} is not allowed on ${path}`);
}

function etagOf(body: Json): string {
  return `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}"`;
}
