/**
 * The demo fleet as data: which OS images, which flavors (with the hardware behind each), and
 * which flavor sits in which slot of every rack. `seed-demo-fleet.ts` turns it into rows.
 *
 * Every zone gets 4 switches × 6 racks × 8 servers = 192 servers, 2U machines at units 1, 3,
 * …, 15 of each rack. Each rack mixes flavors — slots 1–3 `bms.s1.large`, 4–5 `bms.s1.xlarge`,
 * 6–8 `bms.a1.large` — so every flavor has servers on every rack under every switch, and a
 * spread placement group (RACK or RACK_SAME_SW) can be satisfied for any of them. In the first
 * zone, the last slot of six racks, spread over all four switches, holds the user-defined GPU
 * flavor bound to the demo tenant instead.
 *
 * Names: switches `tor-01`…`tor-04`, racks `rack-<switch>-<rack>` (`rack-02-05`), SNs
 * `SIM<zone><switch><rack><unit>` with two digits each (`SIM01020515` = zone 1, switch 2,
 * rack 5, unit 15), BMC addresses `10.255.<zone·32 + switch·8 + rack>.<11 + slot>`.
 */
import type { DiskSpec } from '../../store/repos/fleet-servers.ts';

export const SWITCHES_PER_ZONE = 4;
export const RACKS_PER_SWITCH = 6;
export const SERVERS_PER_RACK = 8;
/** 10.255.x.y leaves room for 8 zones of 4 × 6 racks (x = zone·32 + switch·8 + rack). */
export const MAX_ZONES = 8;

export interface DemoImage {
  osType: 'Linux' | 'Windows';
  name: string;
  cpuArch: 'X86' | 'ARM';
}

export const DEMO_IMAGES: readonly DemoImage[] = [
  { osType: 'Linux', name: 'CentOS 7.9', cpuArch: 'X86' },
  { osType: 'Linux', name: 'Ubuntu 22.04', cpuArch: 'X86' },
  { osType: 'Linux', name: 'TencentOS Server 3.1', cpuArch: 'X86' },
  { osType: 'Windows', name: 'Windows Server 2019 DataCenter', cpuArch: 'X86' },
  { osType: 'Linux', name: 'openEuler 22.03', cpuArch: 'ARM' },
  { osType: 'Linux', name: 'Ubuntu 22.04', cpuArch: 'ARM' },
];

export interface DemoFlavor {
  name: string;
  cpuArch: 'X86' | 'ARM';
  cpu: string;
  memory: string;
  systemDisk: string;
  netSpeed: string;
  flavorType: string;
  networkPorts: number;
  raidTypes: string[];
  hourlyPrice: string;
  /** The machines sold as this flavor. */
  hardware: { cpuModel: string; cpuCores: number; memoryGb: number; disks: DiskSpec[]; nicPorts: number };
}

const disks = (ssd: number, nvme: number, nvmeGb: number): DiskSpec[] => [
  ...Array.from({ length: ssd }, () => ({ type: 'SSD', sizeGb: 960 })),
  ...Array.from({ length: nvme }, () => ({ type: 'NVMe', sizeGb: nvmeGb })),
];

const ALL_RAID = ['RAID0', 'RAID1', 'RAID5', 'RAID10'];

