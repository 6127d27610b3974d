/**
 * Wire views: stored VPCs and subnets as Tencent's `Vpc` and `Subnet` structures.
 *
 * The structures keep every member Tencent's VPC 2017-03-12 API returns, so SDKs and tools
 * that read them find what they expect. Members for features this deployment does not offer
 * carry their "none" value — empty id, empty list, false — rather than disappearing; the spec
 * (src/spec/vpc.json) documents each. `IsBmsSubnet` is our extension.
 */
import type { Subnet as SubnetWire, Vpc as VpcWire } from '../../generated/vpc.ts';
import { parseCidr, usableCount } from '../../network/ipam.ts';
import { isoTime } from '../../shared/ids.ts';
import type { Subnet } from '../../store/repos/subnets.ts';
import type { Vpc } from '../../store/repos/vpcs.ts';

/** A resource's tags as the vpc service writes them. */
export const tagSet = (tags: ReadonlyArray<{ key: string; value: string }> = []) => tags.map((t) => ({ Key: t.key, Value: t.value }));

export function vpcView(vpc: Vpc, tags?: ReadonlyArray<{ key: string; value: string }>): VpcWire {
  return {
    VpcName: vpc.name,
    VpcId: vpc.id,
    CidrBlock: vpc.cidr,
    IsDefault: false,
    EnableMulticast: false,
    CreatedTime: isoTime(vpc.createdAt),
    DnsServerSet: [],
    DomainName: '',
    DhcpOptionsId: '',
    EnableDhcp: false,
    Ipv6CidrBlock: vpc.ipv6Cidr ?? '',
    TagSet: tagSet(tags),
    AssistantCidrSet: [],
  };
}

/** `allocated`: how many IPv4 addresses of the subnet are in use right now. */
export function subnetView(subnet: Subnet, allocated: number, tags?: ReadonlyArray<{ key: string; value: string }>): SubnetWire {
  const total = totalAddresses(subnet.cidr);
  return {
    VpcId: subnet.vpcId,
    SubnetId: subnet.id,
    SubnetName: subnet.name,
    CidrBlock: subnet.cidr,
    IsDefault: false,
    EnableBroadcast: false,
    Zone: subnet.zone,
    RouteTableId: '',
    CreatedTime: isoTime(subnet.createdAt),
    AvailableIpAddressCount: Math.max(0, total - allocated),
    Ipv6CidrBlock: subnet.ipv6Cidr ?? '',
    NetworkAclId: '',
    IsRemoteVpcSnat: false,
    TotalIpAddressCount: total,
    TagSet: tagSet(tags),
    IsBmsSubnet: subnet.isBms,
  };
}

/** Assignable addresses of a stored block (network, gateway and broadcast excluded). */
function totalAddresses(cidr: string): number {
  const parsed = parseCidr(cidr);
  return parsed.ok ? usableCount(parsed.cidr) : 0;
}
