/**
 * Servers: the physical machines of the pool, where they sit, what they are, and who uses them.
 *
 * A server row records its topology (zone, switch, rack, rack unit — the zone and switch are
 * copies of its rack's, so pool queries need no join), its hardware (SN, BMC address and
 * admin username, the admin password *sealed* by the caller, CPU, memory, disks, NIC ports),
 * the flavor it is sold as, and its pool state:
 *
 *     available ──allocate──▶ allocated ──terminate──▶ cleaning ──wiped──▶ available
 *         ▲ │                                                                    │
 *         │ └────────────── maintenance ◀──── (an operator, or a failed wipe) ───┘
 *
 * Entering maintenance is a conditional UPDATE (`… WHERE instance_id IS NULL AND state IN
 * ('available','maintenance')`), the mirror of allocation's `… WHERE state = 'available'`, so
 * an operator and a launch racing for the same server cannot both win, on SQLite or on many
 * PostgreSQL nodes.
 *
 * The sealed BMC password is written here and read back only by `getServerHardware`, for the
 * code that must open it; listings never select it.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, PowerState, ServerState, ServersTable } from '../schema.ts';
import type { Page } from './fleet-switches.ts';
import { conditionsOn, type ListCondition } from './list-conditions.ts';

export interface DiskSpec {
  type: string;
  sizeGb: number;
}

export interface Hardware {
  sn: string;
  cpuModel: string;
  cpuCores: number;
  cpuArch: string;
  memoryGb: number;
  disks: DiskSpec[];
  nicPorts: number;
}

/** A server as inserted: `bmcPasswordEnc` is already sealed (context = the server id). */
export interface NewServer extends Hardware {
  id: string;
  zone: string;
  switchId: string;
  rackId: string;
  rackUnit: number;
  hardwareType: string;
  bmcAddress: string;
  bmcUsername: string;
  bmcPasswordEnc: string;
  flavorId: string | null;
  state: ServerState;
  powerState: PowerState;
  createdAt: number;
}

/** What pool decisions need: where a server is, what drives it, whom it serves. */
export interface ServerRef {
  id: string;
  zone: string;
  hardwareType: string;
  state: ServerState;
  instanceId: string | null;
}

/** A server as operators see it: topology, hardware, pool state and its tenant (never the BMC password). */
export interface ServerDetail extends Hardware {
  id: string;
  zone: string;
  switchId: string;
  switchName: string;
  rackId: string;
  rackName: string;
  rackUnit: number;
  hardwareType: string;
  bmcAddress: string;
  bmcUsername: string;
  flavorId: string | null;
  flavorName: string | null;
  state: ServerState;
  powerState: PowerState;
  maintenanceReason: string | null;
  instanceId: string | null;
  instanceStatus: string | null;
  accountUin: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A listing condition on a server column: equal to one of `values`, or (`contains`) holding one as a substring. */
export type ServerCondition = ListCondition<'id' | 'zone' | 'switch_id' | 'rack_id' | 'state' | 'flavor_id' | 'instance_id' | 'hardware_type' | 'sn'>;

/** Rows per INSERT: 24 columns × 100 stays far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 100;

export async function insertServers(db: Kysely<Database>, servers: readonly NewServer[]): Promise<void> {
  for (let i = 0; i < servers.length; i += CHUNK) {
    await translatingConflicts(db.insertInto('servers').values(servers.slice(i, i + CHUNK).map(toRow)).execute());
  }
}

/** How to reach a server's BMC: its hardware type, address and admin account (the password still sealed). */
export async function getBmcAccess(db: Kysely<Database>, id: string): Promise<{ id: string; sn: string; hardwareType: string; bmcAddress: string; bmcUsername: string; bmcPasswordEnc: string } | undefined> {
  const row = await db.selectFrom('servers').select(['id', 'sn', 'hardware_type', 'bmc_address', 'bmc_username', 'bmc_password_enc']).where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, sn: row.sn, hardwareType: row.hardware_type, bmcAddress: row.bmc_address, bmcUsername: row.bmc_username, bmcPasswordEnc: row.bmc_password_enc };
}

/** Servers already holding one of `sns`. */
/** The power state an operation left the server in. */
export async function recordServerPower(db: Kysely<Database>, id: string, state: 'on' | 'off', now: number): Promise<void> {
  await db.updateTable('servers').set({ power_state: state, updated_at: now }).where('id', '=', id).execute();
}

