/**
 * Single instances as the flows read and change them (the list queries of DescribeInstances
 * live with the service for now; issue 10 moves them here).
 */
import type { Tx } from '../store.ts';

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
