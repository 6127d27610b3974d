/**
 * Backup IPs and out-of-band access (CreateBackupIP, ReturnBackupIP, CreateOutbandIP, DescribeOutbandIP, DeleteOutbandIP, DescribeOutbandInfo): the bms actions of this capability, by name.
 * An action missing here is registered as not yet available by bms-service.ts.
 *
 * The tenant BMC accounts these actions reveal are created by the provisioning flow, which
 * seals their passwords with the master-key box (see flows/capabilities/access.ts).
 */
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { Handler } from '../types.ts';
import { createBackupIp, returnBackupIp } from './backup-ips.ts';
import { DEFAULT_BMC_SERVICES, type AccessOptions } from './bmc-services.ts';
import { createOutbandIp, deleteOutbandIp, describeOutbandIp } from './outband-ips.ts';
import { describeOutbandInfo } from './outband-info.ts';

export function accessHandlers(deps: BmsServiceDeps, opts: AccessOptions = {}): Record<string, Handler> {
  return {
    CreateBackupIP: createBackupIp(deps),
    ReturnBackupIP: returnBackupIp(deps),
    CreateOutbandIP: createOutbandIp(deps, opts.bmcServices ?? DEFAULT_BMC_SERVICES),
    DescribeOutbandIP: describeOutbandIp(deps),
    DeleteOutbandIP: deleteOutbandIp(deps),
    DescribeOutbandInfo: describeOutbandInfo(deps),
  };
}
