/**
 * Migration 0005: the physical fleet and what is sold on it.
 *
 * Zones hold switches; switches hold racks; racks hold servers. A server records its hardware
 * (SN, BMC address and sealed admin credentials, CPU, memory, disks, NIC ports), the flavor it
 * is sold as, and its pool state: `available` → `allocated` (to one instance) → `cleaning` →
 * `available`, or `maintenance` when an operator or a failed wipe takes it out of the pool.
 * Allocation is a conditional UPDATE (`… WHERE state = 'available'`), so two requests can
 * never take the same server, on SQLite or on many PostgreSQL nodes.
 *
 * Flavors live in one zone each; user-defined ones are bound to one tenant (`owner_uin`). OS
 * images are offered per flavor (`flavor_os_images`). `sim_hardware` is the simulated
 * datacenter's own state — what a real server would keep in its BMC and disks — so a lab
 * survives control-plane restarts like real hardware does.
 */
import type { Kysely, Migration } from 'kysely';

export const fleet: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('switches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('zone', 'text', (c) => c.notNull().references('zones.zone'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('switches_zone_name_key', ['zone', 'name'])
      .execute();

    await db.schema
      .createTable('racks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('zone', 'text', (c) => c.notNull())
      .addColumn('switch_id', 'text', (c) => c.notNull().references('switches.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('racks_zone_name_key', ['zone', 'name'])
      .execute();
    await db.schema.createIndex('racks_switch_id_idx').on('racks').column('switch_id').execute();

    await db.schema
      .createTable('flavors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('zone', 'text', (c) => c.notNull().references('zones.zone'))
      .addColumn('cpu', 'text', (c) => c.notNull())
      .addColumn('memory', 'text', (c) => c.notNull())
      .addColumn('system_disk', 'text', (c) => c.notNull())
      .addColumn('net_speed', 'text', (c) => c.notNull())
      .addColumn('cpu_arch', 'text', (c) => c.notNull())
      .addColumn('flavor_type', 'text', (c) => c.notNull())
      .addColumn('network_ports', 'integer', (c) => c.notNull())
      .addColumn('raid_types', 'text', (c) => c.notNull()) // JSON array of strings
      .addColumn('user_defined', 'integer', (c) => c.notNull())
      .addColumn('owner_uin', 'text') // user-defined flavors only
      .addColumn('sold_out', 'integer', (c) => c.notNull())
      .addColumn('hourly_price', 'text', (c) => c.notNull()) // decimal string, e.g. "12.50"
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('flavors_zone_name_key', ['zone', 'name'])
      .execute();

    await db.schema
      .createTable('os_images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('os_type', 'text', (c) => c.notNull()) // Linux | Windows | Other
      .addColumn('name', 'text', (c) => c.notNull()) // as sent in RunInstances.OperatingSystem
      .addColumn('cpu_arch', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('os_images_type_name_arch_key', ['os_type', 'name', 'cpu_arch'])
      .execute();

    await db.schema
      .createTable('flavor_os_images')
      .addColumn('flavor_id', 'text', (c) => c.notNull().references('flavors.id'))
      .addColumn('image_id', 'text', (c) => c.notNull().references('os_images.id'))
      .addPrimaryKeyConstraint('flavor_os_images_pk', ['flavor_id', 'image_id'])
      .execute();

    await db.schema
      .createTable('servers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sn', 'text', (c) => c.notNull().unique())
      .addColumn('zone', 'text', (c) => c.notNull())
      .addColumn('switch_id', 'text', (c) => c.notNull().references('switches.id'))
      .addColumn('rack_id', 'text', (c) => c.notNull().references('racks.id'))
      .addColumn('rack_unit', 'integer', (c) => c.notNull())
      .addColumn('hardware_type', 'text', (c) => c.notNull()) // sim | redfish
      .addColumn('bmc_address', 'text', (c) => c.notNull())
      .addColumn('bmc_username', 'text', (c) => c.notNull())
      .addColumn('bmc_password_enc', 'text', (c) => c.notNull()) // sealed by the master key
      .addColumn('cpu_model', 'text', (c) => c.notNull())
      .addColumn('cpu_cores', 'integer', (c) => c.notNull())
      .addColumn('cpu_arch', 'text', (c) => c.notNull())
      .addColumn('memory_gb', 'integer', (c) => c.notNull())
      .addColumn('disks', 'text', (c) => c.notNull()) // JSON [{type, sizeGb}]
      .addColumn('nic_ports', 'integer', (c) => c.notNull())
      .addColumn('flavor_id', 'text', (c) => c.references('flavors.id'))
      .addColumn('state', 'text', (c) => c.notNull()) // available | allocated | cleaning | maintenance
      .addColumn('maintenance_reason', 'text')
      .addColumn('instance_id', 'text', (c) => c.unique())
      .addColumn('power_state', 'text', (c) => c.notNull()) // on | off | unknown (last read)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('servers_pool_idx').on('servers').columns(['flavor_id', 'state', 'zone']).execute();
    await db.schema.createIndex('servers_rack_id_idx').on('servers').column('rack_id').execute();

    await db.schema
      .createTable('sim_hardware')
      .addColumn('server_id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull()) // JSON: power, boot device, RAID, OS, disks, BMC accounts, switch ports
      .addColumn('faults', 'text', (c) => c.notNull()) // JSON: injected faults
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const t of ['sim_hardware', 'servers', 'flavor_os_images', 'os_images', 'flavors', 'racks', 'switches']) {
      await db.schema.dropTable(t).execute();
    }
  },
};
