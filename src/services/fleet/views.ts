/**
 * Wire views: stored fleet objects as the operator API's structures (src/spec/bmsops.json).
 *
 * Wire names are PascalCase and times ISO 8601 UTC; a member that can be absent is `null`,
 * as the spec documents. The BMC password is not part of any domain object that reaches this
 * file (`ServerDetail` carries only the BMC address and username), so no view can leak it.
 */
import { LAB_HARDWARE_TYPE, type LabFault } from '../../drivers/lab.ts';
import type {
  FlavorImage, OpsFlavor, OsImage as OsImageWire, Rack as RackWire, Server as ServerWire, ServerFault, Switch as SwitchWire,
} from '../../generated/bmsops.ts';
import { isoTime } from '../../shared/ids.ts';
import type { Flavor } from '../../store/repos/fleet-flavors.ts';
import type { OsImage, OsImageSummary } from '../../store/repos/fleet-os-images.ts';
import type { RackSummary } from '../../store/repos/fleet-racks.ts';
import type { PoolCounts, ServerDetail } from '../../store/repos/fleet-servers.ts';
import type { SwitchSummary } from '../../store/repos/fleet-switches.ts';

export function switchView(s: SwitchSummary): SwitchWire {
  return { SwitchId: s.id, SwitchName: s.name, Zone: s.zone, RackCount: s.rackCount, ServerCount: s.serverCount, CreatedTime: isoTime(s.createdAt) };
}

export function rackView(r: RackSummary): RackWire {
  return {
    RackId: r.id, RackName: r.name, Zone: r.zone, SwitchId: r.switchId, SwitchName: r.switchName, ServerCount: r.serverCount,
    CreatedTime: isoTime(r.createdAt),
  };
}

export function serverView(s: ServerDetail, redfishUrl?: (serverId: string) => string | undefined): ServerWire {
  return {
    ServerId: s.id,
    Sn: s.sn,
    Zone: s.zone,
    SwitchId: s.switchId,
    SwitchName: s.switchName,
    RackId: s.rackId,
    RackName: s.rackName,
    RackUnit: s.rackUnit,
    HardwareType: s.hardwareType,
    BmcAddress: s.bmcAddress,
    BmcUsername: s.bmcUsername,
    CpuModel: s.cpuModel,
    CpuCores: s.cpuCores,
    CpuArch: s.cpuArch,
    MemoryGb: s.memoryGb,
    Disks: s.disks.map((d) => ({ Type: d.type, SizeGb: d.sizeGb })),
    NicPorts: s.nicPorts,
    FlavorId: s.flavorId,
    FlavorName: s.flavorName,
    State: s.state,
    PowerState: s.powerState,
    Maintenance: s.state === 'maintenance',
    MaintenanceReason: s.state === 'maintenance' ? s.maintenanceReason : null,
    InstanceId: s.instanceId,
    InstanceStatus: s.instanceId ? s.instanceStatus : null,
    AccountUin: s.instanceId ? s.accountUin : null,
    RedfishUrl: (s.hardwareType === LAB_HARDWARE_TYPE && redfishUrl?.(s.id)) || null,
    CreatedTime: isoTime(s.createdAt),
    UpdatedTime: isoTime(s.updatedAt),
  };
}

export function faultView(serverId: string, f: LabFault): ServerFault {
  return { ServerId: serverId, Fault: f.kind, Times: f.remaining ?? null, Operations: f.operations ?? [] };
}

const NO_SERVERS: PoolCounts = { available: 0, allocated: 0, cleaning: 0, maintenance: 0 };

export function flavorView(f: Flavor, images: readonly OsImage[], counts: PoolCounts = NO_SERVERS): OpsFlavor {
  return {
    FlavorId: f.id,
    FlavorName: f.name,
    Zone: f.zone,
    Cpu: f.cpu,
    Memory: f.memory,
    SystemDisk: f.systemDisk,
    NetSpeed: f.netSpeed,
    CpuArch: f.cpuArch,
    FlavorType: f.flavorType,
    NetworkPorts: f.networkPorts,
    RaidTypes: f.raidTypes,
    HourlyPrice: f.hourlyPrice,
    SoldOut: f.soldOut,
    UserDefined: f.userDefined,
    OwnerUin: f.ownerUin,
    OsImageSet: images.map((i): FlavorImage => ({ ImageId: i.id, OsType: i.osType, OsName: i.name })),
    AvailableServerCount: counts.available,
    AllocatedServerCount: counts.allocated,
    CleaningServerCount: counts.cleaning,
    MaintenanceServerCount: counts.maintenance,
    CreatedTime: isoTime(f.createdAt),
  };
}

export function imageView(i: OsImageSummary): OsImageWire {
  return { ImageId: i.id, OsType: i.osType, OsName: i.name, CpuArch: i.cpuArch, FlavorCount: i.flavorCount, CreatedTime: isoTime(i.createdAt) };
}