/** Takes a server out of the pool because it cannot be trusted any more, saying why. */
export async function quarantineServer(db: Kysely<Database>, id: string, reason: string, now: number): Promise<void> {
  await db.updateTable('servers').set({ state: 'maintenance', maintenance_reason: reason.slice(0, 500), updated_at: now }).where('id', '=', id).execute();
}

/** Whether the server is in maintenance (quarantined, or by the operator). */
export async function isInMaintenance(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.selectFrom('servers').select('state').where('id', '=', id).executeTakeFirst();
  return row?.state === 'maintenance';
}

/** Gives the server back: no longer tied to an instance, and `available` again unless it was quarantined. */
export async function releaseServer(tx: Kysely<Database>, id: string, now: number): Promise<void> {
  await tx.updateTable('servers').set({ instance_id: null, updated_at: now }).where('id', '=', id).execute();
  await tx.updateTable('servers').set({ state: 'available', maintenance_reason: null }).where('id', '=', id).where('state', 'in', ['allocated', 'cleaning']).execute();
}

export async function findBySn(db: Kysely<Database>, sns: readonly string[]): Promise<Array<{ id: string; sn: string }>> {
  if (sns.length === 0) return [];
  return db.selectFrom('servers').select(['id', 'sn']).where('sn', 'in', sns).execute();
}

/** Servers already answering at one of `addresses`. */
export async function findByBmcAddress(db: Kysely<Database>, addresses: readonly string[]): Promise<Array<{ id: string; bmcAddress: string }>> {
  if (addresses.length === 0) return [];
  const rows = await db.selectFrom('servers').select(['id', 'bmc_address']).where('bmc_address', 'in', addresses).execute();
  return rows.map((r) => ({ id: r.id, bmcAddress: r.bmc_address }));
}

/** Every occupied unit of the racks `rackIds`. */
export async function occupiedUnits(db: Kysely<Database>, rackIds: readonly string[]): Promise<Array<{ id: string; rackId: string; rackUnit: number }>> {
  if (rackIds.length === 0) return [];
  const rows = await db.selectFrom('servers').select(['id', 'rack_id', 'rack_unit']).where('rack_id', 'in', rackIds).execute();
  return rows.map((r) => ({ id: r.id, rackId: r.rack_id, rackUnit: Number(r.rack_unit) }));
}

export type { ServerState };

/** Where a server stands: its serial number, rack and switch. */
export async function serverPlace(db: Kysely<Database>, id: string): Promise<{ sn: string; rackId: string; switchId: string } | undefined> {
  const r = await db.selectFrom('servers').select(['sn', 'rack_id', 'switch_id']).where('id', '=', id).executeTakeFirst();
  return r && { sn: r.sn, rackId: r.rack_id, switchId: r.switch_id };
}

/** The servers among `ids` that exist (in no particular order). */
export async function getServerRefs(db: Kysely<Database>, ids: readonly string[]): Promise<ServerRef[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('servers').select(['id', 'zone', 'hardware_type', 'state', 'instance_id']).where('id', 'in', ids).execute();
  return rows.map((r) => ({ id: r.id, zone: r.zone, hardwareType: r.hardware_type, state: r.state, instanceId: r.instance_id }));
}

/** Hardware, BMC address/username and the *sealed* password of `ids` — for code that must reach the machines. */
export async function getServerHardware(
  db: Kysely<Database>, ids: readonly string[],
): Promise<Array<Hardware & { id: string; hardwareType: string; bmcAddress: string; bmcUsername: string; bmcPasswordEnc: string }>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('servers').selectAll().where('id', 'in', ids).orderBy('id').execute();
  return rows.map((r) => ({
    ...toHardware(r), id: r.id, hardwareType: r.hardware_type, bmcAddress: r.bmc_address, bmcUsername: r.bmc_username, bmcPasswordEnc: r.bmc_password_enc,
  }));
}

/**
 * Takes the server out of the pool with `reason` (or updates the reason when it already is
 * out); false when it holds an instance or is being cleaned — the caller re-reads to say why.
 */
