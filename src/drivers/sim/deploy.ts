/**
 * Deployment: installing an OS and erasing disks — the two long operations.
 *
 * `installOs` (≈ 21 min real time) runs what a PXE deployment does:
 *   1. boot the installer: boot device → pxe, then power on (or power-cycle if running);
 *   2. the installer partitions the array and writes the OS (20 min), then calls back;
 *   3. boot device → disk, and reboot into the installed system.
 * The server ends powered on, booting from disk, every disk dirty, the OS recorded (instance
 * id, OS, host name, password hash as given, network). No RAID layout is required: without
 * one the installer uses the bare disks. Calling it again for the installed instance only
 * finishes what is missing (boot device, power), so a step retried after a crash does no harm;
 * another instance id is a fresh install over the old one. With `install-fails` the installer
 * gives up half-way: disks dirty, no OS, the server left running the installer.
 *
 * `wipeDisks` boots a ramdisk over PXE, erases every disk (`all`, 5 min) or only the system
 * disk (`system`, 1 min — a reinstall keeps the data disks), and powers the server off. The
 * installed OS is gone either way (it lived on the system disk). When every disk in scope is
 * already wiped it only makes sure the power is off. With `wipe-fails` the ramdisk reports an
 * error half-way: the disks still hold their data and the server stays on.
 */
import type { DeployInterface, InstallConfig } from '../interfaces/hardware.ts';
import type { SimBmc, SimCall } from './bmc.ts';
import { sha256, type InstalledOs } from './state.ts';

export function simDeploy(bmc: SimBmc): DeployInterface {
  return {
    installOs: (target, config) => bmc.call(target, 'installOs', (call) => install(call, config)),
    wipeDisks: (target, scope) => bmc.call(target, 'wipeDisks', (call) => wipe(call, scope)),
  };
}

async function install(call: SimCall, config: InstallConfig): Promise<void> {
  if (!config.instanceId) throw call.failure('an install needs an instance id');
  if (call.state.os?.instanceId !== config.instanceId) {
    await bootInto(call, 'pxe');
    if (await call.faultFires('install-fails')) {
      await call.pass('installOs', 0.5);
      await call.change((s) => {
        s.disks = s.disks.map(() => 'dirty');
        s.os = null;
      });
      throw call.failure(`the installer on server ${call.serverId} reported a failure`);
    }
    await call.pass('installOs');
    await call.change((s) => {
      s.os = installedOs(config);
      s.disks = s.disks.map(() => 'dirty');
    });
  }
  await bootFromDisk(call);
}

async function wipe(call: SimCall, scope: 'all' | 'system'): Promise<void> {
  if (scope !== 'all' && scope !== 'system') throw call.failure(`unknown wipe scope ${JSON.stringify(scope)}`);
  const inScope = (index: number) => scope === 'all' || index === 0;
  if (call.state.disks.every((d, i) => !inScope(i) || d === 'wiped')) return powerOff(call);
  await bootInto(call, 'pxe');
  const step = scope === 'all' ? 'wipeAll' : 'wipeSystem';
  if (await call.faultFires('wipe-fails')) {
    await call.pass(step, 0.5);
    throw call.failure(`the erase ramdisk on server ${call.serverId} reported a failure`);
  }
  await call.pass(step);
  await call.change((s) => {
    s.disks = s.disks.map((d, i) => (inScope(i) ? 'wiped' : d));
    s.os = null;
  });
  await powerOff(call);
}

/**
 * Sets the boot device to `device` and (re)boots into it: a power-on if the server is off, a
 * power cycle if it runs. Both land in one state change at the end of the boot.
 */
async function bootInto(call: SimCall, device: 'pxe' | 'disk'): Promise<void> {
  const now = await call.current();
  if (now.bootDevice !== device) await call.pass('setBootDevice');
  await call.pass(now.power === 'on' ? 'reboot' : 'powerOn');
  await call.change((s) => {
    s.bootDevice = device;
    s.power = 'on';
  });
}

/** Boots the installed system, unless the server already runs it. */
async function bootFromDisk(call: SimCall): Promise<void> {
  const now = await call.current();
  if (now.bootDevice !== 'disk' || now.power !== 'on') await bootInto(call, 'disk');
}

async function powerOff(call: SimCall): Promise<void> {
  if ((await call.current()).power === 'off') return;
  await call.pass('powerOff');
  await call.change((s) => {
    s.power = 'off';
  });
}

function installedOs(config: InstallConfig): InstalledOs {
  const { instanceId, osType, osName, hostName, passwordHash, network, monitorAgent } = config;
  const agent = monitorAgent ? { monitorAgent: { endpoint: monitorAgent.endpoint, tokenSha256: sha256(monitorAgent.token) } } : {};
  return { instanceId, osType, osName, hostName, passwordHash, ...agent, network: structuredClone(network) };
}
