/**
 * EIP traffic per hour (migration 0030): written by monitoring, read by billing.
 *
 * `putEipTrafficHour` sets an hour's total (not adds to it), so writing the same hour twice —
 * a replayed batch, a rollup run again after a crash — leaves one right total. Hours are UTC
 * hours in epoch milliseconds (`hourStart % 3_600_000 === 0`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export const HOUR_MS = 3_600_000;

export interface EipTrafficHour {
  eipId: string;
  hourStart: number;
  accountUin: string;
  region: string;
  isp: string;
  address: string;
  bytesOut: number;
}

/** Sets the total bytes out of one EIP in one UTC hour (replacing an earlier total). */
export async function putEipTrafficHour(db: Kysely<Database>, row: EipTrafficHour, now: number): Promise<void> {
  if (row.hourStart % HOUR_MS !== 0) throw new RangeError(`hourStart ${row.hourStart} is not the start of a UTC hour`);
  await db.insertInto('eip_traffic_hours')
    .values({
      eip_id: row.eipId, hour_start: row.hourStart, account_uin: row.accountUin, region: row.region,
      isp: row.isp, address: row.address, bytes_out: row.bytesOut, updated_at: now,
    })
    .onConflict((oc) => oc.columns(['eip_id', 'hour_start']).doUpdateSet({
      bytes_out: (eb) => eb.ref('excluded.bytes_out'), updated_at: (eb) => eb.ref('excluded.updated_at'),
    }))
    .execute();
}

/** Every metered hour in [from, to) — of one account when `accountUin` is given — oldest first. */
export async function listEipTrafficHours(
  db: Kysely<Database>,
  range: { from: number; to: number; accountUin?: string },
): Promise<EipTrafficHour[]> {
  let q = db.selectFrom('eip_traffic_hours').selectAll()
    .where('hour_start', '>=', range.from).where('hour_start', '<', range.to);
  if (range.accountUin !== undefined) q = q.where('account_uin', '=', range.accountUin);
  const rows = await q.orderBy('hour_start').orderBy('eip_id').execute();
  return rows.map((r) => ({
    eipId: r.eip_id, hourStart: Number(r.hour_start), accountUin: r.account_uin, region: r.region,
    isp: r.isp, address: r.address, bytesOut: Number(r.bytes_out),
  }));
}
