/**
 * Heartbeat VLAN groups in the long operations (filled in by the heartbeat capability).
 */
import type { Capability } from './capability.ts';

export const heartbeatCapability: Capability = { name: 'heartbeat' };
