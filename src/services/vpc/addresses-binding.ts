/**
 * Binding EIPs to instances: AssociateAddress and DisassociateAddress.
 *
 * Binding an EIP maps it to one private IPv4 address of a bare-metal instance — its primary
 * address by default, or one of its backup IPs — and an address holds at most one EIP, as on
 * Tencent. Only an unbound EIP binds, and only to a RUNNING or STOPPED instance of the
 * request's region (a launch binds its own EIPs while PENDING; see instances/public-ips.ts).
 *
 * AssociateAddress takes the instance row's lock first, then the EIP's: two binds onto one
 * address serialise on the instance and the second sees the first's EIP; a bind racing a
 * TerminateInstances either commits before the instance turns TERMINATING (and the return
 * unbinds it) or sees TERMINATING and is refused. Another tenant's instance or EIP is
 * ResourceNotFound, word for word as one that never existed.
 */
import type { AssociateAddressRequest, DisassociateAddressRequest } from '../../generated/vpc.ts';
import { invalidParameterValue, resourceNotFound } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { bindEip, eipOnAddress, unbindEip, type EipScope } from '../../store/repos/eips.ts';
import type { Store, Tx } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { addressHasEip, alreadyBound, eipIdParam, instanceStateForEip, notBound, notInstanceAddress } from './addresses-errors.ts';
import { lockOwn } from './addresses.ts';
import { scopeOf } from './params.ts';
import { lockOwnInstanceInRegion } from '../../store/repos/instances.ts';
import { listByOwner } from '../../store/repos/ip-allocations.ts';

/** Instance states an EIP may be bound in (Tencent: RUNNING or STOPPED). */
export const BINDABLE_STATES = ['RUNNING', 'STOPPED'];

export function associateAddress(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as AssociateAddressRequest;
    const eipId = eipIdParam('AddressId', p.AddressId);
    const instanceId = instanceIdParam(p.InstanceId);
    const scope = scopeOf(ctx);
    await store.transaction(async (tx) => {
      const instance = await lockInstance(tx, scope, instanceId);
      if (!BINDABLE_STATES.includes(instance.status)) throw instanceStateForEip(instanceId, instance.status);
      const privateIp = await privateAddress(tx, instanceId, instance.privateIp, p.PrivateIpAddress);
      const [eip] = await lockOwn(tx, scope, [eipId]);
      if (eip!.instanceId !== null) throw alreadyBound(eip!);
      const other = await eipOnAddress(tx, instanceId, privateIp);
      if (other) throw addressHasEip(instanceId, privateIp, other);
      if (!(await bindEip(tx, eipId, { instanceId, privateIp }, ctx.now))) throw new Error(`EIP ${eipId} changed under its lock`);
    });
    return {};
  };
}

export function disassociateAddress(store: Store): Handler {
  return async (ctx, params) => {
    const eipId = eipIdParam('AddressId', (params as unknown as DisassociateAddressRequest).AddressId);
    await store.transaction(async (tx) => {
      const [eip] = await lockOwn(tx, scopeOf(ctx), [eipId]);
      if (eip!.instanceId === null) throw notBound(eip!);
      await unbindEip(tx, eipId, ctx.now);
    });
    return {};
  };
}

function instanceIdParam(raw: string): string {
  const id = normalizeId(raw.trim());
  if (!/^bms-[0-9a-z]{8}$/.test(id)) {
    throw invalidParameterValue('InstanceId', `"${raw}" is not an instance ID (bms-xxxxxxxx)`, `"${raw}" 不是合法的实例 ID（bms-xxxxxxxx）`);
  }
  return id;
}

/**
 * Holds the caller's live instance's row lock (a no-op UPDATE) and reads it; ResourceNotFound
 * when it is not the caller's, is gone, or lies outside the request's region.
 */
async function lockInstance(tx: Tx, scope: EipScope, id: string): Promise<{ status: string; privateIp: string | null }> {
  const row = await lockOwnInstanceInRegion(tx, scope.accountUin, scope.region, id);
  if (!row) throw resourceNotFound('instance', id);
  return row;
}

/** The private address to bind: the one asked for (the instance's primary or a backup IP), else the primary. */
async function privateAddress(tx: Tx, instanceId: string, primary: string | null, asked: string | undefined): Promise<string> {
  const held = (await listByOwner(tx, instanceId)).filter((a) => a.kind === 'primary' || a.kind === 'backup').sort((a, b) => a.addressNum - b.addressNum);
  const addresses = held.map((h) => h.address);
  const wanted = asked?.trim() ?? primary;
  if (wanted === null || !addresses.includes(wanted)) throw notInstanceAddress(instanceId, wanted ?? '(none)', addresses);
  return wanted;
}
