/**
 * The capabilities that take part in provisioning and returns, in the order their steps run.
 */
import type { Capability } from './capability.ts';
import { accessCapability } from './access.ts';
import { heartbeatCapability } from './heartbeat.ts';
import { monitoringCapability } from './monitoring.ts';
import { publicIpCapability } from './public-ips.ts';

export const CAPABILITIES: readonly Capability[] = [accessCapability, heartbeatCapability, publicIpCapability, monitoringCapability];

export const provisionSteps = () => CAPABILITIES.flatMap((c) => c.provisionSteps ?? []);
export const provisionRescueSteps = () => CAPABILITIES.flatMap((c) => c.provisionRescueSteps ?? []);
export const returnSteps = () => CAPABILITIES.flatMap((c) => c.returnSteps ?? []);
export const releaseAll: NonNullable<Capability['release']> = async (tx, ctx) => {
  for (const c of CAPABILITIES) await c.release?.(tx, ctx);
};
