/**
 * Rows to wire structures: the reference's Instance, Flavor and Disk, exactly as it names them.
 */
import { createHash } from 'node:crypto';
import { isoTime } from '../../shared/ids.ts';
import type { FlavorRow, InstanceRow } from '../../store/repos/instances.ts';

export interface InstanceExtras {
  addresses: string[];
  tags: Array<{ key: string; value: string }>;
  uuid: string;
  appId: number;
  publicIps: string[];
  /** The instance's IPv6 addresses (VirtualPrivateCloud.Ipv6Address at launch). */
  ipv6Addresses: string[];
}

export function instanceView(row: InstanceRow, x: InstanceExtras) {
  const tags = x.tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
  return {
    Placement: { Zone: row.zone, ProjectId: 0 },
    InstanceId: row.id,
    InstanceName: row.name,
    RaidType: row.raid_type,
    OperatingSystemType: row.os_type,
    OperatingSystem: row.os_name,
    PrivateIpAddresses: x.addresses,
    VirtualPrivateCloud: { VpcId: row.vpc_id, SubnetId: row.subnet_id, PrivateIpAddresses: x.addresses, Ipv6Address: x.ipv6Addresses.length > 0 },
    FlavorId: row.flavor_id,
    CreatedTime: isoTime(Number(row.created_at)),
    Status: row.status,
    CpuArch: row.cpu_arch,
    Tag: tags,
    Tags: tags,
    Uuid: x.uuid,
    AppId: String(x.appId),
    UserDefined: row.user_defined,
    PublicIpAddresses: x.publicIps,
    IPv6Addresses: x.ipv6Addresses,
  };
}

export function flavorView(f: FlavorRow, os: { Linux: string[]; Windows: string[]; Other: string[] }) {
  return {
    FlavorId: f.id,
    FlavorName: f.name,
    Placement: { Zone: f.zone, ProjectId: 0 },
    RaidType: JSON.parse(f.raid_types) as string[],
    OperatingSystem: os,
    Cpu: f.cpu,
    Memory: f.memory,
    SystemDisk: f.system_disk,
    NetSpeed: f.net_speed,
    CreatedTime: isoTime(Number(f.created_at)),
    FlavorType: f.flavor_type,
    CpuArch: f.cpu_arch,
    Soldout: f.sold_out,
    UserDefined: f.user_defined,
    NetworkPorts: f.network_ports,
  };
}

/** A stable disk id for the n-th disk of an instance's server. */
export function diskId(instanceId: string, index: number): string {
  const n = createHash('sha256').update(`${instanceId}/${index}`).digest().readBigUInt64BE();
  return `disk-${n.toString(36).padStart(8, '0').slice(-8)}`;
}
