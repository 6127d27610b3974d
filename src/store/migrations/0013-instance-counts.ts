/**
 * Migration 0013: each account's number of live instances, kept by the database itself.
 *
 * An unfiltered DescribeInstances answers an exact TotalCount; counting a tenant's instances
 * walks an index entry per instance (~3 ms at 100k, on every page). `instance_counts` holds
 * the number instead, maintained by triggers on `instances` — in the same transaction as the
 * insert, the termination (`deleted_at` set) or a delete that changes it, whoever writes the
 * row — so it is exact whenever the instances are, crashes included. Triggers are written per
 * dialect (SQLite's trigger bodies, a PL/pgSQL function on PostgreSQL); the invariant checker
 * compares the counts with the rows.
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

const SQLITE_TRIGGERS = [
  sql`create trigger instance_counts_insert after insert on instances when new.deleted_at is null begin
    insert into instance_counts (account_uin, live) values (new.account_uin, 1)
      on conflict (account_uin) do update set live = live + 1;
  end`,
  sql`create trigger instance_counts_terminate after update of deleted_at on instances
    when old.deleted_at is null and new.deleted_at is not null begin
    update instance_counts set live = live - 1 where account_uin = new.account_uin;
  end`,
  sql`create trigger instance_counts_delete after delete on instances when old.deleted_at is null begin
    update instance_counts set live = live - 1 where account_uin = old.account_uin;
  end`,
];

const POSTGRES_TRIGGERS = [
  sql`create function instance_counts_keep() returns trigger language plpgsql as $$
  begin
    if tg_op = 'INSERT' then
      if new.deleted_at is null then
        insert into instance_counts (account_uin, live) values (new.account_uin, 1)
          on conflict (account_uin) do update set live = instance_counts.live + 1;
      end if;
    elsif tg_op = 'UPDATE' then
      if old.deleted_at is null and new.deleted_at is not null then
        update instance_counts set live = live - 1 where account_uin = new.account_uin;
      end if;
    elsif old.deleted_at is null then
      update instance_counts set live = live - 1 where account_uin = old.account_uin;
    end if;
    return null;
  end $$`,
  sql`create trigger instance_counts_keep after insert or update of deleted_at or delete on instances
    for each row execute function instance_counts_keep()`,
];

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

export const instanceCounts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('instance_counts')
      .addColumn('account_uin', 'text', (c) => c.primaryKey())
      .addColumn('live', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into instance_counts (account_uin, live)
      select account_uin, count(*) from instances where deleted_at is null group by account_uin`.execute(db);
    for (const statement of isPostgres(db) ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await statement.execute(db);
  },

  async down(db: Kysely<unknown>) {
    if (isPostgres(db)) {
      await sql`drop trigger instance_counts_keep on instances`.execute(db);
      await sql`drop function instance_counts_keep()`.execute(db);
    } else {
      for (const name of ['insert', 'terminate', 'delete']) await sql.raw(`drop trigger instance_counts_${name}`).execute(db);
    }
    await db.schema.dropTable('instance_counts').execute();
  },
};
