/**
 * The network part of an install config, read from what IPAM recorded for the instance:
 * its primary address with the subnet's prefix and gateway, then its backup addresses.
 */
import type { InstallConfig } from '../drivers/interfaces/hardware.ts';
import { formatIpv4, gatewayAddress, parseCidr } from '../network/ipam.ts';
import type { Tx } from '../store/store.ts';

export async function installConfigFor(db: Tx, instanceId: string): Promise<InstallConfig> {
  const inst = await db.selectFrom('instances').innerJoin('subnets', 'subnets.id', 'instances.subnet_id')
    .select(['instances.id', 'os_type', 'os_name', 'host_name', 'password_hash', 'private_ip', 'user_defined', 'subnets.cidr'])
    .where('instances.id', '=', instanceId).executeTakeFirstOrThrow();
  const parsed = parseCidr(inst.cidr);
  if (!parsed.ok) throw new Error(`subnet of ${instanceId} has an invalid CIDR ${inst.cidr}`);
  const backups = await db.selectFrom('ip_allocations').select('address').where('owner_id', '=', instanceId)
    .where('kind', '=', 'backup').orderBy('address_num').execute();
  return {
    instanceId,
    osType: inst.os_type,
    osName: inst.os_name,
    hostName: inst.host_name,
    // A user-defined machine may be launched without a password: its account is locked ("!" in
    // shadow) and it keeps the login the tenant arranged. A standard one always has a hash here.
    passwordHash: inst.password_hash ?? (inst.user_defined ? '!' : required<string>(null, `no password hash recorded for ${instanceId}`)),
    network: {
      address: required(inst.private_ip, `no private address recorded for ${instanceId}`),
      prefixLength: parsed.cidr.prefix,
      gateway: formatIpv4(gatewayAddress(parsed.cidr)),
      backupAddresses: backups.map((b) => b.address),
    },
  };
}

function required<T>(value: T | null, message: string): NonNullable<T> {
  if (value === null || value === undefined) throw new Error(message);
  return value as NonNullable<T>;
}
