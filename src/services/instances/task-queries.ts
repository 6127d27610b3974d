/**
 * QueryTask (the vendor SDK's thin answer) and DescribeTasks (the extension that shows every
 * step): a tenant sees its own tasks only.
 *
 * QueryTask.Status: 1 running, 0 succeeded, 2 failed (documented in the spec); Output is a JSON
 * summary of the task.
 */
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { isoTime, normalizeId } from '../../shared/ids.ts';
import { findTasks, type Task } from '../../store/repos/tasks.ts';
import type { Handler } from '../types.ts';
import type { InstanceServiceDeps } from './deps.ts';

const QUERY_STATUS = { RUNNING: 1, SUCCESS: 0, FAILED: 2 } as const;

export function progressOf(task: Task): number {
  if (task.status === 'SUCCESS') return 100;
  const done = task.steps.filter((s) => s.status === 'DONE').length;
  return Math.min(99, Math.floor((100 * done) / Math.max(1, task.steps.length)));
}

export function queryTask(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const raw = String(params.TaskId);
    if (!/^\d{1,15}$/.test(raw)) throw invalidParameterValue('TaskId', 'it must be a task number', '须为任务编号');
    const { tasks } = await findTasks(deps.store.db, { accountUin: ctx.principal.accountUin, taskIds: [Number(raw)], limit: 1 });
    const task = tasks[0];
    if (!task) throw new ApiError('ResourceNotFound', { en: `The task ${raw} does not exist.`, zh: `任务 ${raw} 不存在。` });
    return {
      Status: QUERY_STATUS[task.status],
      Output: JSON.stringify({ Action: task.action, InstanceId: task.instanceId, Status: task.status, Progress: progressOf(task), Error: task.error }),
    };
  };
}

export function describeTasks(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const { total, tasks } = await findTasks(deps.store.db, {
      accountUin: ctx.principal.accountUin,
      ...(Array.isArray(params.TaskIds) ? { taskIds: params.TaskIds as number[] } : {}),
      ...(Array.isArray(params.InstanceIds) ? { instanceIds: (params.InstanceIds as string[]).map(normalizeId) } : {}),
      offset: params.Offset as number, limit: params.Limit as number,
    });
    return {
      TotalCount: total,
      TaskSet: tasks.map((t) => ({
        TaskId: t.id, Action: t.action, InstanceId: t.instanceId ?? '', Status: t.status, Progress: progressOf(t),
        Steps: t.steps.map((s) => ({
          Name: s.name, Status: s.status, StartedTime: s.startedAt ? isoTime(s.startedAt) : null,
          FinishedTime: s.finishedAt ? isoTime(s.finishedAt) : null, Attempts: s.attempts, Error: s.error ?? null,
        })),
        Error: t.error, CreatedTime: isoTime(t.createdAt), UpdatedTime: isoTime(t.updatedAt),
        FinishedTime: t.finishedAt ? isoTime(t.finishedAt) : null,
      })),
    };
  };
}
