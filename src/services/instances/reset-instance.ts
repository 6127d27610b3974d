/**
 * ResetInstance (reinstall): a new OS, RAID layout and password on the same server, addresses
 * and public IP. Refused for user-defined flavors — their machines are handed over as they are.
 */
import type { ResetInstanceRequest } from '../../generated/bms.ts';
import { applyEvent } from '../../lifecycle/gate.ts';
import { unsupportedOperation } from '../../shared/errors.ts';
import type { Handler } from '../types.ts';
import { createTasks, type InstanceServiceDeps } from './deps.ts';
import { checkLoginPassword, checkOperatingSystem, checkRaidType } from './launch-checks.ts';
import { shadowPasswordHash } from './login-rules.ts';
import { distinctIds, ownInstances } from './lookups.ts';
import { flavorRow } from '../../store/repos/instances.ts';

export function resetInstance(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ResetInstanceRequest;
    const [id] = distinctIds('InstanceId', [p.InstanceId]);
    const [row] = await ownInstances(deps.store.db, ctx.principal.accountUin, [id!]);
    if (row!.user_defined) {
      throw unsupportedOperation(`The instance ${row!.id} uses a user-defined flavor; its machine cannot be reinstalled through the API.`,
        `实例 ${row!.id} 使用自定义套餐，不支持通过 API 重装。`);
    }
    const flavor = await flavorRow(deps.store.db, row!.flavor_id);
    if (!flavor) throw new Error(`the flavor ${row!.flavor_id} of ${row!.id} is missing`);
    await checkOperatingSystem(deps.store.db, flavor, p.OperatingSystemType, p.OperatingSystem);
    checkRaidType(flavor, p.RaidType);
    const password = checkLoginPassword(flavor, p.LoginSettings.Password ?? undefined);
    const taskIds = await deps.store.transaction(async (tx) => {
      await applyEvent(tx, [row!.id], 'reset', ctx.now, { logger: deps.logger });
      await tx.updateTable('instances').set({
        os_type: p.OperatingSystemType, os_name: p.OperatingSystem, raid_type: p.RaidType,
        password_hash: password ? shadowPasswordHash(password) : null,
        ...(p.EnhancedService ? { enhanced_service: JSON.stringify(p.EnhancedService) } : {}),
      }).where('id', '=', row!.id).execute();
      return createTasks(tx, ctx.principal.accountUin, [{ action: 'ResetInstance', flow: 'reinstall', instanceId: row!.id, serverId: row!.server_id }], ctx.now);
    });
    deps.scheduler.poke();
    return { TaskId: taskIds };
  };
}
