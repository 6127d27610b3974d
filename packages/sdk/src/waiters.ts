/**
 * Waiters: wait for instances to reach a status (or to be gone), or for tasks to finish — with a
 * deadline, an AbortSignal and a progress callback fed from DescribeTasks (the current step of
 * each instance's latest task, its percentage, the time elapsed and an estimate of what is left).
 *
 *   const { BmsId } = await bms.RunInstances({ … });
 *   await waitForInstances(bms, BmsId, 'RUNNING', { timeoutMs: 30 * 60_000, onProgress: show });
 *
 * A waiter polls (DescribeInstances and DescribeTasks, 100 ids a request) every `intervalMs`,
 * starting fast and slowing to `maxIntervalMs`. It fails early, with `BmsWaiterError`
 * `WaiterFailed`, when an instance lands in CREATE_FAILED or its latest task failed and the
 * instance settled elsewhere than the goal; and with `WaiterTimeout` at the deadline.
 */
import type { CallOptions } from './client.ts';
import { BmsError, BmsWaiterError } from './errors.ts';
import { abortableSleep } from './retry.ts';
import type { DescribeInstancesRequest, DescribeInstancesResponse, DescribeTasksRequest, DescribeTasksResponse, Instance, TaskInfo } from './services/bms.ts';

/** What a waiter needs of a bms client (a BmsClient, or anything with these two methods). */
export interface BmsReader {
  DescribeInstances(params?: DescribeInstancesRequest, options?: CallOptions): Promise<DescribeInstancesResponse>;
  DescribeTasks(params?: DescribeTasksRequest, options?: CallOptions): Promise<DescribeTasksResponse>;
}

/** Where one instance stands. */
export interface InstanceProgress {
  instanceId: string;
  /** Current status, or `GONE` once the instance is no longer listed. */
  status: string;
  /** Whether this instance has reached the goal. */
  done: boolean;
  /** The instance's latest task, when it has one. */
  task?: {
    taskId: number;
    action: string;
    status: string;
    /** 0–100. */
    progress: number;
    /** The step running now (or the last one), e.g. `raid`, `install`. */
    step?: string;
    /** 1-based position of `step` among `steps`. */
    stepIndex?: number;
    steps: number;
    /** Since the task was created, in ms. */
    elapsedMs: number;
    /** Estimated time left in ms, from the progress so far; undefined before any progress. */
    etaMs?: number;
    error?: string | null;
  };
}

export interface WaitOptions {
  /** Give up after this many ms (default 30 minutes). */
  timeoutMs?: number;
  /** Give up at this time (ms since the epoch); wins over timeoutMs. */
  deadline?: number;
  signal?: AbortSignal;
  /** Called after every poll with every instance's progress. */
  onProgress?: (progress: InstanceProgress[]) => void;
  /** First wait between polls in ms (default 250), growing ×1.5 up to maxIntervalMs (default 3000). */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Replaceable for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const FAILED_STATUSES = new Set(['CREATE_FAILED']);
const TRANSITIONAL = new Set(['PENDING', 'REBOOTING', 'STOPPING', 'STARTING', 'RESETTING', 'TERMINATING']);

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** The latest task per instance. */
function latestTasks(tasks: TaskInfo[]): Map<string, TaskInfo> {
  const out = new Map<string, TaskInfo>();
  for (const t of tasks) {
    const prev = out.get(t.InstanceId);
    if (!prev || t.TaskId > prev.TaskId) out.set(t.InstanceId, t);
  }
  return out;
}

function taskProgress(t: TaskInfo, now: number): NonNullable<InstanceProgress['task']> {
  const steps = t.Steps ?? [];
  let at = steps.findIndex((s) => s.Status === 'RUNNING' || s.Status === 'FAILED');
  if (at < 0) at = steps.findIndex((s) => s.Status === 'PENDING');
  if (at < 0) at = steps.length - 1;
  const created = Date.parse(t.CreatedTime);
  const end = t.FinishedTime ? Date.parse(t.FinishedTime) : now;
  const elapsedMs = Number.isFinite(created) ? Math.max(0, end - created) : 0;
  const progress = t.Progress ?? 0;
  const etaMs = t.Status !== 'RUNNING' ? 0 : progress > 0 ? Math.round((elapsedMs * (100 - progress)) / progress) : undefined;
  return {
    taskId: t.TaskId, action: t.Action, status: t.Status, progress, steps: steps.length, elapsedMs,
    ...(at >= 0 ? { step: steps[at]!.Name, stepIndex: at + 1 } : {}),
    ...(etaMs === undefined ? {} : { etaMs }),
    error: t.Error ?? null,
  };
}

async function pollLoop<T>(opts: WaitOptions, what: () => string[], poll: () => Promise<T | undefined>): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  const deadline = opts.deadline ?? now() + (opts.timeoutMs ?? 30 * 60_000);
  let interval = opts.intervalMs ?? 250;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    // A poll the service throttled (after the client's own retries) is not an answer: poll again,
    // more slowly, until the deadline — several waiters on one account must not fail each other.
    let done: T | undefined;
    try {
      done = await poll();
    } catch (e) {
      if (!(e instanceof BmsError && e.code === 'RequestLimitExceeded')) throw e;
      interval = Math.max(interval, 1000);
    }
    if (done !== undefined) return done;
    const left = deadline - now();
    if (left <= 0) {
      const pending = what();
      throw new BmsWaiterError('WaiterTimeout', `gave up waiting at the deadline; still pending: ${pending.join(', ')}`, pending);
    }
    await sleep(Math.min(interval, left), opts.signal);
    interval = Math.min(opts.maxIntervalMs ?? 3000, Math.ceil(interval * 1.5));
  }
}

