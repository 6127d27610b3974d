/**
 * The power-state sync's shared schedule (migration 0080): which servers' BMCs are due for a
 * read, claimed so that each is read once per period across every server process.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, PowerState } from '../schema.ts';
import type { Store } from '../store.ts';

export interface DuePowerRead {
  serverId: string;
  instanceId: string;
  status: 'RUNNING' | 'STOPPED';
  /** The power state recorded at the last read. */
  powerState: PowerState;
}

/**
 * Claims up to `limit` servers holding a RUNNING or STOPPED instance whose read is due at `now`
 * (never-read first, then the longest overdue), moving their next read to `nextAt` in the same
 * transaction. On PostgreSQL rows another process is claiming at that moment are skipped, so
 * two processes never claim the same server.
 */
export async function claimDuePowerReads(store: Store, now: number, nextAt: number, limit: number): Promise<DuePowerRead[]> {
  return store.transaction(async (tx) => {
    let q = tx.selectFrom('servers as s').innerJoin('instances as i', 'i.server_id', 's.id')
      .select(['s.id as serverId', 'i.id as instanceId', 'i.status', 's.power_state as powerState'])
      .where('i.status', 'in', ['RUNNING', 'STOPPED']).where('i.deleted_at', 'is', null)
      .where((eb) => eb.or([eb('s.power_due_at', 'is', null), eb('s.power_due_at', '<=', now)]))
      .orderBy(sql`coalesce(s.power_due_at, 0)`).orderBy('s.id').limit(limit);
    if (store.dialect === 'postgres') q = q.forUpdate('s').skipLocked();
    const rows = await q.execute();
    if (rows.length > 0) await tx.updateTable('servers').set({ power_due_at: nextAt }).where('id', 'in', rows.map((r) => r.serverId)).execute();
    return rows.map((r) => ({ serverId: r.serverId, instanceId: r.instanceId, status: r.status as 'RUNNING' | 'STOPPED', powerState: r.powerState }));
  });
}

/** How many servers the sync visits each period (those holding a RUNNING or STOPPED instance). */
export async function countPowerSynced(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('instances').select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('status', 'in', ['RUNNING', 'STOPPED']).where('deleted_at', 'is', null).where('server_id', 'is not', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records the power state a read found, for the servers where it differs from the last one. */
export async function recordPowerStates(db: Kysely<Database>, changed: ReadonlyArray<{ serverId: string; state: PowerState }>): Promise<void> {
  for (const state of ['on', 'off'] as const) {
    const ids = changed.filter((c) => c.state === state).map((c) => c.serverId);
    if (ids.length > 0) await db.updateTable('servers').set({ power_state: state }).where('id', 'in', ids).execute();
  }
}
