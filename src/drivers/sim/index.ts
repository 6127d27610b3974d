/**
 * The simulated datacenter's public face: the driver, its lab controls, and the state-store
 * port the composition root wires to the database. Nothing else in this folder needs to be
 * imported from outside it.
 */
export { createSimDriver, SimDriver, type SimDriverOptions } from './sim-driver.ts';
export { SimLab, type SimSnapshot } from './control.ts';
export { SimLabError, type SimLabErrorCode } from './lab-error.ts';
export { FAULT_KINDS, type SimFault, type SimFaultKind, type SimFaultSpec } from './faults.ts';
export { SIM_OPERATIONS, type SimOperation } from './operations.ts';
export type { ConcurrencyReport, ConcurrencyViolation } from './exclusivity.ts';
export type { DiskState, SimHardwareSpec } from './state.ts';
export {
  inMemoryStateStore,
  memoryRows,
  rowBackedStateStore,
  type SimRecord,
  type SimRow,
  type SimRowStore,
  type SimStateStore,
} from './state-store.ts';
export { REAL_SECONDS, type Clock, type Sleep, type SimStep, type TimingOptions } from './timing.ts';
