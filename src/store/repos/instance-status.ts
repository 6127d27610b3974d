/**
 * An instance's status, as the lifecycle gate (src/lifecycle/gate.ts) alone reads and writes
 * it: the statuses of live instances, and a compare-and-set of one status.
 */
import type { Database } from '../schema.ts';
import type { Tx } from '../store.ts';

/** Columns the gate may write together with a status (e.g. `error`). */
export type StatusColumns = Partial<Pick<Database['instances'], 'error' | 'server_id' | 'private_ip' | 'password_hash'>>;

/** The live (not deleted) instances among `ids`: status and account. */
export async function liveStatuses(tx: Tx, ids: readonly string[]): Promise<Array<{ id: string; status: string; account_uin: string }>> {
  return tx.selectFrom('instances').select(['id', 'status', 'account_uin']).where('id', 'in', ids).where('deleted_at', 'is', null).execute();
}

/**
 * Moves `instanceId` from `from` to `to` (null: deleted) at `now`, with `set` alongside, only if
 * it is still live and still `from`; returns whether it moved.
 */
export async function compareAndSetStatus(tx: Tx, instanceId: string, from: string, to: string | null, now: number, set: StatusColumns = {}): Promise<boolean> {
  const result = await tx.updateTable('instances')
    .set({ status: to ?? from, updated_at: now, ...(to === null ? { deleted_at: now } : {}), ...set })
    .where('id', '=', instanceId).where('status', '=', from).where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
