/**
 * How flows reach a server: its driver by hardware type, and its BMC target with the admin
 * password opened from the store (sealed with the master key; only ever in memory here).
 */
import type { HardwareDriver } from '../drivers/interfaces/hardware.ts';
import type { ServerAccess } from '../flows/deps.ts';
import type { SecretBox } from '../iam/secret-box.ts';
import type { Store } from '../store/store.ts';

export function serverAccess(store: Store, box: SecretBox, drivers: Record<string, HardwareDriver>): ServerAccess {
  return {
    async get(serverId) {
      const row = await store.db.selectFrom('servers').select(['id', 'sn', 'hardware_type', 'bmc_address', 'bmc_username', 'bmc_password_enc'])
        .where('id', '=', serverId).executeTakeFirst();
      if (!row) throw new Error(`server ${serverId} is not registered`);
      const driver = drivers[row.hardware_type];
      if (!driver) throw new Error(`server ${serverId}: no driver for hardware type ${row.hardware_type}`);
      return {
        driver,
        target: { serverId: row.id, sn: row.sn, bmc: { address: row.bmc_address, username: row.bmc_username, password: box.open(row.bmc_password_enc, row.id) } },
      };
    },
  };
}
