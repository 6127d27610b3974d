/**
 * Public IPs (EIPs) in the long operations (filled in by the EIP capability).
 */
import type { Capability } from './capability.ts';

export const publicIpCapability: Capability = { name: 'public-ips' };
