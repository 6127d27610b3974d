/**
 * Bench support: how to fill the demo fleet with instances through the public API.
 *
 * `planLaunch` turns "this many free servers of each standard flavor in each zone" into
 * RunInstances bodies of at most 100 instances each (one flavor, one zone per call), reading
 * the flavors' images and RAID types with DescribeFlavors and placing every batch in a BMS
 * subnet of the demo VPC (`demo-vpc`) that still has room for it — as DescribeSubnets counts
 * free addresses. When a zone's BMS subnets are too small, it creates another /24 BMS subnet
 * in the demo VPC with CreateSubnet, as a tenant would.
 */
import { BMS_API, callApi, VPC_API, type Credentials, type Target } from './signed-api.ts';

export const MAX_PER_CALL = 100;

/** Free servers of one standard flavor in one zone (read from the store by the BMS child). */
export interface FreeServers { zone: string; flavorId: string; free: number }

export interface LaunchBatch {
  zone: string;
  flavorId: string;
  count: number;
  /** The RunInstances parameters, without ClientToken. */
  params: Record<string, unknown>;
}

interface WireFlavor { FlavorId: string; Placement: { Zone: string }; RaidType: string[]; OperatingSystem: { Linux: string[] }; UserDefined: number }
interface WireSubnet { SubnetId: string; VpcId: string; Zone: string; CidrBlock: string; AvailableIpAddressCount: number; IsBmsSubnet: boolean }

export interface LaunchPlan {
  batches: LaunchBatch[];
  instances: number;
  /** Subnets this plan had to create (CIDR list). */
  createdSubnets: string[];
}

export async function planLaunch(target: Target, creds: Credentials, pool: FreeServers[], opts: { limit: number; name: string; password: string }): Promise<LaunchPlan> {
  const flavors = new Map((await callApi<{ FlavorSet: WireFlavor[] }>(target, creds, BMS_API('DescribeFlavors'), { Limit: 100 }))
    .response.FlavorSet.map((f) => [f.FlavorId, f]));
  const network = await demoNetwork(target, creds);
  const wanted: Array<{ zone: string; flavorId: string; count: number }> = [];
  let left = opts.limit;
  for (const p of [...pool].sort((a, b) => a.zone.localeCompare(b.zone) || a.flavorId.localeCompare(b.flavorId))) {
    for (let n = Math.min(p.free, left); n > 0; n -= MAX_PER_CALL) wanted.push({ zone: p.zone, flavorId: p.flavorId, count: Math.min(n, MAX_PER_CALL) });
    left -= Math.min(p.free, left);
  }
  const batches: LaunchBatch[] = [];
  const createdSubnets: string[] = [];
  for (const w of wanted) {
    const flavor = flavors.get(w.flavorId);
    if (!flavor) throw new Error(`DescribeFlavors does not list ${w.flavorId}`);
    let subnet = network.subnets.find((s) => s.Zone === w.zone && s.AvailableIpAddressCount >= w.count);
    if (!subnet) {
      subnet = await createSubnet(target, creds, network, w.zone);
      createdSubnets.push(subnet.CidrBlock);
    }
    subnet.AvailableIpAddressCount -= w.count;
    batches.push({
      ...w,
      params: {
        Placement: { Zone: w.zone }, FlavorId: w.flavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
        VirtualPrivateCloud: { VpcId: network.vpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: opts.password },
        RaidType: flavor.RaidType[0], InstanceName: opts.name, InstanceCount: w.count,
      },
    });
  }
  return { batches, instances: batches.reduce((n, b) => n + b.count, 0), createdSubnets };
}

interface DemoNetwork { vpcId: string; vpcCidr: string; subnets: WireSubnet[]; usedCidrs: Set<string> }

async function demoNetwork(target: Target, creds: Credentials): Promise<DemoNetwork> {
  const { VpcSet } = (await callApi<{ VpcSet: Array<{ VpcId: string; VpcName: string; CidrBlock: string }> }>(target, creds, VPC_API('DescribeVpcs'), {
    Filters: [{ Name: 'vpc-name', Values: ['demo-vpc'] }],
  })).response;
  const vpc = VpcSet.find((v) => v.VpcName === 'demo-vpc');
  if (!vpc) throw new Error('the demo tenant has no demo-vpc (is BMS_DEMO=1?)');
  const { SubnetSet } = (await callApi<{ SubnetSet: WireSubnet[] }>(target, creds, VPC_API('DescribeSubnets'), {
    Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId] }], Limit: '100',
  })).response;
  return { vpcId: vpc.VpcId, vpcCidr: vpc.CidrBlock, subnets: SubnetSet.filter((s) => s.IsBmsSubnet), usedCidrs: new Set(SubnetSet.map((s) => s.CidrBlock)) };
}

/** A new /24 BMS subnet of the demo VPC (10.0.0.0/16) in `zone`: the first 10.0.x.0/24 no subnet holds. */
async function createSubnet(target: Target, creds: Credentials, network: DemoNetwork, zone: string): Promise<WireSubnet> {
  const prefix = network.vpcCidr.split('.').slice(0, 2).join('.');
  const third = Array.from({ length: 256 }, (_, i) => i).find((i) => !network.usedCidrs.has(`${prefix}.${i}.0/24`));
  if (third === undefined) throw new Error(`no free /24 left in ${network.vpcCidr}`);
  const cidr = `${prefix}.${third}.0/24`;
  const { Subnet } = (await callApi<{ Subnet: WireSubnet }>(target, creds, VPC_API('CreateSubnet'), {
    VpcId: network.vpcId, SubnetName: `bench-${zone}-${third}`, CidrBlock: cidr, Zone: zone, IsBmsSubnet: true,
  })).response;
  network.usedCidrs.add(cidr);
  network.subnets.push(Subnet);
  return Subnet;
}
