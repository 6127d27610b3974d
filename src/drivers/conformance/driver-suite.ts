/**
 * The driver contract, as one test suite that every `HardwareDriver` must pass.
 *
 * Flows rely on a few promises that no type can state: every method may be called again after
 * a crash without harm; power changes show up in `getPowerState`; an installed server runs and
 * boots from its disk; the admin account BMS drives the BMC with cannot be taken over through
 * the tenant-account calls; failures are `DriverError`s with a meaningful kind. The suite states
 * them once and runs against every hardware type (as Hono runs one suite against every router).
 *
 *   defineDriverSuite('sim', { setup: async () => ({ driver, target, inventory, raidType: 'RAID1' }) });
 *
 * `setup` racks one fresh server per test (powered off, disks clean). Some effects — the boot
 * device, the installed instance, disk contents — cannot be read back through the interfaces;
 * a harness that can look at the hardware another way passes `observe`, and without it those
 * tests skip and say why.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DriverError,
  type BootDevice,
  type DriverErrorKind,
  type HardwareDriver,
  type InstallConfig,
  type Inventory,
  type ServerTarget,
} from '../interfaces/hardware.ts';

export interface DriverUnderTest {
  driver: HardwareDriver;
  /** A freshly racked server: powered off, disks clean. */
  target: ServerTarget;
  /** The hardware as registered: what `readInventory` must report. */
  inventory: Inventory;
  /** A RAID layout this server can build. */
  raidType: string;
}

/** What the hardware holds that the interfaces cannot read back. */
export interface HardwareObservation {
  bootDevice: BootDevice;
  raid: string | null;
  installedInstanceId: string | null;
  /** Whether any disk still holds data. */
  disksHoldData: boolean;
  bmcUsernames: string[];
  heartbeatVlan: number | null;
}

/** Driver concerns a hardware type may document as unsupported on some hardware. */
export type OptionalConcern = 'accounts' | 'raid' | 'install' | 'wipe' | 'heartbeatVlan' | 'power';

export interface DriverHarness {
  setup(): Promise<DriverUnderTest>;
  /**
   * Concerns this hardware does not offer, each with the reason: their tests skip saying so,
   * and one test checks that each such call rejects with kind `unsupported` (never a silent no-op).
   */
  unsupported?: Partial<Record<OptionalConcern, string>>;
  /**
   * Concerns this BMC accepts but whose effect the tests cannot see (a mockup that answers
   * writes without applying them), each with the reason: their tests skip saying so.
   * `credentials`: the BMC does not check passwords.
   */
  cannotShow?: Partial<Record<OptionalConcern | 'credentials', string>>;
  /** Looks at the hardware of `dut` (optional). */
  observe?(dut: DriverUnderTest): Promise<HardwareObservation>;
}

const NO_OBSERVE = 'the harness has no way to observe the hardware beyond the interfaces (no `observe`)';

