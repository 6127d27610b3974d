/**
 * Backup IPs (备用IP): secondary private addresses of an instance, e.g. a floating address a
 * database cluster moves between its nodes.
 *
 * - CreateBackupIP adds one: the address asked for (in the subnet, assignable, free) or the
 *   smallest free one, from the instance's subnet or another BMS subnet of its VPC and zone.
 *   It is an `ip_allocations` row of kind 'backup' owned by the instance, which is what the
 *   install config of a later reinstall reads (flows/network-info.ts) and what a return
 *   releases.
 * - ReturnBackupIP releases one — or, with OverlayIp (one of its backup IPs), makes that the
 *   new primary and releases the old primary named by BackupIP: the allocation kinds, the
 *   instance's recorded address (and subnet) and an EIP bound to the old primary all move in
 *   one transaction.
 *
 * Both need the instance RUNNING or STOPPED. `PrivateIpAddresses` (DescribeInstances) lists the
 * primary first, then the backups.
 */
import type { Tx } from '../../store/store.ts';
import type { CreateBackupIPRequest, ReturnBackupIPRequest } from '../../generated/bms.ts';
import { formatIpv4, parseIpv4 } from '../../network/ipam.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { allocateAddresses, listByOwner, markPrimary, releaseAddress, type IpAllocation } from '../../store/repos/ip-allocations.ts';
import { movePrimaryAddress } from '../../store/repos/instances.ts';
import { listSubnetsOfVpc, type Subnet } from '../../store/repos/subnets.ts';
import type { BmsServiceDeps } from '../bms-deps.ts';
import type { CallContext, Handler } from '../types.ts';
import { allocationError, notIpv4, subnetNotFound, tooManyBackupIps } from './errors.ts';
import { lockOwnInstance, ownSubnet, requireStatus, type Instance } from './guards.ts';

/** The most backup IPs one instance may hold. */
export const MAX_BACKUP_IPS = 10;
const BACKUP_STATES = ['RUNNING', 'STOPPED'] as const;

export function createBackupIp(deps: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateBackupIPRequest;
    const address = await deps.store.transaction(async (tx) => {
      const inst = await lockOwnInstance(tx, ctx.principal.accountUin, p.InstanceId);
      requireStatus(inst, 'CreateBackupIP', BACKUP_STATES);
      const subnet = await backupSubnet(tx, ctx, inst, p.SubnetId);
      const held = await listByOwner(tx, inst.id);
      if (held.filter((a) => a.kind === 'backup').length >= MAX_BACKUP_IPS) throw tooManyBackupIps(inst.id, MAX_BACKUP_IPS);
      const requested = p.BackupIP === undefined ? undefined : [p.BackupIP.trim()];
      const got = await allocateAddresses(tx, subnet, 1, { kind: 'backup', ownerId: inst.id }, ctx.now, requested);
      if (!got.ok) {
        const ours = got.reason === 'taken' && held.some((a) => a.subnetId === subnet.id && a.address === got.address);
        throw allocationError(got, 'BackupIP', subnet, ours ? inst.id : undefined);
      }
      return got.addresses[0]!;
    });
    return { BackupIP: address };
  };
}

/** The instance's own subnet, or the given one if it is a BMS subnet of the instance's VPC and zone. */
async function backupSubnet(tx: Tx, ctx: CallContext, inst: Instance, rawSubnetId: string | undefined): Promise<Subnet> {
  if (rawSubnetId === undefined) {
    const own = (await listSubnetsOfVpc(tx, inst.vpc_id)).find((s) => s.id === inst.subnet_id);
    if (!own) throw subnetNotFound(inst.subnet_id);
    return own;
  }
  const subnet = await ownSubnet(tx, { accountUin: ctx.principal.accountUin, region: ctx.region }, rawSubnetId);
  if (subnet.vpcId !== inst.vpc_id) {
    throw invalidParameterValue('SubnetId', `${subnet.id} belongs to ${subnet.vpcId}, not to ${inst.vpc_id}, the VPC of ${inst.id}`,
      `${subnet.id} 属于 ${subnet.vpcId}，而非实例 ${inst.id} 所在的私有网络 ${inst.vpc_id}`);
  }
  if (subnet.zone !== inst.zone) {
    throw invalidParameterValue('SubnetId', `${subnet.id} is in zone ${subnet.zone}, not in ${inst.zone}, the zone of ${inst.id}`,
      `${subnet.id} 位于可用区 ${subnet.zone}，而非实例 ${inst.id} 所在的 ${inst.zone}`);
  }
  if (!subnet.isBms) {
    throw invalidParameterValue('SubnetId', `${subnet.id} is not a BMS subnet; a bare-metal instance's addresses come from one`,
      `${subnet.id} 不是 BMS 子网，裸金属实例的地址须来自 BMS 子网`);
  }
  return subnet;
}

