/**
 * A Redfish lab for tests: an in-memory simulated datacenter behind the Redfish face, the
 * install-media service on its own loopback listener, and a `redfish` driver wired to both.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HardwareObservation } from '../../src/drivers/conformance/driver-suite.ts';
import type { Inventory, ServerTarget } from '../../src/drivers/interfaces/hardware.ts';
import { createRedfishDriver, type RedfishDriver, type RedfishDriverOptions } from '../../src/drivers/redfish/index.ts';
import { createSimDriver, type SimDriver } from '../../src/drivers/sim/index.ts';
import { RedfishFace, type RedfishFaceOptions } from '../../src/drivers/sim/redfish-face.ts';
import { InstallMediaService } from '../../src/install/media.ts';

export const ADMIN = { username: 'bms-admin', password: 'Adm1n-Secret!' };

export function inventoryFor(sn: string): Inventory {
  return {
    sn,
    cpuModel: 'Intel Xeon Gold 6133',
    cpuCores: 40,
    cpuArch: 'X86',
    memoryGb: 384,
    disks: [
      { type: 'SSD', sizeGb: 480 },
      { type: 'SSD', sizeGb: 480 },
      { type: 'HDD', sizeGb: 4000 },
      { type: 'HDD', sizeGb: 4000 },
    ],
    nicPorts: 4,
  };
}

export interface RedfishLab {
  sim: SimDriver;
  face: RedfishFace;
  media: InstallMediaService;
  mediaUrl: string;
  driver: RedfishDriver;
  rack(power?: 'on' | 'off'): Promise<{ target: ServerTarget; inventory: Inventory }>;
  observe(target: ServerTarget): Promise<HardwareObservation>;
  close(): Promise<void>;
}

export async function startRedfishLab(opts: { face?: Partial<RedfishFaceOptions>; driver?: RedfishDriverOptions } = {}): Promise<RedfishLab> {
  const sim = createSimDriver({ timeScale: 0 });
  const face = await new RedfishFace({ sim, ...opts.face }).start();
  let mediaUrl = '';
  const media = new InstallMediaService({ baseUrl: () => mediaUrl });
  const listener = http.createServer((req, res) => {
    void media.handle(req, res).then((ours) => {
      if (!ours) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  mediaUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const driver = createRedfishDriver({ media, overrides: { pollMs: 5 }, ...opts.driver });
  return {
    sim, face, media, mediaUrl, driver,
    async rack(power = 'off') {
      const serverId = `srv-${randomUUID().slice(0, 8)}`;
      const sn = `SN${randomUUID().slice(0, 10).toUpperCase()}`;
      const inventory = inventoryFor(sn);
      await sim.lab.addServer(serverId, { inventory, bmc: { address: `bmc-${serverId}.lab`, ...ADMIN } }, { power });
      return { target: { serverId, sn, bmc: { address: face.urlOf(serverId), ...ADMIN } }, inventory };
    },
    async observe(target) {
      await face.settled();
      const s = await sim.lab.snapshot(target.serverId);
      return {
        bootDevice: s.bootDevice,
        raid: s.raid,
        installedInstanceId: s.os?.instanceId ?? null,
        disksHoldData: s.diskState === 'dirty',
        bmcUsernames: s.bmc.accounts.map((a) => a.username),
        heartbeatVlan: s.heartbeatVlan,
      };
    },
    async close() {
      driver.close();
      await face.close();
      listener.closeAllConnections();
      await new Promise<void>((r) => listener.close(() => r()));
      sim.close();
    },
  };
}
