/**
 * Simulated hardware: what the lab's servers keep in their BMCs and on their disks.
 *
 * A real server remembers its power state, boot device, RAID layout, installed OS and BMC
 * accounts across a control-plane restart because that state lives in the machine. The
 * simulated datacenter (`src/drivers/sim`) keeps the same state here, one row per server, so
 * a lab survives restarts just as real hardware does, and several server processes sharing
 * one PostgreSQL database see one datacenter.
 *
 * The store does not know what the state means: `state` and `faults` are opaque strings (JSON
 * written and read by the sim driver, which owns their shape). The two are separate columns
 * so that injecting a fault never rewrites — and never races with — a change of the state.
 *
 *   await insertSimHardware(db, 'srv-1', { state: '{…}', faults: '[]' });
 *   const row = await getSimHardware(db, 'srv-1');   // { state, faults } | undefined
 */
import type { Kysely } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database } from '../schema.ts';

/** One server's simulated hardware, as stored. */
export interface SimHardwareRow {
  state: string;
  faults: string;
}

/** The row of `serverId`, or undefined when that server has no simulated hardware. */
export async function getSimHardware(db: Kysely<Database>, serverId: string): Promise<SimHardwareRow | undefined> {
  return db
    .selectFrom('sim_hardware')
    .select(['state', 'faults'])
    .where('server_id', '=', serverId)
    .executeTakeFirst();
}

/** Creates the row of `serverId`; ConflictError if it already exists. */
export async function insertSimHardware(
  db: Kysely<Database>,
  serverId: string,
  row: SimHardwareRow,
  now: number = Date.now(),
): Promise<void> {
  await translatingConflicts(
    db
      .insertInto('sim_hardware')
      .values({ server_id: serverId, state: row.state, faults: row.faults, updated_at: now })
      .execute(),
  );
}

/** Replaces the state of `serverId`; false when there is no such row. */
export async function updateSimState(
  db: Kysely<Database>,
  serverId: string,
  state: string,
  now: number = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('sim_hardware')
    .set({ state, updated_at: now })
    .where('server_id', '=', serverId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Replaces the faults of `serverId`; false when there is no such row. */
export async function updateSimFaults(
  db: Kysely<Database>,
  serverId: string,
  faults: string,
  now: number = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('sim_hardware')
    .set({ faults, updated_at: now })
    .where('server_id', '=', serverId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes the row of `serverId` (the server is un-cabled); false when there was none. */
export async function deleteSimHardware(db: Kysely<Database>, serverId: string): Promise<boolean> {
  const result = await db.deleteFrom('sim_hardware').where('server_id', '=', serverId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every server that has simulated hardware, in id order. */
export async function listSimServerIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('sim_hardware').select('server_id').orderBy('server_id').execute();
  return rows.map((r) => r.server_id);
}
