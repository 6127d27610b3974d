/**
 * Migration 0030: EIP traffic metered per hour — the meeting point of monitoring and billing.
 *
 * Monitoring measures each EIP's outbound traffic and writes one row per (EIP, UTC hour) with the
 * hour's total bytes out; writing the same hour again replaces the total (an idempotent upsert,
 * so a replayed agent batch or a re-run rollup never adds twice). Billing charges closed hours
 * per GB at the ISP's price. The account, region and ISP are copied in at write time so a bill
 * stays right after the EIP is released.
 */
import type { Kysely, Migration } from 'kysely';

export const eipTraffic: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('eip_traffic_hours')
      .addColumn('eip_id', 'text', (c) => c.notNull())
      .addColumn('hour_start', 'bigint', (c) => c.notNull()) // epoch ms, a multiple of 3,600,000
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('isp', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('bytes_out', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('eip_traffic_hours_pk', ['eip_id', 'hour_start'])
      .execute();
    await db.schema.createIndex('eip_traffic_hours_account_idx').on('eip_traffic_hours').columns(['account_uin', 'hour_start']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('eip_traffic_hours').execute();
  },
};
