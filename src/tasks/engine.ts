/**
 * The task engine: workers that claim durable tasks and drive their flows step by step.
 *
 * Claiming takes a lease in the store; a task about a server also takes the lock
 * "server:<id>", so two workers — in this process or any other — never drive one BMC at once.
 * While a task runs, a heartbeat renews both. Progress is saved after every step, so after a
 * crash (even kill -9) another worker resumes at the first unfinished step once the lease has
 * expired. Each step has a timeout and bounded retries with exponential backoff; a step that
 * keeps failing sends the task through its flow's rescue steps.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { acquireLock, releaseLock, renewLocks } from '../store/repos/locks.ts';
import { claimTask, renewLease, runnableTaskIds, saveProgress, type Task } from '../store/repos/tasks.ts';
import { RESCUE_SUFFIX, type Flow, type FlowStep, type StepContext } from './flow.ts';

export interface EngineOptions<D> {
  store: Store;
  flows: Record<string, Flow<D>>;
  deps: D;
  clock?: () => number;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /** Multiplies step timeouts and backoff (the hardware's time scale); floors keep them sane. */
  timeScale?: number;
  minStepTimeoutMs?: number;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
}

export class TaskEngine<D> {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly o: Required<Omit<EngineOptions<D>, 'logger'>> & Pick<EngineOptions<D>, 'logger'>;
  private readonly inflight = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = true;
  private idleWaiters: Array<() => void> = [];

