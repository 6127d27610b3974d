/**
 * Power-state sync: what the BMC says wins.
 *
 * Periodically, for every server holding a RUNNING or STOPPED instance and not busy with an
 * operation (its "server:<id>" lock is free), read the power state from its driver. An
 * instance recorded RUNNING whose server is off becomes STOPPED (someone pulled the plug or
 * pressed the button); one recorded STOPPED that is on becomes RUNNING. Every drift is logged.
 * The lock is taken while reading, so a task cannot start in between.
 *
 * The same visit reads the BMC's sensors (power drawn, inlet temperature) right after the power
 * state, under the same lock, and hands every reading of the pass — with whether the BMC
 * answered at all — to `onReadings` in one call (monitoring), so no BMC is asked more often
 * than the sync already asks it.
 */
import { DriverError, type SensorReading, type SensorsInterface, type ServerTarget } from '../drivers/interfaces/hardware.ts';
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
  /** Receives the pass's BMC readings (one per instance visited). */
  onReadings?: (readings: BmcReading[], at: number) => Promise<void>;
}

export interface BmcReading {
  instanceId: string;
  /** False when the BMC did not answer the power read (unreachable or timed out). */
  reachable: boolean;
  sensors?: SensorReading;
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
  const readings: BmcReading[] = [];
  for (const row of rows) {
    const lock = `server:${row.server_id}`;
    if (!(await acquireLock(o.store.db, lock, o.owner, o.clock(), 60_000))) continue; // an operation is under way
    try {
      if (await reconcile(o, row.id, row.status, row.server_id!, readings)) drifts += 1;
    } catch (err) {
      if (err instanceof DriverError && (err.kind === 'unreachable' || err.kind === 'timeout')) readings.push({ instanceId: row.id, reachable: false });
      o.logger.warn({ serverId: row.server_id, err: (err as Error).message }, 'power sync could not read a server');
    } finally {
      await releaseLock(o.store.db, lock, o.owner);
    }
  }
  if (o.onReadings && readings.length > 0) {
    await o.onReadings(readings, o.clock()).catch((err) => o.logger.warn({ err: (err as Error).message }, 'BMC readings could not be stored'));
  }
  return drifts;
}

async function reconcile(o: PowerSyncOptions, instanceId: string, recorded: string, serverId: string, readings: BmcReading[]): Promise<boolean> {
  const { driver, target } = await o.servers.get(serverId);
  const actual = await driver.power.getPowerState(target);
  if (o.onReadings) readings.push({ instanceId, reachable: true, sensors: await readSensors(o, driver.sensors, target, serverId) });
  const event = recorded === 'RUNNING' && actual === 'off' ? 'power_lost' : recorded === 'STOPPED' && actual === 'on' ? 'power_restored' : undefined;
  await o.store.db.updateTable('servers').set({ power_state: actual }).where('id', '=', serverId).execute();
  // Billing's daily reconciliation compares billed time with the power-on time seen here.
  await o.store.transaction((tx) => observePower(tx, instanceId, actual === 'on', o.clock(), Math.max(15 * 60_000, 3 * o.intervalMs)));
  if (!event) return false;
  const moved = await o.store.transaction((tx) => applyEvent(tx, [instanceId], event, o.clock(), { idempotent: true }));
  if (moved.length > 0) o.logger.warn({ instanceId, serverId, recorded, actual }, 'power state drift corrected');
  return moved.length > 0;
}

/** The sensors, or nothing when the hardware has none or the read failed (the power read already answered). */
async function readSensors(o: PowerSyncOptions, sensors: SensorsInterface | undefined, target: ServerTarget, serverId: string): Promise<SensorReading | undefined> {
  if (!sensors) return undefined; // a driver built before the sensors concern existed
  try {
    return await sensors.readSensors(target);
  } catch (err) {
    if (!(err instanceof DriverError && err.kind === 'unsupported')) o.logger.warn({ serverId, err: (err as Error).message }, 'power sync could not read the sensors');
    return undefined;
  }
}
