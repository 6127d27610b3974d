/**
 * Migration 0007: instances and the durable work done on them.
 *
 * `instances.status` is written only by the lifecycle gate. A terminated instance keeps its row
 * with `deleted_at` set (for billing and audit) and leaves every listing. `run_requests`
 * remembers RunInstances ClientTokens per account so a retried launch returns the first result.
 *
 * `tasks` are long operations: a flow name, its steps with progress (`steps` JSON), a lease
 * (`lease_owner`, `lease_expires_at`) held by the worker running it, and `next_run_at` for
 * backoff. `locks` are named exclusive locks with an expiry ("server:<id>" — one operation per
 * BMC at a time). `sequences` hands out TaskIds.
 */
import type { Kysely, Migration } from 'kysely';

export const instances: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull().references('accounts.uin'))
      .addColumn('zone', 'text', (c) => c.notNull())
      .addColumn('flavor_id', 'text', (c) => c.notNull())
      .addColumn('server_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('host_name', 'text', (c) => c.notNull())
      .addColumn('os_type', 'text', (c) => c.notNull())
      .addColumn('os_name', 'text', (c) => c.notNull())
      .addColumn('cpu_arch', 'text', (c) => c.notNull())
      .addColumn('raid_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('vpc_id', 'text', (c) => c.notNull())
      .addColumn('subnet_id', 'text', (c) => c.notNull())
      .addColumn('private_ip', 'text')
      .addColumn('password_hash', 'text') // SHA-512 crypt, for the installer only
      .addColumn('enhanced_service', 'text', (c) => c.notNull()) // JSON
      .addColumn('user_defined', 'integer', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('error', 'text') // why the last operation failed (CREATE_FAILED reason)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    for (const cols of [['account_uin', 'deleted_at', 'created_at'], ['account_uin', 'status'], ['account_uin', 'private_ip'],
      ['account_uin', 'vpc_id'], ['account_uin', 'subnet_id'], ['account_uin', 'zone'], ['account_uin', 'name'], ['server_id']]) {
      await db.schema.createIndex(`instances_${cols.join('_')}_idx`).on('instances').columns(cols).execute();
    }

    await db.schema
      .createTable('instance_tags')
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id'))
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_tags_pk', ['instance_id', 'tag_key'])
      .execute();
    await db.schema.createIndex('instance_tags_kv_idx').on('instance_tags').columns(['tag_key', 'tag_value']).execute();

    await db.schema
      .createTable('run_requests')
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('client_token', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull()) // JSON {TaskId, BmsId}
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_requests_pk', ['account_uin', 'client_token'])
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text')
      .addColumn('server_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull()) // RUNNING | SUCCESS | FAILED
      .addColumn('steps', 'text', (c) => c.notNull()) // JSON [{name, status, startedAt, finishedAt, attempts, error}]
      .addColumn('step_index', 'integer', (c) => c.notNull())
      .addColumn('context', 'text', (c) => c.notNull()) // JSON, never a secret in clear
      .addColumn('error', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('next_run_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('tasks_runnable_idx').on('tasks').columns(['status', 'next_run_at']).execute();
    await db.schema.createIndex('tasks_instance_idx').on('tasks').column('instance_id').execute();
    await db.schema.createIndex('tasks_account_idx').on('tasks').columns(['account_uin', 'id']).execute();

    await db.schema
      .createTable('locks')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sequences')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['sequences', 'locks', 'tasks', 'run_requests', 'instance_tags', 'instances']) await db.schema.dropTable(t).execute();
  },
};
