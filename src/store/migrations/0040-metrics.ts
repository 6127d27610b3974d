/**
 * Migration 0040: monitoring samples, stored small.
 *
 * `metric_inbox` is where pushes land: one row per (instance, source, 10-second slot) holding
 * every metric of that sample packed (metric id, quantized value). Its key makes a replayed or
 * out-of-order batch a no-op. The rollup job drains closed 10-minute windows from it into
 * `metric_chunks`: one row per (instance, metric, period, window) whose `data` packs every
 * point of the window (src/store/repos/metric-codec.ts) — raw 10-second values, or avg/max/min
 * (as count, sum, min, max) for the 60 s, 300 s, 1 h and 1 d rollups. On SQLite both tables are
 * WITHOUT ROWID (the key is the table: no second copy of it). The (period, window_start) index
 * serves expiry.
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

export const metrics: Migration = {
  async up(db: Kysely<unknown>) {
    const pg = isPostgres(db);
    const blob = pg ? sql`bytea` : sql`blob`;
    const end = pg ? sql`` : sql`without rowid`;
    await db.schema.createTable('metric_inbox')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('ts', 'bigint', (c) => c.notNull()) // unix seconds, a multiple of 10
      .addColumn('data', blob, (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_inbox_pk', ['instance_id', 'source', 'ts'])
      .modifyEnd(end)
      .execute();
    await db.schema.createTable('metric_chunks')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'integer', (c) => c.notNull())
      .addColumn('period', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull()) // unix seconds
      .addColumn('points', 'integer', (c) => c.notNull())
      .addColumn('data', blob, (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_chunks_pk', ['instance_id', 'metric', 'period', 'window_start'])
      .modifyEnd(end)
      .execute();
    await db.schema.createIndex('metric_chunks_expiry_idx').on('metric_chunks').columns(['period', 'window_start']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('metric_chunks').execute();
    await db.schema.dropTable('metric_inbox').execute();
  },
};
