/**
 * Power-state sync: what the BMC says wins.
 *
 * Periodically, for every server holding a RUNNING or STOPPED instance and not busy with an
 * operation (its "server:<id>" lock is free), read the power state from its driver. An
 * instance recorded RUNNING whose server is off becomes STOPPED (someone pulled the plug or
 * pressed the button); one recorded STOPPED that is on becomes RUNNING. Every drift is logged.
 * The lock is taken while reading, so a task cannot start in between.
 */
import { applyEvent } from '../lifecycle/gate.ts';
import type { ServerAccess } from '../flows/deps.ts';
import { acquireLock, releaseLock } from '../store/repos/locks.ts';
import { observePower } from '../store/repos/power-observations.ts';
import type { Store } from '../store/store.ts';

export interface PowerSyncOptions {
  store: Store;
  servers: ServerAccess;
  owner: string;
  clock: () => number;
  logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  intervalMs: number;
  batch?: number;
}

export interface PowerSync {
  /** One pass over the fleet; resolves with the number of drifts corrected. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startPowerSync(o: PowerSyncOptions): PowerSync {
  let running = false;
  const runOnce = async () => {
    if (running) return 0;
    running = true;
    try {
      return await pass(o);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void runOnce().catch((err) => o.logger.warn({ err }, 'power sync failed')), o.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}

async function pass(o: PowerSyncOptions): Promise<number> {
  const rows = await o.store.db.selectFrom('instances').select(['id', 'status', 'server_id'])
    .where('status', 'in', ['RUNNING', 'STOPPED']).where('deleted_at', 'is', null).where('server_id', 'is not', null)
    .orderBy('updated_at').limit(o.batch ?? 500).execute();
  let drifts = 0;
  for (const row of rows) {
    const lock = `server:${row.server_id}`;
    if (!(await acquireLock(o.store.db, lock, o.owner, o.clock(), 60_000))) continue; // an operation is under way
    try {
      if (await reconcile(o, row.id, row.status, row.server_id!)) drifts += 1;
    } catch (err) {
      o.logger.warn({ serverId: row.server_id, err: (err as Error).message }, 'power sync could not read a server');
    } finally {
      await releaseLock(o.store.db, lock, o.owner);
    }
  }
  return drifts;
}

async function reconcile(o: PowerSyncOptions, instanceId: string, recorded: string, serverId: string): Promise<boolean> {
  const { driver, target } = await o.servers.get(serverId);
  const actual = await driver.power.getPowerState(target);
  const event = recorded === 'RUNNING' && actual === 'off' ? 'power_lost' : recorded === 'STOPPED' && actual === 'on' ? 'power_restored' : undefined;
  await o.store.db.updateTable('servers').set({ power_state: actual }).where('id', '=', serverId).execute();
  // Billing's daily reconciliation compares billed time with the power-on time seen here.
  await o.store.transaction((tx) => observePower(tx, instanceId, actual === 'on', o.clock(), Math.max(15 * 60_000, 3 * o.intervalMs)));
  if (!event) return false;
  const moved = await o.store.transaction((tx) => applyEvent(tx, [instanceId], event, o.clock(), { idempotent: true }));
  if (moved.length > 0) o.logger.warn({ instanceId, serverId, recorded, actual }, 'power state drift corrected');
  return moved.length > 0;
}
