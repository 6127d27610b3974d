/**
 * RunInstances' InternetAccessible: one EIP per instance, allocated from the operator's pool
 * with the requested bandwidth and ISP and bound to the instance's primary address (filled in
 * by the EIP capability). Until the pool exists, asking for a public IP is refused clearly.
 */
import type { Kysely } from 'kysely';
import type { InternetAccessible } from '../../generated/bms.ts';
import { unsupportedOperation } from '../../shared/errors.ts';
import type { Database } from '../../store/schema.ts';

/** Whether the request asks for public IPs, after the rules (bandwidth 0 with PublicIpAssigned is refused). */
export function wantsPublicIp(ia: InternetAccessible | undefined): boolean {
  if (!ia) return false;
  return (ia.InternetMaxBandwidthOut ?? 0) > 0 || ia.PublicIpAssigned === true;
}

export function checkInternetAccess(ia: InternetAccessible | undefined): void {
  if (wantsPublicIp(ia)) {
    throw unsupportedOperation('Public IPs (InternetAccessible) are not available in this deployment yet: there is no EIP pool.',
      '当前部署暂不支持公网 IP（InternetAccessible）：尚无弹性公网 IP 资源池。');
  }
}

export interface PublicIpRequest {
  tx: Kysely<Database>;
  accountUin: string;
  region: string;
  /** Instance id → its primary private address. */
  instances: Array<{ id: string; privateIp: string }>;
  internetAccessible: InternetAccessible | undefined;
  now: number;
}

/** Allocates and binds the EIPs inside the launch transaction (nothing to do when none is wanted). */
export async function attachPublicIps(r: PublicIpRequest): Promise<void> {
  if (!wantsPublicIp(r.internetAccessible)) return;
  checkInternetAccess(r.internetAccessible);
}
