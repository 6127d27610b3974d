/**
 * The simulated datacenter as the operator's services see it: its control surface (rack and
 * unrack hardware, inject and clear faults, press the power button), its refusals, and which
 * hardware type lives there. Services reach the lab through this module and hardware through
 * the registry and `interfaces/`, never through a driver's own folder; they name
 * `LAB_HARDWARE_TYPE`, not the string, where a step exists only for the lab's machines.
 */
import type { HardwareType } from './registry.ts';

export type { SimLab as LabControl, SimFault as LabFault, SimFaultKind as LabFaultKind, SimOperation as LabOperation } from './sim/index.ts';
export { SimLabError as LabError } from './sim/index.ts';

/** The hardware type of the simulated datacenter's servers. */
export const LAB_HARDWARE_TYPE = 'sim' satisfies HardwareType;
