/**
 * The `redfish` driver against Redfish servers BMS's team did not write
 * (../shared/peers/redfish): OpenStack sushy-tools' emulator (fake backend) and DMTF's
 * Redfish-Mockup-Server with the public-rackmount1 mockup. The same driver conformance suite
 * as for the sim and the lab face; what a peer cannot do is declared with the reason.
 *
 * Run with BMS_REDFISH_PEERS=1 (.ci/run sets it after installing the peers' Debian packages);
 * without it they skip, saying why; with it a missing package is a failure. Sushy's fake backend applies power changes 1–11 s after the request, so these tests
 * take a couple of minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineDriverSuite, type DriverUnderTest } from '../src/drivers/conformance/driver-suite.ts';
import type { Inventory, ServerTarget } from '../src/drivers/interfaces/hardware.ts';
import { createRedfishDriver, type RedfishDriver } from '../src/drivers/redfish/index.ts';
import { InstallMediaService } from '../src/install/media.ts';
import { cloudInitMissing, cloudInitSchema, peersMissing, startPeers, type Peers } from './support/redfish-peers.ts';
import { TestInstaller } from './support/test-installer.ts';

const missing = peersMissing();
const requireInCi = process.env.BMS_REDFISH_PEERS === '1';
if (missing && requireInCi) throw new Error(`Redfish peer tests required in CI: ${missing}`);

let peers: Peers | undefined;
let listener: http.Server | undefined;
let mediaUrl = '';
let sushySystems: string[] = [];
const drivers: RedfishDriver[] = [];
const schemaMissing = cloudInitMissing();
const installer = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'bms-os-image-'));
  const image = join(dir, 'installer.iso');
  const bytes = randomBytes(64 * 1024);
  writeFileSync(image, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const media = new InstallMediaService({ baseUrl: () => mediaUrl, imageFor: async () => ({ path: image, sha256 }) });
  return { media, play: new TestInstaller(media, schemaMissing ? undefined : cloudInitSchema) };
})();

before(async () => {
  if (missing) return;
  peers = await startPeers(['sushy', 'mockup']);
  listener = http.createServer((req, res) => void installer.media.handle(req, res).then((ours) => ours || res.writeHead(404).end()));
  await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', () => r()));
  mediaUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const auth = Buffer.from('admin:password').toString('base64');
  const systems = (await (await fetch(`${peers.sushyUrl}/redfish/v1/Systems`, { headers: { authorization: `Basic ${auth}` } })).json()) as { Members: Array<{ '@odata.id': string }> };
  sushySystems = systems.Members.map((m) => m['@odata.id']);
});
after(async () => {
  for (const d of drivers) d.close();
  listener?.closeAllConnections();
  listener?.close();
  await peers?.stop();
});

function driver(): RedfishDriver {
  const d = createRedfishDriver({ media: installer.play, overrides: { pollMs: 250 } });
  drivers.push(d);
  return d;
}

// ---- sushy-tools emulator --------------------------------------------------------------------

/** What start-sushy.sh's fake backend declares for each node: 4 drives, 2 NICs, no CPU or memory inventory. */
function sushyInventory(uuid: string): Inventory {
  return {
    sn: uuid, cpuModel: 'unknown', cpuCores: 0, cpuArch: 'X86', memoryGb: 0,
    disks: [{ type: 'HDD', sizeGb: 480 }, { type: 'HDD', sizeGb: 480 }, { type: 'HDD', sizeGb: 960 }, { type: 'HDD', sizeGb: 960 }],
    nicPorts: 2,
  };
}

let next = 0;
const sushyDriver = missing ? undefined : driver();
describe('redfish against sushy-tools', { skip: missing ?? false }, () => {
  defineDriverSuite('redfish on the sushy-tools emulator', {
    async setup(): Promise<DriverUnderTest> {
      const path = sushySystems[next++ % sushySystems.length]!;
      const target: ServerTarget = { serverId: `sushy-${path.split('/').pop()}`, sn: path.split('/').pop()!, bmc: { address: `${peers!.sushyUrl}${path}`, username: 'admin', password: 'password' } };
      await sushyDriver!.media.ejectAll(target);
      await sushyDriver!.power.setPowerState(target, 'off');
      return { driver: sushyDriver!, target, inventory: sushyInventory(target.sn), raidType: 'RAID1' };
    },
    unsupported: {
      accounts: 'sushy-tools has no AccountService (HTTP basic auth from an htpasswd file)',
      raid: "sushy-tools' fake backend answers 501 to a volume create",
      wipe: "sushy-tools' drives offer no Drive.SecureErase",
      heartbeatVlan: 'the heartbeat VLAN is configured on the top-of-rack switch; a BMC has no say in it',
    },
  });

  test('the installer found the seed through the inserted media URL, and cloud-init accepted it', { skip: schemaMissing ?? false }, () => {
    assert.ok(installer.play.played.length > 0, 'the suite installed at least once');
    for (const p of installer.play.played) assert.match(p.seedUrl, /^http:\/\/127\.0\.0\.1:\d+\/install\/[A-Za-z0-9_-]{32}\/seed\/$/);
  });
});

// ---- DMTF mockup -----------------------------------------------------------------------------

/** What DMTF's public-rackmount1 mockup describes (Systems/437XR1138R2). */
const MOCKUP_INVENTORY: Inventory = {
  sn: '437XR1138R2', cpuModel: 'Multi-Core Intel(R) Xeon(R) processor 7xxx Series', cpuCores: 8, cpuArch: 'X86', memoryGb: 96, disks: [], nicPorts: 4,
};
const mockupDriver = missing ? undefined : driver();
const MOCKUP_WRITES = 'the mockup accepts writes but does not apply them (a mockup of reads)';
describe('redfish against the DMTF mockup', { skip: missing ?? false }, () => {
  const target = (): ServerTarget => ({ serverId: 'mockup', sn: MOCKUP_INVENTORY.sn, bmc: { address: peers!.mockupUrl, username: 'Administrator', password: 'Password' } });
  defineDriverSuite('redfish on the DMTF mockup', {
    async setup(): Promise<DriverUnderTest> {
      return { driver: mockupDriver!, target: target(), inventory: MOCKUP_INVENTORY, raidType: 'RAID1' };
    },
    unsupported: {
      raid: 'public-rackmount1 has no Storage Volumes',
      heartbeatVlan: 'the heartbeat VLAN is configured on the top-of-rack switch; a BMC has no say in it',
    },
    cannotShow: { power: MOCKUP_WRITES, accounts: MOCKUP_WRITES, install: MOCKUP_WRITES, wipe: MOCKUP_WRITES, credentials: 'the mockup does not check credentials' },
  });

  test('accounts, virtual media and sensors read back as the mockup describes them', async () => {
    const accounts = await mockupDriver!.listBmcAccounts(target());
    assert.ok(accounts.some((a) => a.username === 'Administrator' && a.role === 'Administrator'), JSON.stringify(accounts));
    const media = await mockupDriver!.media.list(target());
    assert.deepEqual(media.map((m) => m.id).sort(), ['CD1', 'Floppy1']);
    assert.deepEqual(await mockupDriver!.sensors.readSensors(target()), { powerWatts: 344, inletTempC: 25 });
  });
});
