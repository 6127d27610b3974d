/**
 * Bench support: many realistic instances of the demo tenant, written straight into the store.
 *
 * Launching 100k instances through RunInstances would need 100k servers; a listing benchmark
 * only needs the rows DescribeInstances reads, shaped as BMS writes them. So this module
 * creates, through the same vpc code the API uses, a VPC `bench-vpc` (10.16.0.0/12) with 100
 * BMS subnets of /22 (1,021 assignable addresses each) alternating between the region's
 * zones, and then inserts instances in transactions of 5,000 rows (500 per INSERT statement):
 *
 *   - instance i is `web-<i, 5 digits>`, in subnet i mod 100 (so each subnet holds 1%), with
 *     that subnet's (i div 100)-th assignable address as its private IP — all distinct;
 *   - zone = its subnet's zone; a standard flavor of that zone and one of its Linux images;
 *   - RUNNING, except one block of 100 in every 10,000 (1%) STOPPED, spread over all subnets;
 *   - created one second after the previous one; no server behind it (server_id NULL: there
 *     are not 100k servers; power sync skips such rows);
 *   - one `primary` ip_allocations row each, and one tag `env` = prod/staging/dev/test.
 *
 * `seedInstances(bms, upTo)` adds rows until the tenant has `upTo` of them, so a bench can
 * measure at 10k, then add 90k and measure again.
 */
import type { Kysely } from 'kysely';
import { formatIpv4, parseCidr, usableRange } from '../../src/network/ipam.ts';
import type { RunningBms } from '../../src/server/app.ts';
import { createSubnetIn } from '../../src/services/vpc/subnets.ts';
import { createVpcIn } from '../../src/services/vpc/vpcs.ts';
import { newId } from '../../src/shared/ids.ts';
import { listZones } from '../../src/store/repos/regions.ts';
import type { Database, InstancesTable, IpAllocationsTable, ResourceTagsTable } from '../../src/store/schema.ts';

export const SUBNETS = 100;
const TRANSACTION_ROWS = 5_000;
const STATEMENT_ROWS = 500;
const TAG_VALUES = ['prod', 'staging', 'dev', 'test'];

interface SeedFlavor { id: string; cpuArch: string; raidType: string; images: string[] }
interface SeedSubnet { id: string; zone: string; first: number }

interface Fleet {
  accountUin: string;
  region: string;
  vpcId: string;
  subnets: SeedSubnet[];
  flavorsByZone: Map<string, SeedFlavor[]>;
  /** created_at of instance 0. */
  epoch: number;
  count: number;
}

let fleet: Fleet | undefined;

export interface SeedResult {
  /** Bench instances now in the store, and how long this call took. */
  count: number;
  ms: number;
  /** Values for selective filters: one private IP (matches 1 instance), one subnet (1%), and how many are STOPPED. */
  probe: { privateIp: string; subnetId: string; perSubnet: number; stopped: number };
}

export async function seedInstances(bms: RunningBms, upTo: number): Promise<SeedResult> {
  const started = performance.now();
  fleet ??= await prepare(bms);
  const f = fleet;
  if (upTo > SUBNETS * 1000) throw new Error(`at most ${SUBNETS * 1000} bench instances (1,000 per /22 subnet)`);
  while (f.count < upTo) {
    const end = Math.min(upTo, f.count + TRANSACTION_ROWS);
    await bms.store.transaction((tx) => insertRange(tx, f, f.count, end));
    f.count = end;
  }
  const probeIndex = Math.floor(f.count * 0.42);
  return {
    count: f.count,
    ms: performance.now() - started,
    probe: {
      privateIp: addressOf(f, probeIndex), subnetId: f.subnets[42 % SUBNETS]!.id,
      perSubnet: Math.ceil((f.count - (42 % SUBNETS)) / SUBNETS), stopped: countStopped(f.count),
    },
  };
}

async function prepare(bms: RunningBms): Promise<Fleet> {
  const accountUin = bms.credentials.demo.accountUin;
  const region = bms.credentials.demo.Region;
  const db = bms.store.db;
  const zones = (await listZones(db, region)).map((z) => z.zone);
  const flavorsByZone = new Map<string, SeedFlavor[]>();
  for (const zone of zones) flavorsByZone.set(zone, await standardFlavors(db, zone));
  const now = Date.now();
  const { vpcId, subnets } = await bms.store.transaction(async (tx) => {
    const scope = { accountUin, region };
    const vpc = await createVpcIn(tx, { scope, name: 'bench-vpc', cidr: '10.16.0.0/12', ipv6Cidr: null, now });
    const made: SeedSubnet[] = [];
    for (let s = 0; s < SUBNETS; s++) {
      const cidr = `10.${16 + Math.floor(s / 64)}.${(s % 64) * 4}.0/22`;
      const subnet = await createSubnetIn(tx, { scope, vpcId: vpc.id, name: `bench-${s}`, cidr, zone: zones[s % zones.length]!, isBms: true, now });
      const parsed = parseCidr(subnet.cidr);
      if (!parsed.ok) throw new Error(`bad subnet CIDR ${subnet.cidr}`);
      made.push({ id: subnet.id, zone: subnet.zone, first: usableRange(parsed.cidr).first });
    }
    return { vpcId: vpc.id, subnets: made };
  });
  return { accountUin, region, vpcId, subnets, flavorsByZone, epoch: now - SUBNETS * 1000 * 1000, count: 0 };
}

