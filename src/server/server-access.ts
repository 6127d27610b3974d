/**
 * How flows reach a server: its driver by hardware type, and its BMC target with the admin
 * password opened from the store (sealed with the master key; only ever in memory here).
 */
import type { HardwareDriver } from '../drivers/interfaces/hardware.ts';
import type { ServerAccess } from '../flows/deps.ts';
import type { SecretBox } from '../iam/secret-box.ts';
import { getBmcAccess } from '../store/repos/fleet-servers.ts';
import type { Store } from '../store/store.ts';

export function serverAccess(store: Store, box: SecretBox, drivers: Record<string, HardwareDriver>): ServerAccess {
  return {
    async get(serverId) {
      const row = await getBmcAccess(store.db, serverId);
      if (!row) throw new Error(`server ${serverId} is not registered`);
      const driver = drivers[row.hardwareType];
      if (!driver) throw new Error(`server ${serverId}: no driver for hardware type ${row.hardwareType}`);
      return {
        driver,
        target: { serverId: row.id, sn: row.sn, bmc: { address: row.bmcAddress, username: row.bmcUsername, password: box.open(row.bmcPasswordEnc, row.id) } },
      };
    },
  };
}
