/**
 * The network part of an install config, read from what IPAM recorded for the instance:
 * its primary address with the subnet's prefix and gateway, then its backup addresses.
 */
import type { InstallConfig } from '../drivers/interfaces/hardware.ts';
import { formatIpv4, gatewayAddress, parseCidr } from '../network/ipam.ts';
import { installRecordOf } from '../store/repos/instances.ts';
import { listByOwner } from '../store/repos/ip-allocations.ts';
import type { Tx } from '../store/store.ts';

export async function installConfigFor(db: Tx, instanceId: string): Promise<InstallConfig> {
  const inst = await installRecordOf(db, instanceId);
  const parsed = parseCidr(inst.subnetCidr);
  if (!parsed.ok) throw new Error(`subnet of ${instanceId} has an invalid CIDR ${inst.subnetCidr}`);
  const backups = (await listByOwner(db, instanceId)).filter((a) => a.kind === 'backup').sort((a, b) => a.addressNum - b.addressNum);
  return {
    instanceId,
    osType: inst.osType,
    osName: inst.osName,
    hostName: inst.hostName,
    // A user-defined machine may be launched without a password: its account is locked ("!" in
    // shadow) and it keeps the login the tenant arranged. A standard one always has a hash here.
    passwordHash: inst.passwordHash ?? (inst.userDefined ? '!' : required<string>(null, `no password hash recorded for ${instanceId}`)),
    network: {
      address: required(inst.privateIp, `no private address recorded for ${instanceId}`),
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
