/**
 * The `redfish` driver against BMS's own Redfish face of the simulated datacenter: the driver
 * conformance suite (the one the sim passes), then what only a Redfish BMC has — sessions,
 * ETags, task monitors — and the address rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineDriverSuite, installConfig, rejectsWith, type DriverUnderTest } from '../src/drivers/conformance/driver-suite.ts';
import { driverFor, HARDWARE_TYPES } from '../src/drivers/registry.ts';
import { parseBmcAddress } from '../src/drivers/redfish/index.ts';
import { ADMIN, inventoryFor, startRedfishLab, type RedfishLab } from './support/redfish-lab.ts';

let lab: RedfishLab;
before(async () => {
  lab = await startRedfishLab();
});
after(async () => {
  await lab?.close();
});

defineDriverSuite('redfish on the lab Redfish face', {
  async setup(): Promise<DriverUnderTest> {
    const { target, inventory } = await lab.rack();
    return { driver: lab.driver, target, inventory, raidType: 'RAID10' };
  },
  observe: (dut) => lab.observe(dut.target),
  unsupported: { heartbeatVlan: 'the heartbeat VLAN is configured on the top-of-rack switch; a BMC has no say in it' },
});

describe('redfish driver details (lab face)', () => {
  test('redfish is a registry entry', () => {
    assert.ok(Object.hasOwn(HARDWARE_TYPES, 'redfish'));
    assert.equal(driverFor('redfish')().type, 'redfish');
  });

  test('one session per BMC, reused across operations', async () => {
    const { target } = await lab.rack();
    for (let i = 0; i < 5; i += 1) await lab.driver.power.getPowerState(target);
    await lab.driver.management.readInventory(target);
    assert.equal(lab.face.sessionCount(target.serverId), 1);
  });

  test('systems behind one listener with accounts of their own keep a session each (no replacing one another\'s)', async () => {
    // The lab's face serves every simulated BMC on one origin; here each has its own admin password.
    const targets = [];
    for (let i = 0; i < 3; i += 1) {
      const serverId = `srv-own${i}`;
      const password = `Own-pass-${i}!`;
      await lab.sim.lab.addServer(serverId, { inventory: inventoryFor(`SNOWN${i}`), bmc: { address: `bmc-${serverId}.lab`, username: ADMIN.username, password } });
      targets.push({ serverId, sn: `SNOWN${i}`, bmc: { address: lab.face.urlOf(serverId), username: ADMIN.username, password } });
    }
    for (let round = 0; round < 4; round += 1) for (const t of targets) assert.equal(await lab.driver.power.getPowerState(t), 'off');
    for (const t of targets) assert.equal(lab.face.sessionCount(t.serverId), 1, `${t.serverId}: one session, opened once and reused`);
  });

  test('a session the BMC dropped is opened again once, transparently', async () => {
    const { target } = await lab.rack();
    await lab.driver.power.getPowerState(target);
    // the BMC forgets every session (a BMC reboot)
    for (const id of [...(lab.face as unknown as { sessions: Map<string, unknown> }).sessions.keys()]) (lab.face as unknown as { sessions: Map<string, unknown> }).sessions.delete(id);
    assert.equal(await lab.driver.power.getPowerState(target), 'off');
    assert.equal(lab.face.sessionCount(target.serverId), 1);
  });

  test('install inserts installer and seed, the lab installer calls back, media is ejected afterwards', async () => {
    const { target } = await lab.rack();
    await lab.driver.deploy.installOs(target, installConfig('ins-rfmedia1'));
    assert.deepEqual(lab.face.mediaOf(target.serverId), { Cd: null, Usb: null });
    const seen = await lab.observe(target);
    assert.equal(seen.installedInstanceId, 'ins-rfmedia1');
    assert.equal(seen.bootDevice, 'disk');
    const snap = await lab.sim.lab.snapshot(target.serverId);
    assert.equal(snap.os?.hostName, 'host-ins-rfmedia1');
    assert.equal(snap.os?.passwordHash, installConfig('x').passwordHash, 'the hash reached the installer through the seed');
    assert.deepEqual(snap.os?.network.backupAddresses, ['10.0.0.11']);
  });

  test('the BMC error MessageId reaches the DriverError', async () => {
    const { target } = await lab.rack();
    await lab.sim.lab.injectFault(target.serverId, { kind: 'power-fails', times: 1 });
    await assert.rejects(lab.driver.power.setPowerState(target, 'on'), (e: Error) => /BmsLab\.1\.0\.HardwareError/.test(e.message) && /power control error/.test(e.message));
  });

  test('a BMC serving several systems must be named with the system path', async () => {
    const { target } = await lab.rack();
    await lab.rack();
    // The admin of every lab server here shares a password, so the collection lists several.
    await rejectsWith('failed', lab.driver.power.getPowerState({ ...target, bmc: { ...target.bmc, address: lab.face.address } }));
  });
});

describe('BMC addresses', () => {
  test('https host[:port] with an optional system path; http only on loopback', () => {
    assert.deepEqual(parseBmcAddress('10.1.2.3'), { origin: 'https://10.1.2.3', secure: true, host: '10.1.2.3', port: 443 });
    assert.deepEqual(parseBmcAddress('https://bmc7.dc:8443/redfish/v1/Systems/Self'), {
      origin: 'https://bmc7.dc:8443', secure: true, host: 'bmc7.dc', port: 8443, systemPath: '/redfish/v1/Systems/Self',
    });
    assert.equal(parseBmcAddress('http://127.0.0.1:18000/redfish/v1/Systems/a').secure, false);
    assert.throws(() => parseBmcAddress('http://10.1.2.3'), /plain http is allowed only for loopback/);
    assert.throws(() => parseBmcAddress('https://u:p@10.1.2.3'), /credentials/);
    assert.throws(() => parseBmcAddress('https://10.1.2.3/admin'), /may only name a system/);
    assert.throws(() => parseBmcAddress('ftp://10.1.2.3'), /scheme/);
  });
});
