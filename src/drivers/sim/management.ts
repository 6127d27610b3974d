/**
 * Management through the BMC: the next boot device, BMC accounts, the hardware inventory.
 *
 * - `setBootDevice` persists until changed (like a Redfish `BootSourceOverrideEnabled:
 *   Continuous`); setting the current device is an immediate no-op.
 * - BMC accounts are kept as a username, the SHA-256 of the password and a role — never the
 *   password. `ensureBmcAccount` creates or replaces one (an identical account is a no-op);
 *   `removeBmcAccount` of an absent one is a no-op. The admin account BMS drives the server
 *   with can be neither replaced nor removed through these calls: a tenant's account must
 *   never lock the control plane out (`failed`).
 * - `readInventory` reports the hardware as racked.
 */
import type { BmcAccount, BootDevice, ManagementInterface } from '../interfaces/hardware.ts';
import type { SimBmc, SimCall } from './bmc.ts';
import { sha256 } from './state.ts';

const BOOT_DEVICES: readonly BootDevice[] = ['disk', 'pxe', 'cdrom'];
const ROLES: ReadonlyArray<BmcAccount['role']> = ['Operator', 'ReadOnly', 'Administrator'];

export function simManagement(bmc: SimBmc): ManagementInterface {
  return {
    setBootDevice: (target, device) =>
      bmc.call(target, 'setBootDevice', async (call) => {
        if (!BOOT_DEVICES.includes(device)) throw call.failure(`unknown boot device ${JSON.stringify(device)}`);
        if (call.state.bootDevice === device) return;
        await call.pass('setBootDevice');
        await call.change((s) => {
          s.bootDevice = device;
        });
      }),

    ensureBmcAccount: (target, account) => bmc.call(target, 'ensureBmcAccount', (call) => ensureAccount(call, account)),

    removeBmcAccount: (target, username) =>
      bmc.call(target, 'removeBmcAccount', async (call) => {
        refuseAdmin(call, username);
        if (!call.state.bmc.accounts.some((a) => a.username === username)) return;
        await call.pass('bmcAccount');
        await call.change((s) => {
          s.bmc.accounts = s.bmc.accounts.filter((a) => a.username !== username);
        });
      }),

    readInventory: (target) =>
      bmc.call(target, 'readInventory', async (call) => {
        await call.pass('readInventory');
        return structuredClone(call.state.inventory);
      }),
  };
}

async function ensureAccount(call: SimCall, account: BmcAccount): Promise<void> {
  if (!account.username || !account.password) throw call.failure('a BMC account needs a username and a password');
  if (!ROLES.includes(account.role)) throw call.failure(`unknown BMC role ${JSON.stringify(account.role)}`);
  refuseAdmin(call, account.username);
  const record = { username: account.username, passwordSha256: sha256(account.password), role: account.role };
  const existing = call.state.bmc.accounts.find((a) => a.username === record.username);
  if (existing && existing.passwordSha256 === record.passwordSha256 && existing.role === record.role) return;
  await call.pass('bmcAccount');
  await call.change((s) => {
    s.bmc.accounts = [...s.bmc.accounts.filter((a) => a.username !== record.username), record];
  });
}

function refuseAdmin(call: SimCall, username: string): void {
  if (username === call.state.bmc.adminUsername) {
    throw call.failure(`the BMC admin account ${username} of server ${call.serverId} is reserved to the control plane`);
  }
}
