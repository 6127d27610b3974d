/**
 * A flow: a long operation as an ordered list of named, idempotent, resumable steps.
 *
 * The engine runs the steps of a task in order and persists progress after each. A step may
 * run more than once — after a retry, or after a crash between doing its work and recording
 * it — so every step must be idempotent: finding its work already done is success. When a
 * step fails for good, the flow's `rescue` steps run (undo, clean up, record the failure) and
 * the task ends FAILED with the original error.
 */
import type { Task } from '../store/repos/tasks.ts';

export interface StepContext<D> {
  task: Task;
  deps: D;
  /** The engine's clock. */
  now(): number;
  /** The error that sent the task into its rescue steps, if it is there. */
  failure?: string;
}

export interface FlowStep<D> {
  name: string;
  /** What this step may take on real hardware; the engine scales it like the hardware's time. */
  timeoutMs: number;
  /** Extra attempts after the first (default 2). */
  retries?: number;
  run(ctx: StepContext<D>): Promise<void>;
  /** When every attempt failed: resolve to carry on regardless (e.g. quarantine a server whose wipe failed). */
  fallback?(ctx: StepContext<D>, error: Error): Promise<void>;
}

export interface Flow<D> {
  name: string;
  steps: ReadonlyArray<FlowStep<D>>;
  rescue?: ReadonlyArray<FlowStep<D>>;
}

export const RESCUE_SUFFIX = '#rescue';

/** The step list a task row starts with. */
export function stepNames<D>(flow: Flow<D>): string[] {
  return flow.steps.map((s) => s.name);
}
