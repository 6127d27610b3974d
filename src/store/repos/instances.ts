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
