/**
 * The demo cloud a first start creates (BMS_DEMO=1, the default): the simulated fleet
 * (2 zones × 4 switches × 6 racks × 8 servers, standard X86/ARM flavors and a user-defined one
 * bound to the demo tenant), the demo tenant's VPC with a BMS subnet per zone, a public address
 * pool per ISP (documentation ranges; BMS_DEMO_EIPS=0 leaves it out), and a few
 * machines of the user-defined flavor handed over to the demo tenant as instances — launched
 * through the same RunInstances path a tenant uses, so they provision on the simulated
 * hardware like any other. Every part is idempotent: a restart converges, never duplicates.
 */
import type { SimLab } from '../drivers/sim/index.ts';
import type { SecretBox } from '../iam/secret-box.ts';
import type { Principal } from '../services/types.ts';
import { seedDemoFleet } from '../services/fleet/seed-demo-fleet.ts';
import type { InstanceServiceDeps } from '../services/instances/deps.ts';
import { runInstances } from '../services/instances/run-instances.ts';
import { seedDemoEips } from '../services/vpc/seed-demo-eips.ts';
import { seedDemoNetwork } from '../services/vpc/seed-demo-network.ts';
import { getSetting, setSetting } from '../store/repos/settings.ts';
import { getKey } from '../store/repos/api-keys.ts';
import { getFlavor, imagesOfFlavors } from '../store/repos/fleet-flavors.ts';

const HANDED_OVER = 2;

export async function seedDemo(
  deps: InstanceServiceDeps & { box: SecretBox; sim: SimLab },
  opts: { zones: string[]; region: string; demoAccountUin: string; demoSecretId: string; now: number; eips?: boolean },
): Promise<void> {
  const { store } = deps;
  const fleet = await seedDemoFleet({ store, box: deps.box, sim: deps.sim }, { zones: opts.zones, demoAccountUin: opts.demoAccountUin, now: opts.now });
  const network = await seedDemoNetwork(store, opts.demoAccountUin, opts.zones, opts.now);
  if (opts.eips !== false) await seedDemoEips(store, opts.region, opts.now);
  if (await getSetting(store.db, 'demo.handover')) return;
  const key = await getKey(store.db, opts.demoSecretId);
  if (!key) throw new Error('demo: the demo tenant has no key');
  const principal: Principal = {
    accountUin: key.accountUin, appId: key.appId, accountKind: key.accountKind, userId: key.userId, userUin: key.userUin, isRoot: key.isRoot, secretId: key.secretId,
  };
  const flavor = await getFlavor(store.db, fleet.userDefinedFlavorId);
  if (!flavor) throw new Error(`demo: the user-defined flavor ${fleet.userDefinedFlavorId} is missing`);
  const image = ((await imagesOfFlavors(store.db, [flavor.id])).get(flavor.id) ?? []).find((i) => i.osType === 'Linux'); // by name
  if (!image) throw new Error(`demo: the flavor ${flavor.id} offers no Linux image`);
  await runInstances(deps)(
    { requestId: 'demo-seed', principal, region: opts.region, language: 'en-US', now: opts.now, sourceIp: '127.0.0.1' },
    {
      Placement: { Zone: flavor.zone }, FlavorId: flavor.id, OperatingSystemType: 'Linux', OperatingSystem: image.name,
      VirtualPrivateCloud: { VpcId: network.vpcId, SubnetId: network.subnetIds[flavor.zone] }, LoginSettings: {},
      RaidType: flavor.raidTypes[0], InstanceCount: HANDED_OVER, InstanceName: 'handed-over-gpu',
      ClientToken: 'demo-handover',
    },
  );
  await setSetting(store.db, 'demo.handover', 'done');
}
