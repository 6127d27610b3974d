/**
 * Migration 0006: tenant networks.
 *
 * A VPC (one IPv4 CIDR, optionally an IPv6 one) holds subnets, each in one zone; a BMS subnet
 * (`is_bms`) holds only bare-metal instances. Every address handed out is one row of
 * `ip_allocations` whose primary key (subnet, address) is what makes a double allocation
 * impossible: the second INSERT fails. `address_num` is the IPv4 address as an integer, so
 * "the smallest free address" is an ordered scan.
 */
import type { Kysely, Migration } from 'kysely';

export const network: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('vpcs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull().references('accounts.uin'))
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('cidr', 'text', (c) => c.notNull())
      .addColumn('ipv6_cidr', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('vpcs_account_idx').on('vpcs').column('account_uin').execute();

    await db.schema
      .createTable('subnets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpcs.id'))
      .addColumn('zone', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('cidr', 'text', (c) => c.notNull())
      .addColumn('ipv6_cidr', 'text')
      .addColumn('is_bms', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('subnets_vpc_idx').on('subnets').column('vpc_id').execute();
    await db.schema.createIndex('subnets_account_idx').on('subnets').column('account_uin').execute();

    await db.schema
      .createTable('ip_allocations')
      .addColumn('subnet_id', 'text', (c) => c.notNull().references('subnets.id'))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('address_num', 'bigint', (c) => c.notNull())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull()) // primary | backup | vip | ipv6
      .addColumn('owner_id', 'text') // instance id
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ip_allocations_pk', ['subnet_id', 'address'])
      .execute();
    await db.schema.createIndex('ip_allocations_owner_idx').on('ip_allocations').column('owner_id').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['ip_allocations', 'subnets', 'vpcs']) await db.schema.dropTable(t).execute();
  },
};
