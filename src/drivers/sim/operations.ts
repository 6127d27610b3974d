/**
 * The operations a simulated server answers, as one table.
 *
 * Every call that reaches the lab is one of these. For each, the table says:
 *
 * - `privilege` — the least BMC role allowed to perform it, as in Redfish's privilege model
 *   (`ReadOnly` may look, `Operator` may drive power and boot, `Administrator` may do
 *   anything, including managing accounts and disks). `null` means the call does not go to
 *   the BMC at all: the heartbeat VLAN is configured on the top-of-rack switch, which does not
 *   know the BMC's password.
 * - `drives` — whether it changes the machine. Two readers at once are harmless; anything
 *   overlapping a call that drives is a breach of the one-operation-per-BMC promise (see
 *   `exclusivity.ts`): a power reading taken mid-reboot is exactly how a sync loop records a
 *   wrong state.
 */

export type BmcRole = 'ReadOnly' | 'Operator' | 'Administrator';

export interface OperationTraits {
  privilege: BmcRole | null;
  drives: boolean;
}

export const OPERATIONS = {
  getPowerState: { privilege: 'ReadOnly', drives: false },
  readInventory: { privilege: 'ReadOnly', drives: false },
  readSensors: { privilege: 'ReadOnly', drives: false },
  setPowerState: { privilege: 'Operator', drives: true },
  reboot: { privilege: 'Operator', drives: true },
  setBootDevice: { privilege: 'Operator', drives: true },
  ensureBmcAccount: { privilege: 'Administrator', drives: true },
  removeBmcAccount: { privilege: 'Administrator', drives: true },
  buildRaid: { privilege: 'Administrator', drives: true },
  installOs: { privilege: 'Administrator', drives: true },
  wipeDisks: { privilege: 'Administrator', drives: true },
  setHeartbeatVlan: { privilege: null, drives: true },
} as const satisfies Record<string, OperationTraits>;

export type SimOperation = keyof typeof OPERATIONS;

export const SIM_OPERATIONS = Object.keys(OPERATIONS) as [SimOperation, ...SimOperation[]];

const RANK: Record<BmcRole, number> = { ReadOnly: 0, Operator: 1, Administrator: 2 };

/** Whether an account with `role` may perform `operation`. */
export function mayPerform(role: BmcRole, operation: SimOperation): boolean {
  const needed: BmcRole | null = OPERATIONS[operation].privilege;
  return needed === null || RANK[role] >= RANK[needed];
}
