/**
 * Which BMC services an out-of-band mapping exposes, and on which ports of the VIP.
 *
 * The defaults are what a tenant needs to run its server without the operator: the BMC's web
 * UI and Redfish (HTTPS 443), IPMI over LAN (623) and the KVM console (5900). A deployment
 * with other BMCs passes its own list to `accessHandlers` (options.bmcServices); each VIP
 * port (`vport`) forwards to the BMC's `port`.
 */
import type { OutbandPort } from '../../store/repos/outband.ts';

export type BmcService = OutbandPort;

export const DEFAULT_BMC_SERVICES: readonly BmcService[] = [
  { service: 'https', vport: 443, port: 443 },
  { service: 'ipmi', vport: 623, port: 623 },
  { service: 'kvm', vport: 5900, port: 5900 },
];

export interface AccessOptions {
  /** The BMC services every new mapping exposes (default DEFAULT_BMC_SERVICES). */
  bmcServices?: readonly BmcService[];
}