export async function enterMaintenance(db: Kysely<Database>, id: string, reason: string, now: number): Promise<boolean> {
  const result = await db.updateTable('servers').set({ state: 'maintenance', maintenance_reason: reason, updated_at: now })
    .where('id', '=', id).where('instance_id', 'is', null).where('state', 'in', ['available', 'maintenance'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Returns a server in maintenance to the pool: `available`, or `allocated` when an instance
 * still holds it (a task quarantined it mid-way). A server not in maintenance is left alone.
 */
export async function leaveMaintenance(db: Kysely<Database>, id: string, now: number): Promise<void> {
  await db.updateTable('servers')
    .set((eb) => ({
      state: eb.case().when('instance_id', 'is', null).then('available' as ServerState).else('allocated' as ServerState).end(),
      maintenance_reason: null,
      updated_at: now,
    }))
    .where('id', '=', id).where('state', '=', 'maintenance')
    .execute();
}

/** One page of servers (by zone, switch, rack, unit) satisfying every condition, with the total. */
export async function listServers(
  db: Kysely<Database>, conditions: readonly ServerCondition[], page: Page,
): Promise<{ total: number; items: ServerDetail[] }> {
  const matching = conditionsOn('servers', conditions);
  if (!matching) return { total: 0, items: [] };
  let base = db.selectFrom('servers');
  for (const m of matching) base = base.where(m);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .innerJoin('switches', 'switches.id', 'servers.switch_id')
    .innerJoin('racks', 'racks.id', 'servers.rack_id')
    .leftJoin('flavors', 'flavors.id', 'servers.flavor_id')
    .leftJoin('instances', 'instances.id', 'servers.instance_id')
    .selectAll('servers')
    .select(['switches.name as switch_name', 'racks.name as rack_name', 'flavors.name as flavor_name',
      'instances.status as instance_status', 'instances.account_uin as account_uin'])
    .orderBy('servers.zone').orderBy('switches.name').orderBy('racks.name').orderBy('servers.rack_unit').orderBy('servers.id')
    .offset(page.offset).limit(page.limit)
    .execute();
  return { total: Number(counted.n), items: rows.map(toDetail) };
}

export interface PoolCounts {
  available: number;
  allocated: number;
  cleaning: number;
  maintenance: number;
}

/** How many servers of each flavor are in each pool state (flavors without servers are absent). */
export async function countServersByFlavor(db: Kysely<Database>, flavorIds: readonly string[]): Promise<Map<string, PoolCounts>> {
  const counts = new Map<string, PoolCounts>();
  if (flavorIds.length === 0) return counts;
  const rows = await db.selectFrom('servers').select(['flavor_id', 'state', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('flavor_id', 'in', flavorIds).groupBy(['flavor_id', 'state']).execute();
  for (const r of rows) {
    const c = counts.get(r.flavor_id!) ?? { available: 0, allocated: 0, cleaning: 0, maintenance: 0 };
    if (r.state in c) c[r.state] = Number(r.n);
    counts.set(r.flavor_id!, c);
  }
  return counts;
}

function toRow(s: NewServer): ServersTable {
  return {
    id: s.id, sn: s.sn, zone: s.zone, switch_id: s.switchId, rack_id: s.rackId, rack_unit: s.rackUnit, hardware_type: s.hardwareType,
    bmc_address: s.bmcAddress, bmc_username: s.bmcUsername, bmc_password_enc: s.bmcPasswordEnc, cpu_model: s.cpuModel,
    cpu_cores: s.cpuCores, cpu_arch: s.cpuArch, memory_gb: s.memoryGb, disks: JSON.stringify(s.disks), nic_ports: s.nicPorts,
    flavor_id: s.flavorId, state: s.state, maintenance_reason: null, instance_id: null, power_state: s.powerState, power_due_at: null,
    created_at: s.createdAt, updated_at: s.createdAt,
  };
}

function toHardware(row: Selectable<ServersTable>): Hardware {
  return {
    sn: row.sn, cpuModel: row.cpu_model, cpuCores: Number(row.cpu_cores), cpuArch: row.cpu_arch, memoryGb: Number(row.memory_gb),
    disks: JSON.parse(row.disks) as DiskSpec[], nicPorts: Number(row.nic_ports),
  };
}

type DetailRow = Selectable<ServersTable> & {
  switch_name: string; rack_name: string; flavor_name: string | null; instance_status: string | null; account_uin: string | null;
};

function toDetail(row: DetailRow): ServerDetail {
  return {
    ...toHardware(row),
    id: row.id, zone: row.zone, switchId: row.switch_id, switchName: row.switch_name, rackId: row.rack_id, rackName: row.rack_name,
    rackUnit: Number(row.rack_unit), hardwareType: row.hardware_type, bmcAddress: row.bmc_address, bmcUsername: row.bmc_username,
    flavorId: row.flavor_id, flavorName: row.flavor_name, state: row.state, powerState: row.power_state,
    maintenanceReason: row.maintenance_reason, instanceId: row.instance_id, instanceStatus: row.instance_status,
    accountUin: row.account_uin, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}
