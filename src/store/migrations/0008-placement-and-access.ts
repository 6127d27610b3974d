/**
 * Migration 0008: what makes bare metal more than a server with an OS — spread placement
 * groups, heartbeat VLAN groups (with the VLAN ranges operators give each zone and the switch
 * port settings applied), public IPs (the operator's pool and the tenants' EIPs), out-of-band
 * mappings, tenant-scoped BMC accounts (password sealed) and the audit of every secret read.
 */
import type { Kysely, Migration } from 'kysely';

export const placementAndAccess: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('placement_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull()) // RACK | RACK_SAME_SW
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('placement_groups_account_idx').on('placement_groups').column('account_uin').execute();

    await db.schema.createTable('vlan_ranges')
      .addColumn('zone', 'text', (c) => c.primaryKey())
      .addColumn('first_vlan', 'integer', (c) => c.notNull())
      .addColumn('last_vlan', 'integer', (c) => c.notNull())
      .execute();

    await db.schema.createTable('heartbeat_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('vlan_id', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('heartbeat_groups_region_vlan_key', ['region', 'vlan_id'])
      .execute();
    await db.schema.createIndex('heartbeat_groups_account_idx').on('heartbeat_groups').column('account_uin').execute();

    await db.schema.createTable('heartbeat_members')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull().references('heartbeat_groups.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('heartbeat_members_group_idx').on('heartbeat_members').column('group_id').execute();

    await db.schema.createTable('switch_ports')
      .addColumn('server_id', 'text', (c) => c.primaryKey())
      .addColumn('heartbeat_vlan', 'integer')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('eip_pool')
      .addColumn('address', 'text', (c) => c.primaryKey())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('isp', 'text', (c) => c.notNull()) // CTCC | CUCC | CMCC | BGP
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('eips')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull().unique().references('eip_pool.address'))
      .addColumn('isp', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('bandwidth', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'text')
      .addColumn('private_ip', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('eips_account_idx').on('eips').column('account_uin').execute();
    await db.schema.createIndex('eips_instance_idx').on('eips').column('instance_id').execute();

    await db.schema.createTable('outband_mappings')
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('vpc_id', 'text', (c) => c.notNull())
      .addColumn('subnet_id', 'text', (c) => c.notNull())
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('vip', 'text', (c) => c.notNull())
      .addColumn('ports', 'text', (c) => c.notNull()) // JSON [{service, vport, port}]
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('outband_mappings_pk', ['instance_id', 'vpc_id'])
      .execute();

    await db.schema.createTable('bmc_accounts')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('server_id', 'text', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('password_enc', 'text', (c) => c.notNull()) // sealed by the master key, context = instance id
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('secret_reads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull()) // bmc-account | api-key | …
      .addColumn('account_uin', 'text', (c) => c.notNull())
      .addColumn('user_uin', 'text', (c) => c.notNull())
      .addColumn('secret_id', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('secret_reads_account_idx').on('secret_reads').columns(['account_uin', 'at']).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['secret_reads', 'bmc_accounts', 'outband_mappings', 'eips', 'eip_pool', 'switch_ports', 'heartbeat_members',
      'heartbeat_groups', 'vlan_ranges', 'placement_groups']) await db.schema.dropTable(t).execute();
  },
};
