/**
 * Power-state sync: what the BMC says wins.
 *
 * Every server holding a RUNNING or STOPPED instance has its power state read from its driver
 * once per `intervalMs`. An instance recorded RUNNING whose server is off becomes STOPPED
 * (someone pulled the plug or pressed the button); one recorded STOPPED that is on becomes
 * RUNNING. Every drift is logged.
 *
 * - **One schedule for the fleet and every process.** Each server's next read time lives in
 *   the store (`servers.power_due_at`); a tick claims the servers that are due and moves their
 *   time forward in one statement (src/store/repos/power-schedule.ts), so a fleet of any size is
 *   covered and two processes never read the same BMC in the same period.
 * - **Spread, not in bursts.** The loop ticks `ticksPerInterval` times a period and claims a
 *   matching share of the fleet each tick, so reads — and the BMCs' load — are even over the
 *   period; a server overdue (a restart, a slow period) goes first.
 * - **Bounded concurrency.** Up to `parallel` BMCs are read at once (a real BMC answers in tens
 *   of milliseconds to seconds; one after another would never cover a large fleet).
 * - **No operation in between.** Each group's "server:<id>" locks are taken in one statement
 *   before its reads and released after its writes, so a task cannot start on a server while
 *   it is read or while a drift found on it is applied; a server whose lock is held (an
 *   operation under way) is skipped until its next turn.
 * - **Writes per group, not per server.** A group's observations (billing's reconciliation),
 *   changed power states and BMC readings are written together.
 *
 * The same visit reads the BMC's sensors (power drawn, inlet temperature) right after the power
 * state and hands every reading — with whether the BMC answered at all — to `onReadings`
 * (monitoring), so no BMC is asked more often than the sync already asks it.
 */
import { DriverError, type PowerStateReading, type SensorReading, type SensorsInterface, type ServerTarget } from '../drivers/interfaces/hardware.ts';
import { applyEvent } from '../lifecycle/gate.ts';
import type { ServerAccess } from '../flows/deps.ts';
import { acquireLocks, releaseLocks } from '../store/repos/locks.ts';
import { observePowerMany } from '../store/repos/power-observations.ts';
import { claimDuePowerReads, countPowerSynced, recordPowerStates, type DuePowerRead } from '../store/repos/power-schedule.ts';
import type { Store } from '../store/store.ts';

export interface PowerSyncOptions {
  store: Store;
  servers: ServerAccess;
  owner: string;
  clock: () => number;
  logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** How often each server's BMC is read. */
  intervalMs: number;
  /** BMCs read at once (default 16). */
  parallel?: number;
  /** Ticks per interval (default 10): each claims about 1/ticks of the fleet. */
  ticksPerInterval?: number;
  /** Receives each group's BMC readings (one per instance visited). */
  onReadings?: (readings: BmcReading[], at: number) => Promise<void>;
}

export interface BmcReading {
  instanceId: string;
  /** False when the BMC did not answer the power read (unreachable or timed out). */
  reachable: boolean;
  sensors?: SensorReading;
}

export interface PowerSync {
  /** Reads every server that is due now (a whole period's worth when all are); resolves with the number of drifts corrected. */
  runOnce(): Promise<number>;
  /** One tick of the timer: reads the due servers up to one tick's share of the fleet. */
  tick(): Promise<number>;
  stop(): void;
}

const LOCK_TTL_MS = 60_000;

export function startPowerSync(o: PowerSyncOptions): PowerSync {
  const ticks = Math.max(1, o.ticksPerInterval ?? 10);
  const tickMs = Math.max(10, Math.floor(o.intervalMs / ticks));
  let running = false;
  let fleet = { size: 0, countedAt: -Infinity };
  const exclusive = async (fn: () => Promise<number>) => {
    if (running) return 0;
    running = true;
    try {
      return await fn();
    } finally {
      running = false;
    }
  };
  const tick = () => exclusive(async () => {
    const now = o.clock();
    if (now - fleet.countedAt >= o.intervalMs) fleet = { size: await countPowerSynced(o.store.db), countedAt: now };
    // A share of the fleet, with room to catch up on servers left overdue.
    return visitDue(o, Math.max(o.parallel ?? 16, Math.ceil((fleet.size / ticks) * 1.5)));
  });
  const timer = setInterval(() => void tick().catch((err) => o.logger.warn({ err }, 'power sync failed')), tickMs);
  timer.unref();
  return { runOnce: () => exclusive(() => visitDue(o, Infinity)), tick, stop: () => clearInterval(timer) };
}