async function standardFlavors(db: Kysely<Database>, zone: string): Promise<SeedFlavor[]> {
  const rows = await db.selectFrom('flavors').innerJoin('flavor_os_images', 'flavor_os_images.flavor_id', 'flavors.id')
    .innerJoin('os_images', 'os_images.id', 'flavor_os_images.image_id')
    .select(['flavors.id', 'flavors.cpu_arch', 'flavors.raid_types', 'os_images.name'])
    .where('flavors.zone', '=', zone).where('flavors.user_defined', '=', 0).where('os_images.os_type', '=', 'Linux')
    .orderBy('flavors.name').orderBy('os_images.name').execute();
  const byId = new Map<string, SeedFlavor>();
  for (const r of rows) {
    const f = byId.get(r.id) ?? { id: r.id, cpuArch: r.cpu_arch, raidType: (JSON.parse(r.raid_types) as string[])[0]!, images: [] };
    f.images.push(r.name);
    byId.set(r.id, f);
  }
  if (byId.size === 0) throw new Error(`no standard flavor in ${zone} (is BMS_DEMO=1?)`);
  return [...byId.values()];
}

const subnetOf = (f: Fleet, i: number) => f.subnets[i % SUBNETS]!;
const addressNumOf = (f: Fleet, i: number) => subnetOf(f, i).first + Math.floor(i / SUBNETS);
const addressOf = (f: Fleet, i: number) => formatIpv4(addressNumOf(f, i));
const isStopped = (i: number) => Math.floor(i / 100) % 100 === 37;
const countStopped = (n: number) => Array.from({ length: Math.ceil(n / 10_000) }, (_, k) => Math.max(0, Math.min(100, n - k * 10_000 - 3_700))).reduce((a, b) => a + b, 0);

async function insertRange(tx: Kysely<Database>, f: Fleet, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += STATEMENT_ROWS) {
    const instances: InstancesTable[] = [];
    const addresses: IpAllocationsTable[] = [];
    const tags: ResourceTagsTable[] = [];
    for (let i = start; i < Math.min(to, start + STATEMENT_ROWS); i++) {
      const row = instanceRow(f, i);
      instances.push(row);
      addresses.push({
        subnet_id: row.subnet_id, address: row.private_ip!, address_num: addressNumOf(f, i), account_uin: f.accountUin,
        kind: 'primary', owner_id: row.id, created_at: row.created_at,
      });
      tags.push({
        resource_kind: 'instance', resource_id: row.id, tag_key: 'env', tag_value: TAG_VALUES[i % TAG_VALUES.length]!,
        account_uin: f.accountUin, region: f.region, created_at: row.created_at,
      });
    }
    await tx.insertInto('instances').values(instances).execute();
    await tx.insertInto('ip_allocations').values(addresses).execute();
    await tx.insertInto('resource_tags').values(tags).execute();
  }
}

function instanceRow(f: Fleet, i: number): InstancesTable {
  const subnet = subnetOf(f, i);
  const flavors = f.flavorsByZone.get(subnet.zone)!;
  const flavor = flavors[Math.floor(i / 7) % flavors.length]!;
  const name = `web-${String(i).padStart(5, '0')}`;
  const created = f.epoch + i * 1000;
  return {
    id: newId('bms'), account_uin: f.accountUin, zone: subnet.zone, flavor_id: flavor.id, server_id: null, name, host_name: name,
    os_type: 'Linux', os_name: flavor.images[i % flavor.images.length]!, cpu_arch: flavor.cpuArch, raid_type: flavor.raidType,
    status: isStopped(i) ? 'STOPPED' : 'RUNNING', vpc_id: f.vpcId, subnet_id: subnet.id, private_ip: addressOf(f, i), password_hash: null,
    enhanced_service: '{"SecurityService":true,"MonitorService":true}', user_defined: 0, group_id: null, error: null,
    created_at: created, updated_at: created, deleted_at: null,
  };
}
