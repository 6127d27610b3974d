/**
 * What the instance, flavor and task handlers need: the store, a way to wake the task engine
 * once new tasks are committed, and the region catalog.
 */
import { nextValues } from '../../store/repos/sequences.ts';
import { insertTasks, type NewTask } from '../../store/repos/tasks.ts';
import type { Store, Tx } from '../../store/store.ts';
import type { RegionCatalog } from '../regions/region-catalog.ts';
import { FLOWS, type FlowName } from '../../flows/index.ts';
import { stepNames } from '../../tasks/flow.ts';

export interface InstanceServiceDeps {
  store: Store;
  /** Wakes the task engine after tasks were committed. */
  scheduler: { poke(): void };
  regions: RegionCatalog;
  logger?: { info(o: object, m?: string): void };
}

export interface TaskSpec {
  action: string;
  flow: FlowName;
  instanceId: string;
  serverId: string | null;
  context?: Record<string, unknown>;
}

/** Creates one task per spec inside `tx`; returns their ids in order. */
export async function createTasks(tx: Tx, accountUin: string, specs: TaskSpec[], now: number): Promise<number[]> {
  if (specs.length === 0) return [];
  const first = await nextValues(tx, 'task', specs.length);
  const tasks: NewTask[] = specs.map((s, i) => ({
    id: first + i, accountUin, action: s.action, flow: s.flow, instanceId: s.instanceId, serverId: s.serverId,
    context: s.context ?? {}, stepNames: stepNames(FLOWS[s.flow]),
  }));
  await insertTasks(tx, tasks, now);
  return tasks.map((t) => t.id);
}
