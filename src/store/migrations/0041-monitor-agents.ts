/**
 * Migration 0041: each instance's monitoring-agent credential. Only a SHA-256 of the token is
 * kept (the token itself goes to the server once, in its install config); it is replaced at a
 * reinstall and the row deleted when the instance is returned, after which the agent's pushes
 * are refused.
 */
import type { Kysely, Migration } from 'kysely';

export const monitorAgents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('monitor_agents')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('token_sha256', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('rotated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('monitor_agents').execute();
  },
};
