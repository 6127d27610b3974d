/**
 * The demo tenant's network, so that a fresh install can launch bare metal at once.
 *
 * `seedDemoNetwork` gives the account a VPC `demo-vpc` (10.0.0.0/16, IPv6 fd00:0:0:100::/56)
 * and one BMS subnet `demo-bms-<zone>` per zone (10.0.1.0/24, 10.0.2.0/24, … in the order the
 * zones are given; the next free /24 if that one is taken). It is idempotent: what exists is
 * found by name and kept, so calling it at every start converges. It goes through the same
 * checks as CreateVpc/CreateSubnet (quota, zone, overlap), so it cannot produce a network the
 * API would refuse. The composition root calls it; nothing here starts on its own.
 */
import { findOverlap, parseIpv4 } from '../../network/ipam.ts';
import { listZones } from '../../store/repos/regions.ts';
import { listSubnetsOfVpc } from '../../store/repos/subnets.ts';
import { findVpcByName, type VpcScope } from '../../store/repos/vpcs.ts';
import type { Store, Tx } from '../../store/store.ts';
import { createSubnetIn } from './subnets.ts';
import { createVpcIn } from './vpcs.ts';

export const DEMO_VPC = { name: 'demo-vpc', cidr: '10.0.0.0/16', ipv6Cidr: 'fd00:0:0:100::/56' } as const;

export interface DemoNetwork {
  vpcId: string;
  /** Subnet id per zone. */
  subnetIds: Record<string, string>;
}

export async function seedDemoNetwork(store: Store, accountUin: string, zones: string[], now: number): Promise<DemoNetwork> {
  const region = await regionOf(store.db, zones);
  const scope: VpcScope = { accountUin, region };
  return store.transaction(async (tx) => {
    const vpc = (await findVpcByName(tx, scope, DEMO_VPC.name))
      ?? (await createVpcIn(tx, { scope, name: DEMO_VPC.name, cidr: DEMO_VPC.cidr, ipv6Cidr: DEMO_VPC.ipv6Cidr, now }));
    const subnetIds: Record<string, string> = {};
    for (const [i, zone] of zones.entries()) subnetIds[zone] = await ensureSubnet(tx, scope, vpc.id, zone, i + 1, now);
    return { vpcId: vpc.id, subnetIds };
  });
}

async function ensureSubnet(tx: Tx, scope: VpcScope, vpcId: string, zone: string, preferred: number, now: number) {
  const name = `demo-bms-${zone}`;
  const siblings = await listSubnetsOfVpc(tx, vpcId);
  const existing = siblings.find((s) => s.name === name);
  if (existing) return existing.id;
  const free = (n: number) => n <= 255 && !findOverlap({ network: parseIpv4(`10.0.${n}.0`)!, prefix: 24 }, siblings);
  const third = [preferred, ...Array.from({ length: 255 }, (_, k) => k + 1)].find(free);
  if (third === undefined) throw new Error(`seedDemoNetwork: no free /24 left in ${DEMO_VPC.cidr} for zone ${zone}`);
  const subnet = await createSubnetIn(tx, { scope, vpcId, name, cidr: `10.0.${third}.0/24`, zone, isBms: true, now });
  return subnet.id;
}

async function regionOf(db: Tx, zones: string[]): Promise<string> {
  const known = new Map((await listZones(db)).map((z) => [z.zone, z.region]));
  const regions = new Set(zones.map((z) => known.get(z)));
  if (zones.length === 0 || regions.has(undefined) || regions.size !== 1) {
    throw new Error(`seedDemoNetwork: zones ${zones.join(', ')} must be known zones of one region`);
  }
  return [...regions][0]!;
}
