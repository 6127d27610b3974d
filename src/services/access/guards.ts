/**
 * What every access action checks first: the tenant's own instance (held for the
 * transaction), its status, and the tenant's own VPC and subnet.
 *
 * The instance row is locked with a no-op UPDATE before it is read (as `lockVpc` does): a
 * concurrent TerminateInstances — whose gate write waits for the lock — then either sees what
 * this action added and releases it, or has already moved the instance on, which this
 * action sees and refuses. Without the lock, a VIP or backup IP could be added after the
 * return's release step and leak (PostgreSQL; SQLite serialises writers anyway).
 */
import { normalizeId } from '../../shared/ids.ts';
import { getSubnet, type Subnet } from '../../store/repos/subnets.ts';
import { getVpc, type Vpc, type VpcScope } from '../../store/repos/vpcs.ts';
import { lockOwnInstanceRow, type InstanceRow } from '../../store/repos/instances.ts';
import type { Tx } from '../../store/store.ts';
import { ownInstances } from '../instances/lookups.ts';
import { subnetNotFound, vpcNotFound, wrongState } from './errors.ts';

export type Instance = InstanceRow;

/** The tenant's live instance `rawId`, its row locked until the transaction ends; ResourceNotFound otherwise. */
export async function lockOwnInstance(tx: Tx, accountUin: string, rawId: string): Promise<Instance> {
  const id = normalizeId(rawId);
  await lockOwnInstanceRow(tx, accountUin, id);
  const [row] = await ownInstances(tx, accountUin, [id]);
  return row!;
}

export function requireStatus(row: Instance, action: string, allowed: readonly string[]): void {
  if (!allowed.includes(row.status)) throw wrongState(row.id, row.status, action, allowed);
}

export async function ownVpc(tx: Tx, scope: VpcScope, rawId: string): Promise<Vpc> {
  const vpc = await getVpc(tx, scope, normalizeId(rawId));
  if (!vpc) throw vpcNotFound(rawId);
  return vpc;
}

export async function ownSubnet(tx: Tx, scope: VpcScope, rawId: string): Promise<Subnet> {
  const subnet = await getSubnet(tx, scope, normalizeId(rawId));
  if (!subnet) throw subnetNotFound(rawId);
  return subnet;
}
