/**
 * The test plays the installer a real machine would boot: once the BMC reports the system on
 * and booting its virtual CD, it reads the config image's URL from the BMC's virtual media,
 * fetches the NoCloud seed from it, validates the user-data with `cloud-init schema` when asked,
 * and calls the phone-home URL of the seed (which carries the per-instance token).
 */
import type { InstallConfig, ServerTarget } from '../../src/drivers/interfaces/hardware.ts';
import type { InstallMediaPort } from '../../src/drivers/redfish/index.ts';
import { parseBmcAddress } from '../../src/drivers/redfish/index.ts';

type Json = Record<string, unknown>;

export interface PlayedInstall {
  instanceId: string;
  seedUrl: string;
  userData: string;
  metaData: string;
  networkConfig: string;
}

export class TestInstaller implements InstallMediaPort {
  readonly played: PlayedInstall[] = [];
  private readonly targets = new Map<string, ServerTarget>();

  constructor(
    private readonly inner: InstallMediaPort,
    private readonly validate?: (userData: string) => Promise<void>,
  ) {}

  async prepare(target: ServerTarget, config: InstallConfig) {
    this.targets.set(config.instanceId, target);
    return this.inner.prepare(target, config);
  }

  async completed(instanceId: string): Promise<boolean> {
    if (await this.inner.completed(instanceId)) return true;
    const target = this.targets.get(instanceId);
    if (target && (await this.booted(target))) await this.install(instanceId, target);
    return this.inner.completed(instanceId);
  }

  finished(instanceId: string) {
    return this.inner.finished?.(instanceId) ?? Promise.resolve();
  }

  private async get(target: ServerTarget, path: string): Promise<Json> {
    const { origin } = parseBmcAddress(target.bmc.address);
    const auth = Buffer.from(`${target.bmc.username}:${target.bmc.password}`).toString('base64');
    const r = await fetch(new URL(path, origin), { headers: { authorization: `Basic ${auth}` } });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return (await r.json()) as Json;
  }

  private async booted(target: ServerTarget): Promise<boolean> {
    const system = await this.get(target, parseBmcAddress(target.bmc.address).systemPath!);
    return system.PowerState === 'On' && (system.Boot as Json | undefined)?.BootSourceOverrideTarget === 'Cd';
  }

  private async install(instanceId: string, target: ServerTarget): Promise<void> {
    const system = await this.get(target, parseBmcAddress(target.bmc.address).systemPath!);
    const manager = String((((system.Links as Json).ManagedBy as Json[])[0] as Json)['@odata.id']);
    const media = await this.get(target, String(((await this.get(target, manager)).VirtualMedia as Json)['@odata.id']));
    let seedUrl: string | undefined;
    for (const m of media.Members as Json[]) {
      const slot = await this.get(target, String(m['@odata.id']));
      const image = typeof slot.Image === 'string' ? slot.Image : '';
      if (slot.Inserted && image.endsWith('/seed/')) seedUrl = image;
    }
    if (!seedUrl) return;
    const fetchText = async (f: string) => {
      const r = await fetch(new URL(f, seedUrl));
      if (!r.ok) throw new Error(`seed ${f}: HTTP ${r.status}`);
      return r.text();
    };
    const [metaData, userData, networkConfig] = await Promise.all([fetchText('meta-data'), fetchText('user-data'), fetchText('network-config')]);
    if (!metaData.includes(JSON.stringify(instanceId))) throw new Error(`the seed at ${seedUrl} is not for ${instanceId}`);
    await this.validate?.(userData);
    const url = /^\s*url:\s*"([^"]+)"/m.exec(userData)?.[1];
    if (!url) throw new Error('the seed has no phone_home url');
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `instance_id=${instanceId}` });
    if (!r.ok) throw new Error(`phone home: HTTP ${r.status}`);
    this.played.push({ instanceId, seedUrl, userData, metaData, networkConfig });
  }
}
