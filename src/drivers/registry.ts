/**
 * Hardware types: a plain typed map from a server's `hardware_type` to the factory of its
 * driver. Flows never branch on the type — they ask for the driver and use the interfaces.
 *
 *   const sim = HARDWARE_TYPES.sim({ state, timeScale });   // the composition root builds each
 *   const drivers: Drivers = { sim };
 *   await driverIn(drivers, server.hardwareType).power.reboot(target);
 *
 * How to add a hardware type (e.g. `redfish`):
 *   1. Write `src/drivers/<type>/` implementing every concern of `interfaces/hardware.ts`; a
 *      concern the hardware lacks takes the matching `noop/unsupported.ts` implementation.
 *   2. Add `<type>: (options) => create…Driver(options)` to `HARDWARE_TYPES` below.
 *   3. Run `conformance/driver-suite.ts` against it (see test/drivers-sim.test.ts); every skip
 *      must say why.
 *   4. Build it in the composition root (src/server) and put it in the `Drivers` map.
 */
import type { HardwareDriver } from './interfaces/hardware.ts';
import { createRedfishDriver, type RedfishDriver, type RedfishDriverOptions } from './redfish/index.ts';
import { createSimDriver, type SimDriver, type SimDriverOptions } from './sim/index.ts';

export const HARDWARE_TYPES = {
  sim: (options: SimDriverOptions = {}): SimDriver => createSimDriver(options),
  redfish: (options: RedfishDriverOptions = {}): RedfishDriver => createRedfishDriver(options),
} as const satisfies Record<string, (options: never) => HardwareDriver>;

export type HardwareType = keyof typeof HARDWARE_TYPES;
export type HardwareFactory<T extends HardwareType = HardwareType> = (typeof HARDWARE_TYPES)[T];

/** The drivers one running BMS has built, by hardware type. */
export type Drivers = Partial<{ [T in HardwareType]: ReturnType<HardwareFactory<T>> }>;

const known = () => Object.keys(HARDWARE_TYPES).join(', ');

export function isHardwareType(type: string): type is HardwareType {
  return Object.hasOwn(HARDWARE_TYPES, type);
}

/** The factory of `type`; throws for a type BMS does not know. */
export function driverFor<T extends HardwareType>(type: T): HardwareFactory<T>;
export function driverFor(type: string): HardwareFactory;
export function driverFor(type: string): HardwareFactory {
  if (!isHardwareType(type)) throw new Error(`Unknown hardware type ${JSON.stringify(type)}; known types: ${known()}`);
  return HARDWARE_TYPES[type];
}

/** The built driver for `type`; throws for an unknown type or one this deployment did not set up. */
export function driverIn(drivers: Drivers, type: string): HardwareDriver {
  driverFor(type);
  const driver = isHardwareType(type) ? drivers[type] : undefined;
  if (!driver) throw new Error(`Hardware type ${JSON.stringify(type)} is known, but this deployment set up no driver for it`);
  return driver;
}
