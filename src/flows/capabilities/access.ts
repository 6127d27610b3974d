/**
 * Out-of-band access and backup IPs in the long operations (filled in by that capability).
 */
import type { Capability } from './capability.ts';

export const accessCapability: Capability = { name: 'access' };