/** Claims up to `limit` servers due by now and reads them, a group of `parallel` at a time. */
async function visitDue(o: PowerSyncOptions, limit: number): Promise<number> {
  const parallel = Math.max(1, o.parallel ?? 16);
  const dueBy = o.clock(); // a server read in this run is next due a whole interval later, so it is not met again
  let drifts = 0;
  for (let left = limit; left > 0;) {
    const due = await claimDuePowerReads(o.store, dueBy, o.clock() + o.intervalMs, Math.min(left, parallel * 8));
    if (due.length === 0) break;
    left -= due.length;
    for (let i = 0; i < due.length; i += parallel) drifts += await visitGroup(o, due.slice(i, i + parallel));
  }
  return drifts;
}

interface Visit { row: DuePowerRead; actual?: PowerStateReading; reading?: BmcReading }

async function visitGroup(o: PowerSyncOptions, rows: DuePowerRead[]): Promise<number> {
  const lockOf = (r: DuePowerRead) => `server:${r.serverId}`;
  const held = await acquireLocks(o.store.db, rows.map(lockOf), o.owner, o.clock(), LOCK_TTL_MS);
  const mine = rows.filter((r) => held.has(lockOf(r))); // the rest: an operation is under way
  try {
    const visits = await Promise.all(mine.map((row) => visit(o, row)));
    const now = o.clock();
    const read = visits.filter((v): v is Visit & { actual: PowerStateReading } => v.actual !== undefined);
    await o.store.transaction(async (tx) => {
      await recordPowerStates(tx, read.filter((v) => v.actual !== v.row.powerState).map((v) => ({ serverId: v.row.serverId, state: v.actual })));
      // Billing's daily reconciliation compares billed time with the power-on time seen here.
      await observePowerMany(tx, read.map((v) => ({ instanceId: v.row.instanceId, on: v.actual === 'on' })), now, Math.max(15 * 60_000, 3 * o.intervalMs));
    });
    const readings = visits.flatMap((v) => (v.reading ? [v.reading] : []));
    if (o.onReadings && readings.length > 0) {
      await o.onReadings(readings, now).catch((err) => o.logger.warn({ err: (err as Error).message }, 'BMC readings could not be stored'));
    }
    let drifts = 0;
    for (const v of read) if (await applyDrift(o, v.row, v.actual)) drifts += 1;
    return drifts;
  } finally {
    await releaseLocks(o.store.db, mine.map(lockOf), o.owner);
  }
}

async function visit(o: PowerSyncOptions, row: DuePowerRead): Promise<Visit> {
  try {
    const { driver, target } = await o.servers.get(row.serverId);
    const actual = await driver.power.getPowerState(target);
    const sensors = o.onReadings ? await readSensors(o, driver.sensors, target, row.serverId) : undefined;
    return { row, actual, reading: { instanceId: row.instanceId, reachable: true, ...(sensors ? { sensors } : {}) } };
  } catch (err) {
    o.logger.warn({ serverId: row.serverId, err: (err as Error).message }, 'power sync could not read a server');
    const unanswered = err instanceof DriverError && (err.kind === 'unreachable' || err.kind === 'timeout');
    return { row, ...(unanswered ? { reading: { instanceId: row.instanceId, reachable: false } } : {}) };
  }
}

async function applyDrift(o: PowerSyncOptions, row: DuePowerRead, actual: PowerStateReading): Promise<boolean> {
  const event = row.status === 'RUNNING' && actual === 'off' ? 'power_lost' : row.status === 'STOPPED' && actual === 'on' ? 'power_restored' : undefined;
  if (!event) return false;
  // The gate judges the instance's status as it is now: a status read at the claim may be stale.
  const moved = await o.store.transaction((tx) => applyEvent(tx, [row.instanceId], event, o.clock(), { idempotent: true })).catch((err: unknown) => {
    o.logger.warn({ instanceId: row.instanceId, serverId: row.serverId, actual, err: (err as Error).message }, 'power state drift not applied');
    return [];
  });
  if (moved.length > 0) o.logger.warn({ instanceId: row.instanceId, serverId: row.serverId, recorded: row.status, actual }, 'power state drift corrected');
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