  constructor(options: EngineOptions<D>) {
    this.o = {
      clock: Date.now, concurrency: 32, leaseMs: 15_000, pollMs: 500, timeScale: 1, minStepTimeoutMs: 2_000, ...options,
    };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.o.pollMs);
    this.timer.unref();
    this.poke();
  }

  /**
   * Stops claiming and waits (at most `graceMs`) for running steps to reach a step boundary.
   * Whatever is still running then is abandoned: its lease expires and a worker resumes it.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const deadline = Date.now() + graceMs;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), sleep(Math.max(1, deadline - Date.now()))]);
    }
  }

  get running(): number {
    return this.inflight.size;
  }

  /** Look for work now (called after tasks are created in this process). */
  poke(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void this.tick().catch((err) => this.o.logger?.error({ err }, 'task engine tick failed')).finally(() => {
      this.ticking = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async tick(): Promise<void> {
    const free = this.o.concurrency - this.inflight.size;
    if (free <= 0) return;
    const { store, clock, leaseMs } = this.o;
    const ids = await runnableTaskIds(store.db, clock(), free, [...this.inflight]);
    for (const id of ids) {
      if (this.stopped || this.inflight.size >= this.o.concurrency) break;
      const task = await claimTask(store.db, id, this.owner, clock(), leaseMs);
      if (!task) continue;
      if (task.serverId && !(await acquireLock(store.db, lockName(task), this.lockOwner(task), clock(), leaseMs))) {
        // Another operation holds this server: hand the task back and look again shortly.
        await saveProgress(store.db, task, this.owner, clock(), { lease_owner: null, lease_expires_at: null, next_run_at: clock() + 100 });
        continue;
      }
      this.inflight.add(task.id);
      void this.drive(task).catch((err) => this.o.logger?.error({ err, taskId: task.id }, 'task failed unexpectedly')).finally(() => {
        this.inflight.delete(task.id);
        if (this.inflight.size === 0) this.idleWaiters.splice(0).forEach((r) => r());
        this.poke();
      });
    }
  }

  private async drive(task: Task): Promise<void> {
    const { store, clock, leaseMs } = this.o;
    let lost = false;
    const heartbeat = setInterval(() => {
      const until = clock() + leaseMs;
      void Promise.all([
        renewLease(store.db, task.id, this.owner, until),
        task.serverId ? renewLocks(store.db, [lockName(task)], this.lockOwner(task), until) : Promise.resolve(),
      ]).then(([ok]) => { if (!ok) lost = true; }).catch(() => {});
    }, Math.max(50, leaseMs / 3));
    try {
      while (!lost && !this.stopped && task.status === 'RUNNING') {
        if (!(await this.runNext(task))) break;
      }
    } finally {
      clearInterval(heartbeat);
      if (task.serverId) await releaseLock(store.db, lockName(task), this.lockOwner(task)).catch(() => {});
      if (task.status === 'RUNNING') {
        // Stopped or lost: let any worker pick it up again at once.
        await saveProgress(store.db, task, this.owner, clock(), { lease_owner: null, lease_expires_at: null }).catch(() => {});
      }
    }
  }

  /** Runs the step at `stepIndex` (or finishes the task); false when the lease is gone. */
  private async runNext(task: Task): Promise<boolean> {
    const { store, clock } = this.o;
    const flow = this.flowOf(task);
    const rescuing = task.flow.endsWith(RESCUE_SUFFIX);
    const offset = rescuing ? task.steps.length - (flow.rescue?.length ?? 0) : 0;
    const step = (rescuing ? flow.rescue ?? [] : flow.steps)[task.stepIndex - offset];
    if (!step) return this.finish(task, rescuing ? 'FAILED' : 'SUCCESS');
    const record = task.steps[task.stepIndex]!;
    const ctx: StepContext<D> = { task, deps: this.o.deps, now: clock, ...(task.error ? { failure: task.error } : {}) };
    const maxAttempts = (step.retries ?? 2) + 1;
    for (;;) {
      Object.assign(record, { status: 'RUNNING', attempts: record.attempts + 1, startedAt: record.startedAt ?? clock() });
      if (!(await saveProgress(store.db, task, this.owner, clock()))) return false;
      try {
        await this.withTimeout(step, ctx);
        break;
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        record.error = error.message;
        this.o.logger?.warn({ taskId: task.id, step: step.name, attempt: record.attempts, err: error.message }, 'task step failed');
        if (this.stopped) return false; // shutting down: a successor retries this step
        if (record.attempts < maxAttempts) {
          await sleep(this.scaled(1000 * 2 ** (record.attempts - 1), 10));
          continue;
        }
        if (step.fallback && (await attempt(() => step.fallback!(ctx, new Error(`${step.name}: ${error.message}`))))) break;
        return this.fail(task, flow, rescuing, `${step.name}: ${error.message}`);
      }
    }
    Object.assign(record, { status: 'DONE', finishedAt: clock() });
    task.stepIndex += 1;
    return saveProgress(store.db, task, this.owner, clock());
  }

  private async fail(task: Task, flow: Flow<D>, rescuing: boolean, message: string): Promise<boolean> {
    task.steps[task.stepIndex]!.status = 'FAILED';
    if (rescuing || !flow.rescue?.length) {
      task.error = rescuing ? `${task.error}; clean-up failed at ${message}` : message;
      return this.finish(task, 'FAILED');
    }
    // Enter the rescue steps: the error is kept, the remaining main steps are never run.
    task.error = message;
    task.flow = `${flow.name}${RESCUE_SUFFIX}`;
    task.steps = [...task.steps.slice(0, task.stepIndex + 1), ...flow.rescue.map((s) => ({ name: s.name, status: 'PENDING' as const, attempts: 0 }))];
    task.stepIndex += 1;
    return saveProgress(this.o.store.db, task, this.owner, this.o.clock());
  }

  private async finish(task: Task, status: 'SUCCESS' | 'FAILED'): Promise<boolean> {
    const now = this.o.clock();
    task.status = status;
    this.o.logger?.info({ taskId: task.id, action: task.action, instanceId: task.instanceId, status, error: task.error }, 'task finished');
    await saveProgress(this.o.store.db, task, this.owner, now, { status, finished_at: now, lease_owner: null, lease_expires_at: null });
    return false;
  }

  /** A server lock belongs to one task, not to the process: two tasks here must exclude each other too. */
  private lockOwner(task: Task): string {
    return `${this.owner}#${task.id}`;
  }

  private flowOf(task: Task): Flow<D> {
    const flow = this.o.flows[task.flow.replace(RESCUE_SUFFIX, '')];
    if (!flow) throw new Error(`task ${task.id}: unknown flow ${task.flow}`);
    return flow;
  }

  private scaled(ms: number, floor: number): number {
    return Math.max(floor, ms * this.o.timeScale);
  }

  private withTimeout(step: FlowStep<D>, ctx: StepContext<D>): Promise<void> {
    const ms = this.scaled(step.timeoutMs, this.o.minStepTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms)} ms`)), ms);
    });
    return Promise.race([step.run(ctx), timeout]).finally(() => clearTimeout(timer));
  }
}

const lockName = (task: Task) => `server:${task.serverId}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attempt(fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch {
    return false;
  }
}