/**
 * Waits until every instance of `instanceIds` has `status` (e.g. RUNNING, STOPPED), or — with
 * `GONE` — is no longer listed (returned). Resolves with the instances' last description
 * (empty for GONE).
 */
export async function waitForInstances(client: BmsReader, instanceIds: string[], status: string, opts: WaitOptions = {}): Promise<Instance[]> {
  const ids = [...new Set(instanceIds)];
  const now = opts.now ?? Date.now;
  const call = opts.signal ? { signal: opts.signal } : {};
  let pending = ids;
  return pollLoop(opts, () => pending, async () => {
    const found = new Map<string, Instance>();
    const tasks: TaskInfo[] = [];
    for (const part of chunks(ids, 100)) {
      const [list, taskList] = await Promise.all([
        client.DescribeInstances({ InstanceIds: part, Limit: 100 }, call),
        client.DescribeTasks({ InstanceIds: part, Limit: 100 }, call),
      ]);
      for (const i of list.InstanceSet ?? []) found.set(i.InstanceId, i);
      tasks.push(...(taskList.TaskSet ?? []));
    }
    const latest = latestTasks(tasks);
    const at = now();
    const progress: InstanceProgress[] = ids.map((id) => {
      const inst = found.get(id);
      const current = inst ? inst.Status : 'GONE';
      const task = latest.get(id);
      return { instanceId: id, status: current, done: current === status, ...(task ? { task: taskProgress(task, at) } : {}) };
    });
    opts.onProgress?.(progress);
    const failed = progress.filter((p) => !p.done && (FAILED_STATUSES.has(p.status) ||
      (p.task?.status === 'FAILED' && !TRANSITIONAL.has(p.status)) ||
      (p.status === 'GONE' && status !== 'GONE')));
    if (failed.length > 0) {
      const why = failed.map((p) => `${p.instanceId} is ${p.status}${p.task?.error ? ` (${p.task.action}: ${p.task.error})` : ''}`);
      throw new BmsWaiterError('WaiterFailed', `instances did not reach ${status}: ${why.join('; ')}`, failed.map((p) => p.instanceId));
    }
    pending = progress.filter((p) => !p.done).map((p) => p.instanceId);
    return pending.length === 0 ? ids.map((id) => found.get(id)).filter((i): i is Instance => !!i) : undefined;
  });
}

/** Waits until every row of the tasks `taskIds` is SUCCESS; fails when one is FAILED. Resolves with the tasks. */
export async function waitForTasks(client: BmsReader, taskIds: Array<number | string>, opts: WaitOptions & { onTaskProgress?: (tasks: TaskInfo[]) => void } = {}): Promise<TaskInfo[]> {
  const ids = [...new Set(taskIds.map(Number))];
  const call = opts.signal ? { signal: opts.signal } : {};
  let pending = ids.map(String);
  const now = opts.now ?? Date.now;
  return pollLoop(opts, () => pending, async () => {
    const tasks: TaskInfo[] = [];
    for (const part of chunks(ids, 100)) {
      for (let offset = 0; ; offset += 100) {
        const page = await client.DescribeTasks({ TaskIds: part, Offset: offset, Limit: 100 }, call);
        tasks.push(...(page.TaskSet ?? []));
        if ((page.TaskSet ?? []).length < 100) break;
      }
    }
    opts.onTaskProgress?.(tasks);
    const at = now();
    opts.onProgress?.(tasks.map((t) => ({ instanceId: t.InstanceId, status: t.Status, done: t.Status === 'SUCCESS', task: taskProgress(t, at) })));
    const failed = tasks.filter((t) => t.Status === 'FAILED');
    if (failed.length > 0) {
      throw new BmsWaiterError('WaiterFailed', `tasks failed: ${failed.map((t) => `${t.TaskId} (${t.InstanceId}: ${t.Error ?? 'failed'})`).join('; ')}`, failed.map((t) => String(t.TaskId)));
    }
    const seen = new Set(tasks.map((t) => t.TaskId));
    pending = [...ids.filter((id) => !seen.has(id)).map(String), ...tasks.filter((t) => t.Status !== 'SUCCESS').map((t) => `${t.TaskId}`)];
    return pending.length === 0 ? tasks : undefined;
  });
}
