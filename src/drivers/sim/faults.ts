/**
 * Injected faults: how the lab makes hardware misbehave on purpose.
 *
 * A fault belongs to one server and strikes certain operations:
 *
 * | kind              | strikes                    | effect                                            |
 * |-------------------|----------------------------|---------------------------------------------------|
 * | `bmc-unreachable` | every call                 | DriverError `unreachable`, at once                |
 * | `power-fails`     | setPowerState, reboot      | DriverError `failed` half-way; power unchanged     |
 * | `raid-fails`      | buildRaid                  | DriverError `failed` half-way; layout unchanged    |
 * | `install-fails`   | installOs                  | `failed` half-way, the disks left dirty, no OS     |
 * | `wipe-fails`      | wipeDisks                  | `failed` half-way, the disks still hold data       |
 * | `hang`            | every call                 | never answers; the caller's timeout must cut it    |
 *
 * `operations` narrows a fault to some of the calls it could strike (a `hang` of `installOs`
 * only, so the power-state sync loop does not trip over it first). `times` makes it strike
 * the next N matching calls and then disappear; without it, it stays until cleared. A power
 * call that has nothing to do (already in the asked state) performs no power action and so
 * cannot fail. Faults are stored with the server's state and survive restarts.
 */
import { z } from 'zod';
import { SimLabError } from './lab-error.ts';
import { SIM_OPERATIONS, type SimOperation } from './operations.ts';

export const FAULT_KINDS = ['bmc-unreachable', 'power-fails', 'raid-fails', 'install-fails', 'wipe-fails', 'hang'] as const;
export type SimFaultKind = (typeof FAULT_KINDS)[number];

const STRIKES: Record<SimFaultKind, readonly SimOperation[]> = {
  'bmc-unreachable': SIM_OPERATIONS,
  'power-fails': ['setPowerState', 'reboot'],
  'raid-fails': ['buildRaid'],
  'install-fails': ['installOs'],
  'wipe-fails': ['wipeDisks'],
  hang: SIM_OPERATIONS,
};

/** A fault as stored: `remaining` absent = until cleared; `operations` absent = all it can strike. */
export const simFaultSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  remaining: z.number().int().positive().optional(),
  operations: z.array(z.enum(SIM_OPERATIONS)).optional(),
});
export type SimFault = z.infer<typeof simFaultSchema>;

/** What a caller injects. */
export interface SimFaultSpec {
  kind: SimFaultKind;
  /** Strike the next `times` matching calls, then vanish. Absent: until cleared. */
  times?: number;
  /** Only these operations (each must be one the kind can strike). */
  operations?: SimOperation[];
}

/** Validates `spec` and turns it into a stored fault; SimLabError `invalid` if it cannot strike. */
export function faultFrom(spec: SimFaultSpec): SimFault {
  const kind = z.enum(FAULT_KINDS).safeParse(spec.kind);
  if (!kind.success) throw new SimLabError('invalid', `unknown fault kind ${JSON.stringify(spec.kind)}; known: ${FAULT_KINDS.join(', ')}`);
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) {
    throw new SimLabError('invalid', `fault times must be a positive integer, got ${spec.times}`);
  }
  const strikable = STRIKES[kind.data];
  const stray = spec.operations?.filter((op) => !strikable.includes(op)) ?? [];
  if (stray.length > 0) throw new SimLabError('invalid', `a ${kind.data} fault cannot strike ${stray.join(', ')}`);
  if (spec.operations?.length === 0) throw new SimLabError('invalid', 'fault operations, when given, must not be empty');
  return {
    kind: kind.data,
    ...(spec.times === undefined ? {} : { remaining: spec.times }),
    ...(spec.operations === undefined ? {} : { operations: [...spec.operations] }),
  };
}

/** Whether `fault` strikes a call of `operation`. */
export function strikes(fault: SimFault, operation: SimOperation): boolean {
  return STRIKES[fault.kind].includes(operation) && (fault.operations?.includes(operation) ?? true);
}

/**
 * Fires the first fault of `kind` that strikes `operation`: returns the fault list afterwards
 * (a counted fault used up, or one fewer time left) and whether one fired.
 */
export function fire(faults: readonly SimFault[], kind: SimFaultKind, operation: SimOperation): { fired: boolean; rest: SimFault[] } {
  const index = faults.findIndex((f) => f.kind === kind && strikes(f, operation));
  if (index < 0) return { fired: false, rest: [...faults] };
  const fault = faults[index]!;
  const rest = [...faults];
  if (fault.remaining === undefined) return { fired: true, rest };
  if (fault.remaining > 1) rest[index] = { ...fault, remaining: fault.remaining - 1 };
  else rest.splice(index, 1);
  return { fired: true, rest };
}
