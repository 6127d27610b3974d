/**
 * RunInstances' InternetAccessible: one EIP per instance, allocated from the operator's pool
 * with the requested bandwidth and line (ISP, default BGP) and bound to the instance's primary
 * private address, inside the launch transaction — so a launch gets all its public IPs or none
 * of anything.
 *
 * The rules (Tencent's): with a bandwidth above 0, PublicIpAssigned is optional and defaults to
 * true; with bandwidth 0 no public IP may be assigned, so PublicIpAssigned=true is refused naming
 * the bandwidth; PublicIpAssigned=false never allocates. The EIPs are ordinary EIPs of the
 * account, named after their instance: DescribeAddresses lists them, and they outlive the
 * instance unless TerminateInstances is told ReleaseAddress (flows/capabilities/public-ips.ts).
 * A reinstall (ResetInstance) touches none of this, so the public IP never changes.
 */
import type { Tx } from '../../store/store.ts';
import type { InternetAccessible } from '../../generated/bms.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { allocateEips } from '../../store/repos/eips.ts';
import { newId } from '../../shared/ids.ts';
import { poolExhausted } from '../vpc/addresses-errors.ts';
import { DEFAULT_ISP } from '../vpc/addresses.ts';

export const MAX_BANDWIDTH_MBPS = 1000;

/** What the request asks for: `undefined` when no public IP, else the EIPs' bandwidth and line. */
export function publicIpPlan(ia: InternetAccessible | undefined): { bandwidth: number; isp: string } | undefined {
  if (!ia) return undefined;
  const bandwidth = ia.InternetMaxBandwidthOut ?? 0;
  const assigned = ia.PublicIpAssigned ?? bandwidth > 0;
  if (!assigned) return undefined;
  return { bandwidth, isp: ia.InternetServiceProvider ?? DEFAULT_ISP };
}

/** The InternetAccessible rules that need no database (checked before the launch transaction). */
export function checkInternetAccess(ia: InternetAccessible | undefined): void {
  const bandwidth = ia?.InternetMaxBandwidthOut ?? 0;
  if (bandwidth > MAX_BANDWIDTH_MBPS) {
    throw invalidParameterValue('InternetAccessible.InternetMaxBandwidthOut', `at most ${MAX_BANDWIDTH_MBPS} Mbps, got ${bandwidth}`,
      `最大为 ${MAX_BANDWIDTH_MBPS} Mbps，实际为 ${bandwidth}`);
  }
  if (ia?.PublicIpAssigned === true && bandwidth === 0) {
    throw invalidParameterValue('InternetAccessible.InternetMaxBandwidthOut',
      `a public IP (PublicIpAssigned=true) needs a bandwidth of 1 to ${MAX_BANDWIDTH_MBPS} Mbps, got 0`,
      `分配公网 IP（PublicIpAssigned=true）时公网带宽须为 1 到 ${MAX_BANDWIDTH_MBPS} Mbps，实际为 0`);
  }
}

export interface PublicIpRequest {
  tx: Tx;
  accountUin: string;
  region: string;
  /** Instance id → its primary private address. */
  instances: Array<{ id: string; privateIp: string }>;
  internetAccessible: InternetAccessible | undefined;
  now: number;
}

/** Allocates and binds the EIPs inside the launch transaction (nothing to do when none is wanted). */
export async function attachPublicIps(r: PublicIpRequest): Promise<void> {
  checkInternetAccess(r.internetAccessible);
  const plan = publicIpPlan(r.internetAccessible);
  if (!plan || r.instances.length === 0) return;
  const result = await allocateEips(r.tx, {
    scope: { accountUin: r.accountUin, region: r.region }, isp: plan.isp, bandwidth: plan.bandwidth, now: r.now,
    eips: r.instances.map((i) => ({ id: newId('eip'), name: i.id, binding: { instanceId: i.id, privateIp: i.privateIp } })),
  });
  if (!result.ok) throw poolExhausted(r.region, result.isp, result.wanted, result.free);
}
