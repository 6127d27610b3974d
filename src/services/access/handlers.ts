/**
 * Backup IPs and out-of-band access (CreateBackupIP, ReturnBackupIP, CreateOutbandIP, DescribeOutbandIP, DeleteOutbandIP, DescribeOutbandInfo): the bms actions of this capability, by name.
 * An action missing here is registered as not yet available by bms-service.ts.
 */
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { Handler } from '../types.ts';

export function accessHandlers(_deps: BmsServiceDeps): Record<string, Handler> {
  return {};
}
