/**
 * Durable tasks: long operations whose progress survives any crash.
 *
 * A task row holds its flow's name, the steps with their progress, and a lease. A worker
 * claims a runnable task (RUNNING, due, lease free or expired) with one conditional UPDATE —
 * two workers can never both win — and renews the lease while it works. Progress is written
 * after every step, so a successor resumes at the first step not yet done.
 */
import { announce } from '../changes.ts';
import type { Kysely, Selectable } from 'kysely';
import type { Database, TasksTable, TaskStatus } from '../schema.ts';

export type StepStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED';

export interface StepRecord {
  name: string;
  status: StepStatus;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
}

export interface Task {
  id: number;
  accountUin: string;
  action: string;
  flow: string;
  instanceId: string | null;
  serverId: string | null;
  status: TaskStatus;
  steps: StepRecord[];
  stepIndex: number;
  context: Record<string, unknown>;
  error: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  nextRunAt: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export type NewTask = Pick<Task, 'id' | 'accountUin' | 'action' | 'flow' | 'instanceId' | 'serverId' | 'context'> & { stepNames: string[] };

export async function insertTasks(db: Kysely<Database>, tasks: NewTask[], now: number): Promise<void> {
  if (tasks.length === 0) return;
  await db.insertInto('tasks').values(tasks.map((t) => ({
    id: t.id, account_uin: t.accountUin, action: t.action, flow: t.flow, instance_id: t.instanceId, server_id: t.serverId,
    status: 'RUNNING' as const, steps: JSON.stringify(t.stepNames.map((name) => ({ name, status: 'PENDING', attempts: 0 }))),
    step_index: 0, context: JSON.stringify(t.context), error: null, lease_owner: null, lease_expires_at: null,
    next_run_at: now, created_at: now, updated_at: now, finished_at: null,
  }))).execute();
  for (const t of tasks) announce(db, { kind: 'task', id: String(t.id), accountUin: t.accountUin, instanceId: t.instanceId, status: 'RUNNING' });
}

/** Ids of tasks a worker may claim now, oldest due first. */
export async function runnableTaskIds(db: Kysely<Database>, now: number, limit: number, exclude: number[]): Promise<number[]> {
  let q = db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').where('next_run_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]));
  if (exclude.length > 0) q = q.where('id', 'not in', exclude);
  const rows = await q.orderBy('next_run_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

/** Takes the lease of a task if it is free or expired; the claimed task, or undefined if someone else won. */
export async function claimTask(db: Kysely<Database>, id: number, owner: string, now: number, leaseMs: number): Promise<Task | undefined> {
  const result = await db.updateTable('tasks').set({ lease_owner: owner, lease_expires_at: now + leaseMs, updated_at: now })
    .where('id', '=', id).where('status', '=', 'RUNNING')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return undefined;
  return getTask(db, id);
}

export async function renewLease(db: Kysely<Database>, id: number, owner: string, expiresAt: number): Promise<boolean> {
  const result = await db.updateTable('tasks').set({ lease_expires_at: expiresAt })
    .where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Writes progress; only the lease holder may. False when the lease was lost. */
export async function saveProgress(
  db: Kysely<Database>, task: Pick<Task, 'id' | 'flow' | 'steps' | 'stepIndex' | 'context' | 'error'>, owner: string, now: number,
  extra: Partial<Pick<TasksTable, 'status' | 'finished_at' | 'next_run_at' | 'lease_owner' | 'lease_expires_at'>> = {},
): Promise<boolean> {
  const result = await db.updateTable('tasks').set({
    flow: task.flow, steps: JSON.stringify(task.steps), step_index: task.stepIndex, context: JSON.stringify(task.context),
    error: task.error, updated_at: now, ...extra,
  }).where('id', '=', task.id).where('lease_owner', '=', owner).executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return false;
  announce(db, { kind: 'task', id: String(task.id), ...(extra.status ? { status: extra.status } : {}) });
  return true;
}

export async function getTask(db: Kysely<Database>, id: number): Promise<Task | undefined> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTask(row) : undefined;
}

export interface TaskQuery {
  accountUin?: string;
  taskIds?: number[];
  instanceIds?: string[];
  status?: TaskStatus;
  offset?: number;
  limit?: number;
}

export async function findTasks(db: Kysely<Database>, q: TaskQuery): Promise<{ total: number; tasks: Task[] }> {
  let base = db.selectFrom('tasks');
  if (q.accountUin !== undefined) base = base.where('account_uin', '=', q.accountUin);
  if (q.taskIds?.length) base = base.where('id', 'in', q.taskIds);
  if (q.instanceIds?.length) base = base.where('instance_id', 'in', q.instanceIds);
  if (q.status) base = base.where('status', '=', q.status);
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id', 'desc').offset(q.offset ?? 0).limit(q.limit ?? 20).execute();
  return { total: Number(count.n), tasks: rows.map(toTask) };
}

function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: Number(row.id), accountUin: row.account_uin, action: row.action, flow: row.flow, instanceId: row.instance_id,
    serverId: row.server_id, status: row.status, steps: JSON.parse(row.steps), stepIndex: row.step_index,
    context: JSON.parse(row.context), error: row.error, leaseOwner: row.lease_owner, leaseExpiresAt: row.lease_expires_at,
    nextRunAt: Number(row.next_run_at), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