export function returnBackupIp(deps: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ReturnBackupIPRequest;
    const backupIp = canonical('BackupIP', p.BackupIP);
    const overlayIp = p.OverlayIp === undefined ? undefined : canonical('OverlayIp', p.OverlayIp);
    await deps.store.transaction(async (tx) => {
      const inst = await lockOwnInstance(tx, ctx.principal.accountUin, p.InstanceId);
      requireStatus(inst, 'ReturnBackupIP', BACKUP_STATES);
      const held = await listByOwner(tx, inst.id);
      if (overlayIp === undefined) await releaseBackup(tx, inst, held, backupIp);
      else await swapPrimary(tx, inst, held, backupIp, overlayIp, ctx.now);
    });
    return {};
  };
}

function canonical(path: string, value: string): string {
  const n = parseIpv4(value.trim());
  if (n === undefined) throw notIpv4(path, value);
  return formatIpv4(n);
}

/** The instance's private address (primary or backup) `address`, if it has it. */
const privateAddress = (held: IpAllocation[], address: string) =>
  held.find((a) => (a.kind === 'primary' || a.kind === 'backup') && a.address === address);

async function releaseBackup(tx: Tx, inst: Instance, held: IpAllocation[], address: string): Promise<void> {
  const mine = privateAddress(held, address);
  if (mine?.kind === 'primary') {
    throw invalidParameterValue('BackupIP', `${address} is the primary IP of ${inst.id}; to give it up, name one of its backup IPs as OverlayIp to become the new primary`,
      `${address} 是实例 ${inst.id} 的主 IP；如需退还，请以 OverlayIp 指定一个备用 IP 作为新的主 IP`);
  }
  if (!mine) {
    const vip = held.some((a) => a.kind === 'vip' && a.address === address);
    throw vip
      ? invalidParameterValue('BackupIP', `${address} is an out-of-band VIP of ${inst.id}, not a backup IP; DeleteOutbandIP releases it`,
        `${address} 是实例 ${inst.id} 的带外映射 IP，而非备用 IP，请用 DeleteOutbandIP 删除`)
      : invalidParameterValue('BackupIP', `${address} is not a backup IP of ${inst.id}`, `${address} 不是实例 ${inst.id} 的备用 IP`);
  }
  await releaseAddress(tx, mine.subnetId, mine.address);
}

async function swapPrimary(tx: Tx, inst: Instance, held: IpAllocation[], oldIp: string, newIp: string, now: number): Promise<void> {
  const old = privateAddress(held, oldIp);
  const primary = held.find((a) => a.kind === 'primary')?.address ?? inst.private_ip ?? '(none)';
  if (old?.kind === 'backup') {
    throw invalidParameterValue('BackupIP', `${oldIp} is a backup IP of ${inst.id}, not its primary IP ${primary}; with OverlayIp, BackupIP names the primary IP to release`,
      `${oldIp} 是实例 ${inst.id} 的备用 IP，而非主 IP ${primary}；指定 OverlayIp 时，BackupIP 应为要退还的主 IP`);
  }
  if (!old) throw invalidParameterValue('BackupIP', `${oldIp} is not the primary IP of ${inst.id} (${primary})`, `${oldIp} 不是实例 ${inst.id} 的主 IP（${primary}）`);
  if (newIp === oldIp) throw invalidParameterValue('OverlayIp', `it must be one of the backup IPs of ${inst.id}, not its primary IP ${oldIp}`, `应为实例 ${inst.id} 的备用 IP，而非其主 IP ${oldIp}`);
  const next = privateAddress(held, newIp);
  if (!next) throw invalidParameterValue('OverlayIp', `${newIp} is not a backup IP of ${inst.id}`, `${newIp} 不是实例 ${inst.id} 的备用 IP`);
  await markPrimary(tx, next.subnetId, next.address);
  await releaseAddress(tx, old.subnetId, old.address);
  await movePrimaryAddress(tx, inst.id, next, old.address, now); // an EIP bound to the old primary follows it
}
