/**
 * Single instances as the flows read and change them (the list queries of DescribeInstances
 * live with the service for now; issue 10 moves them here).
 */
import type { Selectable } from 'kysely';
import type { FlavorsTable, InstancesTable } from '../schema.ts';
import type { Tx } from '../store.ts';

/** An instance's row as stored (the services' views read it directly, for now). */
export type InstanceRow = Selectable<InstancesTable>;
/** A flavor's row as stored. */
export type FlavorRow = Selectable<FlavorsTable>;

/** What an install needs to know of an instance, with its subnet's CIDR. */
export interface InstallRecord {
  osType: string;
  osName: string;
  hostName: string;
  passwordHash: string | null;
  privateIp: string | null;
  userDefined: boolean;
  subnetCidr: string;
}

/** The install record of `instanceId`; throws if there is none (a flow's instance always exists). */
export async function installRecordOf(db: Tx, instanceId: string): Promise<InstallRecord> {
  const r = await db.selectFrom('instances').innerJoin('subnets', 'subnets.id', 'instances.subnet_id')
    .select(['os_type', 'os_name', 'host_name', 'password_hash', 'private_ip', 'user_defined', 'subnets.cidr'])
    .where('instances.id', '=', instanceId).executeTakeFirstOrThrow();
  return { osType: r.os_type, osName: r.os_name, hostName: r.host_name, passwordHash: r.password_hash, privateIp: r.private_ip, userDefined: Boolean(r.user_defined), subnetCidr: r.cidr };
}

/** The live instance's status and server, or undefined once it is returned. */
export async function liveInstancePlacement(db: Tx, instanceId: string): Promise<{ status: string; serverId: string | null } | undefined> {
  const r = await db.selectFrom('instances').select(['status', 'server_id']).where('id', '=', instanceId).where('deleted_at', 'is', null).executeTakeFirst();
  return r && { status: r.status, serverId: r.server_id };
}

/** The instance no longer holds a server (its server went back to the pool). */
export async function detachServer(tx: Tx, instanceId: string): Promise<void> {
  await tx.updateTable('instances').set({ server_id: null }).where('id', '=', instanceId).execute();
}

/** The RAID layout recorded on the instance (RunInstances' or ResetInstance's RaidType). */
export async function raidTypeOf(db: Tx, instanceId: string): Promise<string> {
  return (await db.selectFrom('instances').select('raid_type').where('id', '=', instanceId).executeTakeFirstOrThrow()).raid_type;
}

/** The instance's account and whether its EnhancedService asks for the monitoring agent (on unless turned off). */
export async function monitorWishOf(db: Tx, instanceId: string): Promise<{ accountUin: string; monitorService: boolean }> {
  const r = await db.selectFrom('instances').select(['account_uin', 'enhanced_service']).where('id', '=', instanceId).executeTakeFirstOrThrow();
  return { accountUin: r.account_uin, monitorService: (JSON.parse(r.enhanced_service) as { MonitorService?: boolean }).MonitorService !== false };
}

/** RUNNING instances on servers of `hardwareType`, with their server's size and whether an EIP is bound. */
export async function runningInstancesOn(db: Tx, hardwareType: string): Promise<Array<{ id: string; memoryGb: number; cpuCores: number; hasEip: boolean }>> {
  const rows = await db.selectFrom('instances').innerJoin('servers', 'servers.id', 'instances.server_id')
    .leftJoin('eips', 'eips.instance_id', 'instances.id')
    .select(['instances.id', 'servers.memory_gb', 'servers.cpu_cores', 'eips.id as eip'])
    .where('instances.status', '=', 'RUNNING').where('instances.deleted_at', 'is', null).where('servers.hardware_type', '=', hardwareType)
    .execute();
  const byId = new Map<string, { id: string; memoryGb: number; cpuCores: number; hasEip: boolean }>();
  for (const r of rows) {
    const e = byId.get(r.id);
    if (e) e.hasEip ||= r.eip !== null;
    else byId.set(r.id, { id: r.id, memoryGb: r.memory_gb, cpuCores: r.cpu_cores, hasEip: r.eip !== null });
  }
  return [...byId.values()];
}

/** Which of `ids` belong to `accountUin` (returned ones included: their stored metrics are still theirs). */
export async function ownedInstanceIds(db: Tx, accountUin: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('instances').select('id').where('id', 'in', ids).where('account_uin', '=', accountUin).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Holds the row lock of `accountUin`'s live instance `id` in `region` and reads its status and
 * primary address; undefined when it is not the account's, is gone, or lies outside the region.
 */
export async function lockOwnInstanceInRegion(tx: Tx, accountUin: string, region: string, id: string): Promise<{ status: string; privateIp: string | null } | undefined> {
  if (!(await lockOwnInstanceRow(tx, accountUin, id, region))) return undefined;
  const row = await tx.selectFrom('instances').select(['status', 'private_ip']).where('id', '=', id).executeTakeFirstOrThrow();
  return { status: row.status, privateIp: row.private_ip };
}

/**
 * The instance's primary address is now `next` (a former backup IP): the instance records it,
 * and an EIP bound to the old primary follows it.
 */
export async function movePrimaryAddress(tx: Tx, instanceId: string, next: { subnetId: string; address: string }, oldAddress: string, now: number): Promise<void> {
  await tx.updateTable('instances').set({ private_ip: next.address, subnet_id: next.subnetId, updated_at: now }).where('id', '=', instanceId).execute();
  await tx.updateTable('eips').set({ private_ip: next.address, updated_at: now }).where('instance_id', '=', instanceId).where('private_ip', '=', oldAddress).execute();
}

/** `accountUin`'s live instances among `ids`, in no particular order (missing ones are simply absent). */
export async function ownLiveInstanceRows(db: Tx, accountUin: string, ids: readonly string[]): Promise<InstanceRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('instances').selectAll().where('account_uin', '=', accountUin).where('id', 'in', ids).where('deleted_at', 'is', null).execute();
}

/** The flavor `id` if `accountUin` may see it: a standard one, or a user-defined one bound to it. */
export async function visibleFlavorRow(db: Tx, accountUin: string, id: string): Promise<FlavorRow | undefined> {
  return db.selectFrom('flavors').selectAll().where('id', '=', id).where((eb) => eb.or([eb('user_defined', '=', 0), eb('owner_uin', '=', accountUin)])).executeTakeFirst();
}

export async function flavorRow(db: Tx, id: string): Promise<FlavorRow | undefined> {
  return db.selectFrom('flavors').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Names of the `osType` images `flavorId` offers. */
export async function imageNamesOf(db: Tx, flavorId: string, osType: string): Promise<string[]> {
  const rows = await db.selectFrom('flavor_os_images').innerJoin('os_images', 'os_images.id', 'flavor_os_images.image_id')
    .select(['os_images.name']).where('flavor_os_images.flavor_id', '=', flavorId).where('os_images.os_type', '=', osType).execute();
  return rows.map((r) => r.name);
}

/**
 * Holds the row lock of `accountUin`'s live instance `id` (in `region`, when given) until the
 * transaction ends — a no-op UPDATE, on every backend; whether there was such an instance.
 */
export async function lockOwnInstanceRow(tx: Tx, accountUin: string, id: string, region?: string): Promise<boolean> {
  let q = tx.updateTable('instances').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id).where('account_uin', '=', accountUin).where('deleted_at', 'is', null);
  if (region !== undefined) q = q.where('zone', 'in', tx.selectFrom('zones').select('zone').where('region', '=', region));
  return (await q.executeTakeFirst()).numUpdatedRows === 1n;
}
