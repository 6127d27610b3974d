/**
 * Migration 0002: where resources live.
 *
 * Regions contain zones. A zone has a textual id (`ap-guangzhou-3`) and the numeric `zone_id`
 * that Tencent's API also returns (e.g. 100003); both are unique. `state` is the wire value
 * (`AVAILABLE` / `UNAVAILABLE`), stored as text.
 */
import type { Kysely, Migration } from 'kysely';

export const regions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('regions')
      .addColumn('region', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('zones')
      .addColumn('zone', 'text', (c) => c.primaryKey())
      .addColumn('region', 'text', (c) => c.notNull().references('regions.region'))
      .addColumn('zone_id', 'bigint', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('zones').execute();
    await db.schema.dropTable('regions').execute();
  },
};
