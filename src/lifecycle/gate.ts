/**
 * The lifecycle gate: the only code that writes `instances.status`.
 *
 * `applyEvent` takes the instances, checks every one against the transition table before
 * changing any (a batch is all or nothing), then writes the new status inside the caller's
 * transaction — the same transaction as the cause (the API call's task rows, a flow's step
 * result) — so a status never changes without its reason being recorded. Each write is
 * conditional on the status it read, so a concurrent change is detected rather than
 * overwritten. Each change is also appended to the lifecycle journal
 * (`instance_state_history`) in that same transaction, so the journal is exactly the committed
 * history — billing derives usage from it. Transitions are logged and announced to listeners
 * (console live status).
 */
import { EventEmitter } from 'node:events';
import { ApiError } from '../shared/errors.ts';
import { announce } from '../store/changes.ts';
import { appendStateHistory } from '../store/repos/state-history.ts';
import { compareAndSetStatus, liveStatuses, type StatusColumns } from '../store/repos/instance-status.ts';
import type { Tx } from '../store/store.ts';
import { sourcesOf, target, type InstanceStatus, type LifecycleEvent } from './transitions.ts';

export interface Transition {
  instanceId: string;
  from: string;
  to: InstanceStatus | null;
  event: LifecycleEvent;
}

export const lifecycleEvents = new EventEmitter();

export interface GateOptions {
  /** Treat instances already in the target status as done (a resumed step re-applying its event). */
  idempotent?: boolean;
  /** Extra columns written with the status (e.g. `error`). */
  set?: StatusColumns;
  logger?: { info(obj: object, msg?: string): void };
}

const ACTION_OF: Partial<Record<LifecycleEvent, string>> = {
  stop: 'StopInstances', start: 'StartInstances', reboot: 'RebootInstances', reset: 'ResetInstance', terminate: 'TerminateInstances',
};

export async function applyEvent(
  tx: Tx, instanceIds: string[], event: LifecycleEvent, now: number, opts: GateOptions = {},
): Promise<Transition[]> {
  if (instanceIds.length === 0) return [];
  const rows = await liveStatuses(tx, instanceIds);
  const byId = new Map(rows.map((r) => [r.id, r.status]));
  const accountOf = new Map(rows.map((r) => [r.id, r.account_uin]));
  const plan: Transition[] = [];
  for (const id of instanceIds) {
    const from = byId.get(id);
    if (from === undefined) {
      if (opts.idempotent && TRANSITION_TARGETS(event).length === 0) continue; // already gone
      throw gone(id);
    }
    const to = target(from, event);
    if (to === undefined) {
      if (opts.idempotent && TRANSITION_TARGETS(event).includes(from)) continue;
      throw wrongState(id, from, event);
    }
    plan.push({ instanceId: id, from, to, event });
  }
  for (const t of plan) {
    if (!(await compareAndSetStatus(tx, t.instanceId, t.from, t.to, now, opts.set))) throw new Error(`lifecycle: ${t.instanceId} changed concurrently during ${event}`);
    // Published when (and only if) this transaction commits: the console's live status.
    announce(tx, { kind: 'instance', id: t.instanceId, accountUin: accountOf.get(t.instanceId)!, status: t.to ?? 'TERMINATED' });
  }
  await appendStateHistory(tx, plan.map((t) => ({
    instanceId: t.instanceId, accountUin: accountOf.get(t.instanceId)!, from: t.from, to: t.to, event: t.event, at: now,
  })));
  for (const t of plan) {
    opts.logger?.info({ instanceId: t.instanceId, from: t.from, to: t.to ?? '(gone)', event }, 'instance transition');
  }
  if (plan.length > 0) queueMicrotask(() => lifecycleEvents.emit('transition', plan));
  return plan;
}

const TRANSITION_TARGETS = (event: LifecycleEvent): string[] =>
  sourcesOf(event).map((s) => target(s, event)).filter((x): x is InstanceStatus => typeof x === 'string');

function wrongState(id: string, status: string, event: LifecycleEvent): ApiError {
  const action = ACTION_OF[event] ?? event;
  const allowed = sourcesOf(event).join(' or ');
  return new ApiError('UnsupportedOperation', {
    en: `The instance ${id} is ${status}; ${action} needs it to be ${allowed}.`,
    zh: `实例 ${id} 当前状态为 ${status}，${action} 要求实例状态为 ${allowed}。`,
  });
}

function gone(id: string): ApiError {
  return new ApiError('ResourceNotFound', { en: `The instance ${id} does not exist.`, zh: `实例 ${id} 不存在。` });
}
