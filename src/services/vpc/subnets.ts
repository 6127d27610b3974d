/**
 * Subnets: CreateSubnet and DeleteSubnet.
 *
 * A subnet is a block of its VPC's address space in one zone; instances take their addresses
 * from it. Its block must lie inside the VPC's and overlap no other subnet of the VPC, and a
 * VPC holds at most `SUBNET_LIMIT` subnets. When the VPC has an IPv6 block, the new subnet gets
 * the lowest /64 of it that no sibling holds (none when they are all taken — a /64 VPC has just
 * one). CreateSubnet holds the VPC's lock while it checks and inserts, so two concurrent
 * requests cannot both claim overlapping blocks or the same /64.
 *
 * A subnet can be deleted only when no address is allocated in it any more.
 */
import type { CreateSubnetRequest, DeleteSubnetRequest } from '../../generated/vpc.ts';
import {
  checkSubnetCidr, findOverlap, formatCidr, formatIpv6Cidr, parseIpv6Cidr, subnetBlock, subnetBlockCount,
} from '../../network/ipam.ts';
import { newId } from '../../shared/ids.ts';
import { countBySubnet } from '../../store/repos/ip-allocations.ts';
import { listZones } from '../../store/repos/regions.ts';
import { deleteSubnet as deleteSubnetRow, getSubnet, insertSubnet, listSubnetsOfVpc, type Subnet } from '../../store/repos/subnets.ts';
import { getVpc, lockVpc, type VpcScope } from '../../store/repos/vpcs.ts';
import type { Store, Tx } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import {
  badSubnetCidr, notStored, subnetInUse, subnetLimitExceeded, subnetNotFound, subnetOverlap, unknownZone, vpcNotFound, zoneUnavailable,
} from './errors.ts';
import { cidrParam, idParam, scopeOf } from './params.ts';
import { subnetView } from './views.ts';

export const SUBNET_LIMIT = 100;

export interface NewSubnet {
  scope: VpcScope;
  vpcId: string;
  name: string;
  /** As the caller wrote it; validated here against the VPC. */
  cidr: string;
  zone: string;
  isBms: boolean;
  now: number;
}

/** Creates a subnet after every check against its VPC and siblings. Call inside a transaction. */
export async function createSubnetIn(tx: Tx, s: NewSubnet): Promise<Subnet> {
  const block = cidrParam('CidrBlock', s.cidr);
  if (!(await lockVpc(tx, s.scope, s.vpcId))) throw vpcNotFound(s.vpcId);
  const vpc = (await getVpc(tx, s.scope, s.vpcId))!;
  const problem = checkSubnetCidr(block, cidrParam('CidrBlock', vpc.cidr));
  if (problem) throw badSubnetCidr(s.cidr, vpc, problem);
  await checkZone(tx, s.zone, s.scope.region);
  const siblings = await listSubnetsOfVpc(tx, vpc.id);
  if (siblings.length >= SUBNET_LIMIT) throw subnetLimitExceeded(SUBNET_LIMIT, vpc.id);
  const overlapping = findOverlap(block, siblings);
  if (overlapping) throw subnetOverlap(s.cidr, overlapping);
  return insertSubnet(tx, {
    id: newId('subnet'), accountUin: s.scope.accountUin, vpcId: vpc.id, zone: s.zone, name: s.name, cidr: formatCidr(block),
    ipv6Cidr: vpc.ipv6Cidr ? freeIpv6Block(vpc.ipv6Cidr, siblings) : null, isBms: s.isBms, createdAt: s.now,
  });
}

async function checkZone(tx: Tx, zone: string, region: string): Promise<void> {
  const found = (await listZones(tx, region)).find((z) => z.zone === zone);
  if (!found) throw unknownZone(zone, region);
  if (found.state !== 'AVAILABLE') throw zoneUnavailable(zone);
}

/** The lowest /64 of the VPC's IPv6 block that no sibling holds, or null when all are taken. */
function freeIpv6Block(vpcIpv6: string, siblings: readonly Subnet[]): string | null {
  const parsed = parseIpv6Cidr(vpcIpv6);
  if (!parsed.ok) throw new Error(`stored IPv6 block is invalid: ${vpcIpv6}`);
  const held = new Set(siblings.map((s) => s.ipv6Cidr));
  for (let i = 0; i < subnetBlockCount(parsed.cidr); i++) {
    const candidate = formatIpv6Cidr(subnetBlock(parsed.cidr, i));
    if (!held.has(candidate)) return candidate;
  }
  return null;
}

export function createSubnet(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateSubnetRequest;
    const vpcId = idParam('VpcId', p.VpcId, 'vpc');
    cidrParam('CidrBlock', p.CidrBlock);
    if (p.Tags?.length) throw notStored('Tags');
    const subnet = await store.transaction((tx) => createSubnetIn(tx, {
      scope: scopeOf(ctx), vpcId, name: p.SubnetName, cidr: p.CidrBlock.trim(), zone: p.Zone, isBms: p.IsBmsSubnet ?? false, now: ctx.now,
    }));
    return { Subnet: subnetView(subnet, 0) };
  };
}

export function deleteSubnet(store: Store): Handler {
  return async (ctx, params) => {
    const id = idParam('SubnetId', (params as unknown as DeleteSubnetRequest).SubnetId, 'subnet');
    await store.transaction(async (tx) => {
      if (!(await getSubnet(tx, scopeOf(ctx), id))) throw subnetNotFound(id);
      const counts = (await countBySubnet(tx, [id])).get(id);
      if (counts) throw subnetInUse(id, counts.ipv4 + counts.ipv6);
      const outcome = await deleteSubnetRow(tx, id);
      if (outcome === 'in-use') throw subnetInUse(id, undefined);
      if (outcome === 'missing') throw subnetNotFound(id);
    });
    return {};
  };
}
