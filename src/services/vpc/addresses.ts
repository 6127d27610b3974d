/**
 * EIPs (elastic public IPs): AllocateAddresses, ModifyAddressesBandwidth, ReleaseAddresses.
 *
 * An EIP is a public IPv4 address of the operator's pool (per region, per line/ISP — see
 * fleet/eip-pool.ts) allocated to an account; it stays the account's until released, and can
 * be bound to an instance's private address (addresses-binding.ts). Allocation takes free pool
 * addresses race-free (store/repos/eips.ts) — several at once, all or none; an empty line is
 * ResourceInsufficient naming the line and what is left.
 *
 * The batch actions check every EIP first, under its row lock, and change nothing when one is
 * missing (or someone else's) or, for a release, still bound. Bandwidth is billed by traffic on
 * the EIP side (SPEC §8), so changing it touches only the EIP.
 */
import type { AllocateAddressesRequest, ModifyAddressesBandwidthRequest, ReleaseAddressesRequest } from '../../generated/vpc.ts';
import { newId } from '../../shared/ids.ts';
import { allocateEips, lockEips, releaseUnbound, setBandwidth, type Eip, type EipScope } from '../../store/repos/eips.ts';
import type { Store, Tx } from '../../store/store.ts';
import type { Handler } from '../types.ts';
import { boundCannotBeReleased, eipIdListParam, eipNotFound, poolExhausted } from './addresses-errors.ts';
import { scopeOf } from './params.ts';

export const DEFAULT_ISP = 'BGP';
export const DEFAULT_ADDRESS_NAME = '未命名';

export function allocateAddresses(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as AllocateAddressesRequest;
    const scope = scopeOf(ctx);
    const isp = p.InternetServiceProvider ?? DEFAULT_ISP;
    const count = p.AddressCount ?? 1;
    const specs = Array.from({ length: count }, () => ({ id: newId('eip'), name: p.AddressName ?? DEFAULT_ADDRESS_NAME }));
    const result = await store.transaction((tx) => allocateEips(tx, { scope, isp, bandwidth: p.InternetMaxBandwidthOut ?? 1, eips: specs, now: ctx.now }));
    if (!result.ok) throw poolExhausted(scope.region, result.isp, result.wanted, result.free);
    return { AddressSet: result.eips.map((e) => e.id) };
  };
}

export function modifyAddressesBandwidth(store: Store): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyAddressesBandwidthRequest;
    const ids = eipIdListParam('AddressIds', p.AddressIds);
    await store.transaction(async (tx) => {
      await lockOwn(tx, scopeOf(ctx), ids);
      await setBandwidth(tx, scopeOf(ctx), ids, p.InternetMaxBandwidthOut, ctx.now);
    });
    return {};
  };
}

export function releaseAddresses(store: Store): Handler {
  return async (ctx, params) => {
    const ids = eipIdListParam('AddressIds', (params as unknown as ReleaseAddressesRequest).AddressIds);
    await store.transaction(async (tx) => {
      const eips = await lockOwn(tx, scopeOf(ctx), ids);
      const bound = eips.find((e) => e.instanceId !== null);
      if (bound) throw boundCannotBeReleased(bound);
      await releaseUnbound(tx, scopeOf(ctx), ids);
    });
    return {};
  };
}

/** Locks the caller's EIPs, in the order given; ResourceNotFound for the first that is not the caller's. */
export async function lockOwn(tx: Tx, scope: EipScope, ids: readonly string[]): Promise<Eip[]> {
  const found = new Map((await lockEips(tx, scope, ids)).map((e) => [e.id, e]));
  return ids.map((id) => found.get(id) ?? (() => { throw eipNotFound(id); })());
}
