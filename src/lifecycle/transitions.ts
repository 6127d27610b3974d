/**
 * The instance lifecycle as one declared table.
 *
 * Every status an instance can have (exactly SPEC §4's names) and every event that moves it
 * are listed here, once; the types derive from the table and `gate.ts` refuses anything not
 * in it. `null` as a target means the instance is gone: it leaves every listing (its row
 * stays, stamped `deleted_at`, for billing and audit).
 */

export const STATUSES = [
  'PENDING', 'CREATE_FAILED', 'RUNNING', 'REBOOTING', 'STOPPING', 'STOPPED', 'STARTING', 'RESETTING', 'TERMINATING',
] as const;
export type InstanceStatus = (typeof STATUSES)[number];

export const TRANSITIONS = [
  // RunInstances
  { from: ['PENDING'], event: 'provisioned', to: 'RUNNING' },
  { from: ['PENDING'], event: 'provision_failed', to: 'CREATE_FAILED' },
  // StopInstances / StartInstances / RebootInstances
  { from: ['RUNNING'], event: 'stop', to: 'STOPPING' },
  { from: ['STOPPING'], event: 'stopped', to: 'STOPPED' },
  { from: ['STOPPING'], event: 'stop_failed', to: 'RUNNING' },
  { from: ['STOPPED'], event: 'start', to: 'STARTING' },
  { from: ['STARTING'], event: 'started', to: 'RUNNING' },
  { from: ['STARTING'], event: 'start_failed', to: 'STOPPED' },
  { from: ['RUNNING'], event: 'reboot', to: 'REBOOTING' },
  { from: ['REBOOTING'], event: 'rebooted', to: 'RUNNING' },
  { from: ['REBOOTING'], event: 'reboot_failed', to: 'RUNNING' },
  // ResetInstance (reinstall)
  { from: ['RUNNING', 'STOPPED'], event: 'reset', to: 'RESETTING' },
  { from: ['RESETTING'], event: 'reset_done', to: 'RUNNING' },
  { from: ['RESETTING'], event: 'reset_failed', to: 'STOPPED' },
  // TerminateInstances (return)
  { from: ['RUNNING', 'STOPPED', 'CREATE_FAILED'], event: 'terminate', to: 'TERMINATING' },
  { from: ['TERMINATING'], event: 'terminated', to: null },
  // Power-state sync: what the BMC reports wins over what we recorded.
  { from: ['RUNNING'], event: 'power_lost', to: 'STOPPED' },
  { from: ['STOPPED'], event: 'power_restored', to: 'RUNNING' },
] as const satisfies ReadonlyArray<{ from: readonly InstanceStatus[]; event: string; to: InstanceStatus | null }>;

export type LifecycleEvent = (typeof TRANSITIONS)[number]['event'];

/** The target of `event` from `status`, `undefined` when the table has no such edge. */
export function target(status: string, event: LifecycleEvent): InstanceStatus | null | undefined {
  const t = TRANSITIONS.find((x) => x.event === event && (x.from as readonly string[]).includes(status));
  return t ? t.to : undefined;
}

/** The statuses from which `event` may happen (for error messages). */
export function sourcesOf(event: LifecycleEvent): InstanceStatus[] {
  return TRANSITIONS.filter((x) => x.event === event).flatMap((x) => [...x.from]);
}