export const STANDARD_FLAVORS: readonly DemoFlavor[] = [
  {
    name: 'bms.s1.large', cpuArch: 'X86', cpu: '2*Intel Xeon Gold 6248 (2*20 cores, 2.5GHz)', memory: '384GB',
    systemDisk: '2*960GB SSD + 4*3.84TB NVMe', netSpeed: '2*25GE', flavorType: 'standard', networkPorts: 4, raidTypes: ALL_RAID,
    hourlyPrice: '12.00',
    hardware: { cpuModel: 'Intel Xeon Gold 6248', cpuCores: 40, memoryGb: 384, disks: disks(2, 4, 3840), nicPorts: 4 },
  },
  {
    name: 'bms.s1.xlarge', cpuArch: 'X86', cpu: '2*Intel Xeon Platinum 8260 (2*24 cores, 2.4GHz)', memory: '768GB',
    systemDisk: '2*960GB SSD + 8*3.84TB NVMe', netSpeed: '2*25GE', flavorType: 'standard', networkPorts: 4, raidTypes: ALL_RAID,
    hourlyPrice: '22.00',
    hardware: { cpuModel: 'Intel Xeon Platinum 8260', cpuCores: 48, memoryGb: 768, disks: disks(2, 8, 3840), nicPorts: 4 },
  },
  {
    name: 'bms.a1.large', cpuArch: 'ARM', cpu: '2*Huawei Kunpeng 920 (2*64 cores, 2.6GHz)', memory: '512GB',
    systemDisk: '2*960GB SSD + 4*3.84TB NVMe', netSpeed: '2*25GE', flavorType: 'standard', networkPorts: 4, raidTypes: ALL_RAID,
    hourlyPrice: '10.00',
    hardware: { cpuModel: 'Huawei Kunpeng 920', cpuCores: 128, memoryGb: 512, disks: disks(2, 4, 3840), nicPorts: 4 },
  },
];

export const USER_DEFINED_FLAVOR: DemoFlavor = {
  name: 'bms.custom.gpu', cpuArch: 'X86', cpu: '2*Intel Xeon Platinum 8358 (2*32 cores, 2.6GHz) + 8*NVIDIA A100 80GB', memory: '1024GB',
  systemDisk: '2*960GB SSD + 4*7.68TB NVMe', netSpeed: '2*100GE', flavorType: 'gpu', networkPorts: 6, raidTypes: ['RAID1', 'RAID10'],
  hourlyPrice: '88.00',
  hardware: { cpuModel: 'Intel Xeon Platinum 8358', cpuCores: 64, memoryGb: 1024, disks: disks(2, 4, 7680), nicPorts: 6 },
};

/** Standard flavor of each slot of a rack (slot 0 = unit 1). */
const SLOT_FLAVORS = ['bms.s1.large', 'bms.s1.large', 'bms.s1.large', 'bms.s1.xlarge', 'bms.s1.xlarge', 'bms.a1.large', 'bms.a1.large', 'bms.a1.large'];

/** Racks of the first zone whose last slot holds the GPU flavor: six racks over all four switches. */
const GPU_RACKS = new Set(['0/0', '1/0', '2/0', '3/0', '0/1', '1/1']);
const GPU_SLOT = SERVERS_PER_RACK - 1;

/** The flavor name of one server slot (all indexes 0-based). */
export function flavorOfSlot(zoneIndex: number, switchIndex: number, rackIndex: number, slot: number): string {
  if (zoneIndex === 0 && slot === GPU_SLOT && GPU_RACKS.has(`${switchIndex}/${rackIndex}`)) return USER_DEFINED_FLAVOR.name;
  return SLOT_FLAVORS[slot]!;
}

const two = (n: number) => String(n).padStart(2, '0');

export const switchName = (s: number) => `tor-${two(s + 1)}`;
export const rackName = (s: number, r: number) => `rack-${two(s + 1)}-${two(r + 1)}`;
export const rackUnit = (slot: number) => 2 * slot + 1;
export const serialNumber = (z: number, s: number, r: number, slot: number) => `SIM${two(z + 1)}${two(s + 1)}${two(r + 1)}${two(rackUnit(slot))}`;
export const bmcAddress = (z: number, s: number, r: number, slot: number) => `10.255.${z * 32 + s * 8 + r}.${11 + slot}`;

/** Every slot of a zone, in switch, rack, slot order. */
export function* slotsOfZone(): Generator<{ s: number; r: number; slot: number }> {
  for (let s = 0; s < SWITCHES_PER_ZONE; s++) {
    for (let r = 0; r < RACKS_PER_SWITCH; r++) {
      for (let slot = 0; slot < SERVERS_PER_RACK; slot++) yield { s, r, slot };
    }
  }
}
