/**
 * Third-party Redfish clients drive the lab's Redfish face: DMTF's redfishtool and OpenStack's
 * python3-sushy (the library Ironic uses), both Debian packages. They power a simulated server,
 * set its boot device, insert and eject virtual media and list (add, delete) BMC accounts — and
 * the simulated datacenter shows each effect. (Accounts through redfishtool: python3-sushy 4.3.3
 * has no AccountService API.)
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ServerTarget } from '../src/drivers/interfaces/hardware.ts';
import { ADMIN, startRedfishLab, type RedfishLab } from './support/redfish-lab.ts';

const run = promisify(execFile);

function missing(): string | undefined {
  try {
    execFileSync('redfishtool', ['-V'], { stdio: 'ignore' });
    execFileSync('/usr/bin/python3', ['-c', 'import sushy'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return "Debian's redfishtool and python3-sushy are not installed (../shared/peers/redfish/setup.sh installs them)";
  }
}
const skip = missing();
if (skip && process.env.BMS_REDFISH_PEERS === '1') throw new Error(skip);

let lab: RedfishLab;
let target: ServerTarget;
before(async () => {
  if (skip) return;
  lab = await startRedfishLab();
  target = (await lab.rack()).target;
});
after(async () => lab?.close());

async function redfishtool(...args: string[]): Promise<string> {
  const host = lab.face.address.replace(/^http:\/\//, '');
  const { stdout } = await run('redfishtool', ['-r', host, '-S', 'Never', '-T', '30', '-u', ADMIN.username, '-p', ADMIN.password, ...args], { timeout: 60_000 });
  return stdout;
}

async function sushy(script: string): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', ['-c', `
import sushy, sys
root = sushy.Sushy(sys.argv[1] + '/redfish/v1', username=sys.argv[2], password=sys.argv[3])
system = root.get_system(sys.argv[4])
${script}
`, lab.face.address, ADMIN.username, ADMIN.password, `/redfish/v1/Systems/${target.serverId}`], { timeout: 60_000 });
  return stdout.trim();
}

describe('Debian Redfish clients against the lab face', { skip: skip ?? false }, () => {
  test('redfishtool powers the server, sets its boot device and manages accounts', async () => {
    const sys = ['Systems', '-L', `/redfish/v1/Systems/${target.serverId}`];
    await redfishtool(...sys, 'reset', 'On');
    assert.equal((await lab.sim.lab.snapshot(target.serverId)).power, 'on');
    assert.match(await redfishtool(...sys, 'get', '-P', 'PowerState'), /"On"/);
    await redfishtool(...sys, 'reset', 'ForceOff');
    assert.equal((await lab.sim.lab.snapshot(target.serverId)).power, 'off');
    await redfishtool('-s', ...sys, 'setBootOverride', 'Once', 'Pxe');
    assert.equal((await lab.sim.lab.snapshot(target.serverId)).bootDevice, 'pxe');
    assert.match(await redfishtool('AccountService', 'Accounts', 'list'), new RegExp(`Accounts/${ADMIN.username}`));
    await redfishtool('AccountService', 'adduser', 'clientuser', 'Cl1ent-Passw0rd', 'Operator');
    assert.ok((await lab.sim.lab.snapshot(target.serverId)).bmc.accounts.some((a) => a.username === 'clientuser' && a.role === 'Operator'));
    await redfishtool('AccountService', 'deleteuser', 'clientuser');
    assert.ok(!(await lab.sim.lab.snapshot(target.serverId)).bmc.accounts.some((a) => a.username === 'clientuser'));
    await redfishtool('-A', 'Session', 'Systems', 'list'); // a session login and logout
    assert.equal(lab.face.sessionCount(target.serverId), 0, 'redfishtool logged out');
  });

  test('python3-sushy powers the server, sets the boot device and inserts virtual media', async () => {
    assert.equal(await sushy("system.reset_system(sushy.RESET_ON); system.refresh(); print(system.power_state)"), 'PowerState.ON');
    assert.equal((await lab.sim.lab.snapshot(target.serverId)).power, 'on');
    await sushy("system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)");
    assert.equal((await lab.sim.lab.snapshot(target.serverId)).bootDevice, 'cdrom');
    const listed = await sushy(`
manager = root.get_manager('/redfish/v1/Managers/${target.serverId}')
cd = manager.virtual_media.get_member('/redfish/v1/Managers/${target.serverId}/VirtualMedia/Cd')
cd.insert_media('http://127.0.0.1:9/images/installer.iso')
cd.refresh()
print(cd.inserted, cd.image)`);
    assert.match(listed, /^True http:\/\/127\.0\.0\.1:9\/images\/installer\.iso/);
    assert.equal(lab.face.mediaOf(target.serverId).Cd, 'http://127.0.0.1:9/images/installer.iso');
    await sushy(`root.get_manager('/redfish/v1/Managers/${target.serverId}').virtual_media.get_member('/redfish/v1/Managers/${target.serverId}/VirtualMedia/Cd').eject_media()`);
    assert.equal(lab.face.mediaOf(target.serverId).Cd, null);
  });
});