export function defineDriverSuite(name: string, h: DriverHarness): void {
  const observed = h.observe ? { observe: h.observe.bind(h) } : undefined;
  const skipUnobserved = observed ? {} : { skip: NO_OBSERVE };
  const look = (dut: DriverUnderTest) => observed!.observe(dut);
  const gaps = h.unsupported ?? {};
  /** Skip options for a test needing `concerns` (and `observe` when `needsObserve`). */
  const blind = h.cannotShow ?? {};
  const needs = (concerns: Array<OptionalConcern | 'credentials'>, needsObserve = false) => {
    const missing = concerns.filter((c) => c !== 'credentials' && gaps[c]).map((c) => `${c}: ${gaps[c as OptionalConcern]}`);
    if (missing.length > 0) return { skip: `unsupported by this hardware — ${missing.join('; ')}` };
    const unseen = concerns.filter((c) => blind[c]).map((c) => `${c}: ${blind[c]}`);
    if (unseen.length > 0) return { skip: `cannot be observed on this BMC — ${unseen.join('; ')}` };
    return needsObserve ? skipUnobserved : {};
  };

  describe(`driver conformance: ${name}`, () => {
    test('readInventory reports the registered hardware, every time', async () => {
      const { driver, target, inventory } = await h.setup();
      assert.deepEqual(await driver.management.readInventory(target), inventory);
      assert.deepEqual(await driver.management.readInventory(target), inventory);
    });

    test('readSensors reports watts and an inlet temperature in range, or leaves a reading out', needs(['power']), async () => {
      const { driver, target } = await h.setup();
      for (const state of ['on', 'off'] as const) {
        await driver.power.setPowerState(target, state);
        const r = await driver.sensors.readSensors(target);
        if (r.powerWatts !== undefined) assert.ok(Number.isFinite(r.powerWatts) && r.powerWatts >= 0 && r.powerWatts < 20_000, `powerWatts ${r.powerWatts}`);
        if (r.inletTempC !== undefined) assert.ok(Number.isFinite(r.inletTempC) && r.inletTempC > -40 && r.inletTempC < 100, `inletTempC ${r.inletTempC}`);
      }
    });

    test('power transitions are observed through getPowerState; repeating a call is harmless', needs(['power']), async () => {
      const { driver, target } = await h.setup();
      const { power } = driver;
      await power.setPowerState(target, 'off');
      assert.equal(await power.getPowerState(target), 'off');
      for (const [act, expected] of [
        [() => power.setPowerState(target, 'on'), 'on'],
        [() => power.setPowerState(target, 'on'), 'on'],
        [() => power.reboot(target), 'on'],
        [() => power.setPowerState(target, 'off'), 'off'],
        [() => power.setPowerState(target, 'off'), 'off'],
        [() => power.reboot(target), 'on'], // rebooting a server that is off powers it on
      ] as const) {
        await act();
        assert.equal(await power.getPowerState(target), expected);
      }
    });

    test('setBootDevice accepts every device, twice in a row', async () => {
      const { driver, target } = await h.setup();
      for (const device of ['pxe', 'pxe', 'cdrom', 'disk', 'disk'] as const) await driver.management.setBootDevice(target, device);
    });

    test('setBootDevice is what the hardware boots from next', needs([], true), async () => {
      const dut = await h.setup();
      await dut.driver.management.setBootDevice(dut.target, 'pxe');
      assert.equal((await look(dut)).bootDevice, 'pxe');
      await dut.driver.management.setBootDevice(dut.target, 'disk');
      assert.equal((await look(dut)).bootDevice, 'disk');
    });

    test('ensureBmcAccount / removeBmcAccount are idempotent and the account logs in only while it exists', needs(['accounts']), async () => {
      const { driver, target } = await h.setup();
      const { management } = driver;
      const tenant = { username: 'tenant7', password: 'First-pass-1', role: 'Operator' } as const;
      const asTenant = (password: string): ServerTarget => ({ ...target, bmc: { ...target.bmc, username: tenant.username, password } });
      await management.ensureBmcAccount(target, tenant);
      await management.ensureBmcAccount(target, tenant);
      assert.equal(await driver.power.getPowerState(asTenant(tenant.password)), 'off');
      await management.ensureBmcAccount(target, { ...tenant, password: 'Second-pass-2' });
      await rejectsWith('failed', driver.power.getPowerState(asTenant(tenant.password)));
      assert.equal(await driver.power.getPowerState(asTenant('Second-pass-2')), 'off');
      await management.removeBmcAccount(target, tenant.username);
      await management.removeBmcAccount(target, tenant.username);
      await management.removeBmcAccount(target, 'never-existed');
      await rejectsWith('failed', driver.power.getPowerState(asTenant('Second-pass-2')));
    });

    test('BMC accounts are visible on the hardware', needs(['accounts'], true), async () => {
      const dut = await h.setup();
      await dut.driver.management.ensureBmcAccount(dut.target, { username: 'tenant8', password: 'Pass-word-8', role: 'ReadOnly' });
      assert.ok((await look(dut)).bmcUsernames.includes('tenant8'));
      await dut.driver.management.removeBmcAccount(dut.target, 'tenant8');
      assert.ok(!(await look(dut)).bmcUsernames.includes('tenant8'));
    });

    test('the admin account cannot be replaced or removed through the account calls', needs(['power']), async () => {
      const { driver, target } = await h.setup();
      const admin = target.bmc.username;
      await rejectsWith('failed', driver.management.ensureBmcAccount(target, { username: admin, password: 'Taken-over-1', role: 'Administrator' }));
      await rejectsWith('failed', driver.management.removeBmcAccount(target, admin));
      assert.equal(await driver.power.getPowerState(target), 'off', 'the admin credentials still work');
    });

    test('wrong admin credentials are an authentication failure; a dead address is unreachable', needs(['credentials']), async () => {
      const { driver, target } = await h.setup();
      await rejectsWith('failed', driver.power.getPowerState({ ...target, bmc: { ...target.bmc, password: 'not-the-password' } }));
      await rejectsWith('unreachable', driver.power.getPowerState({ ...target, bmc: { ...target.bmc, address: 'bmc.unreachable.invalid' } }));
    });

    test('buildRaid builds the layout, twice in a row', needs(['raid']), async () => {
      const dut = await h.setup();
      await dut.driver.power.setPowerState(dut.target, 'off');
      await dut.driver.raid.buildRaid(dut.target, dut.raidType);
      await dut.driver.raid.buildRaid(dut.target, dut.raidType);
      if (observed) assert.equal((await look(dut)).raid, dut.raidType.toUpperCase());
    });

    test('installOs leaves the server on, booting its disk; repeating it is harmless', needs(['install', 'power']), async () => {
      const dut = await h.setup();
      const { driver, target } = dut;
      if (!gaps.raid) await driver.raid.buildRaid(target, dut.raidType);
      await driver.deploy.installOs(target, installConfig('ins-conf0001'));
      await driver.deploy.installOs(target, installConfig('ins-conf0001'));
      assert.equal(await driver.power.getPowerState(target), 'on');
      await driver.power.setPowerState(target, 'off');
      await driver.deploy.installOs(target, installConfig('ins-conf0001')); // a resumed step finishes the job
      assert.equal(await driver.power.getPowerState(target), 'on');
    });

    test('an installed server boots from disk with the instance on it', needs(['install'], true), async () => {
      const dut = await h.setup();
      await dut.driver.deploy.installOs(dut.target, installConfig('ins-conf0002'));
      const seen = await look(dut);
      assert.equal(seen.bootDevice, 'disk');
      assert.equal(seen.installedInstanceId, 'ins-conf0002');
      assert.equal(seen.disksHoldData, true);
      await dut.driver.power.reboot(dut.target);
      assert.equal((await look(dut)).installedInstanceId, 'ins-conf0002', 'a reboot keeps the OS');
    });

    test('wipeDisks (all, then system) succeeds twice in a row', needs(['install', 'wipe']), async () => {
      const { driver, target } = await h.setup();
      await driver.deploy.installOs(target, installConfig('ins-conf0003'));
      for (const scope of ['system', 'system', 'all', 'all'] as const) await driver.deploy.wipeDisks(target, scope);
    });

    test('wipeDisks all leaves no data and no OS behind', needs(['install', 'wipe'], true), async () => {
      const dut = await h.setup();
      await dut.driver.deploy.installOs(dut.target, installConfig('ins-conf0004'));
      await dut.driver.deploy.wipeDisks(dut.target, 'all');
      const seen = await look(dut);
      assert.equal(seen.disksHoldData, false);
      assert.equal(seen.installedInstanceId, null);
    });

    test('each concern declared unsupported rejects with kind unsupported, naming why', { skip: Object.keys(gaps).length === 0 ? 'every concern is supported' : false }, async () => {
      const { driver, target, raidType } = await h.setup();
      const calls: Record<OptionalConcern, () => Promise<unknown>> = {
        accounts: () => driver.management.ensureBmcAccount(target, { username: 'tenant9', password: 'Pass-word-9', role: 'Operator' }),
        raid: () => driver.raid.buildRaid(target, raidType),
        install: () => driver.deploy.installOs(target, installConfig('ins-conf0009')),
        wipe: () => driver.deploy.wipeDisks(target, 'all'),
        heartbeatVlan: () => driver.network.setHeartbeatVlan(target, 120),
        power: () => driver.power.setPowerState(target, 'on'),
      };
      for (const concern of Object.keys(gaps) as OptionalConcern[]) await rejectsWith('unsupported', calls[concern]());
    });

    test('setHeartbeatVlan joins and leaves a VLAN, twice each', needs(['heartbeatVlan']), async () => {
      const dut = await h.setup();
      for (const vlan of [120, 120, undefined, undefined]) {
        await dut.driver.network.setHeartbeatVlan(dut.target, vlan);
        if (observed) assert.equal((await look(dut)).heartbeatVlan, vlan ?? null);
      }
    });
  });
}

/** A complete install configuration for `instanceId`. */
export function installConfig(instanceId: string): InstallConfig {
  return {
    instanceId,
    osType: 'Linux',
    osName: 'TencentOS Server 3.1',
    hostName: `host-${instanceId}`,
    passwordHash: '$6$saltsalt$2b0bHh5YvS0Z1q7mWqv3m1m6oV3o6rU3o2r4v5G1k0e3d0H0y7Y1z1z1z1z1z1z1z1z1z1z1z1z1z1z1z1z1z1',
    network: { address: '10.0.0.10', prefixLength: 24, gateway: '10.0.0.1', backupAddresses: ['10.0.0.11'], vlan: 100 },
  };
}

/** Asserts that `work` rejects with a DriverError of `kind`. */
export async function rejectsWith(kind: DriverErrorKind, work: Promise<unknown>): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof DriverError, `expected a DriverError, got ${String(error)}`);
    assert.equal(error.kind, kind, `expected kind ${kind}, got ${error.kind}: ${error.message}`);
    return true;
  });
}
