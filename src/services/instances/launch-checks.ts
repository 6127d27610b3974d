/**
 * RunInstances' checks, one function per rule of SPEC §5, each failing with the exact code and
 * the parameter it is about. They read; they change nothing.
 */
import { ApiError, invalidParameterValue, missingParameter } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { getSubnet, type Subnet } from '../../store/repos/subnets.ts';
import { getVpc, type Vpc } from '../../store/repos/vpcs.ts';
import { imageNamesOf, visibleFlavorRow, type FlavorRow } from '../../store/repos/instances.ts';
import type { Tx } from '../../store/store.ts';
import { checkPassword } from './login-rules.ts';

export type Flavor = FlavorRow;

/** A flavor the tenant may see: standard ones, and user-defined ones bound to it. */
export async function visibleFlavor(db: Tx, accountUin: string, rawId: string): Promise<Flavor> {
  const id = normalizeId(rawId);
  const flavor = await visibleFlavorRow(db, accountUin, id);
  if (!flavor) throw new ApiError('ResourceNotFound', { en: `The flavor ${rawId} does not exist.`, zh: `套餐 ${rawId} 不存在。` });
  return flavor;
}

export function checkFlavorForLaunch(flavor: Flavor, zone: string): void {
  if (flavor.zone !== zone) {
    throw invalidParameterValue('FlavorId', `${flavor.id} is sold in zone ${flavor.zone}, not in Placement.Zone ${zone}`, `${flavor.id} 属于可用区 ${flavor.zone}，而非 Placement.Zone 指定的 ${zone}`);
  }
  if (flavor.sold_out) {
    throw new ApiError('ResourceUnavailable', { en: `The flavor ${flavor.id} (${flavor.name}) is sold out.`, zh: `套餐 ${flavor.id}（${flavor.name}）已售罄。` });
  }
}

export async function checkOperatingSystem(db: Tx, flavor: Flavor, osType: string, osName: string): Promise<void> {
  const images = await imageNamesOf(db, flavor.id, osType);
  if (!images.includes(osName)) {
    const offered = images.join(', ') || '(none)';
    throw invalidParameterValue('OperatingSystem', `"${osName}" is not a ${osType} image of ${flavor.id}; offered: ${offered}`,
      `"${osName}" 不是套餐 ${flavor.id} 支持的 ${osType} 镜像；可选：${offered}`);
  }
}

export function checkRaidType(flavor: Flavor, raidType: string): void {
  const allowed = JSON.parse(flavor.raid_types) as string[];
  if (!allowed.includes(raidType)) {
    throw invalidParameterValue('RaidType', `"${raidType}" is not offered by ${flavor.id}; choose one of ${allowed.join(', ')}`,
      `套餐 ${flavor.id} 不支持 "${raidType}"，可选：${allowed.join('、')}`);
  }
}

/** Standard flavors need a password; a user-defined machine may keep its own login. */
export function checkLoginPassword(flavor: Flavor, password: string | undefined): string | undefined {
  if (password === undefined || password === '') {
    if (!flavor.user_defined) throw missingParameter('LoginSettings.Password');
    return undefined;
  }
  checkPassword('LoginSettings.Password', password);
  return password;
}

export async function launchNetwork(
  db: Tx, accountUin: string, region: string, zone: string, vpcId: string, subnetId: string,
): Promise<{ vpc: Vpc; subnet: Subnet }> {
  const scope = { accountUin, region };
  const vpc = await getVpc(db, scope, normalizeId(vpcId));
  if (!vpc) throw new ApiError('ResourceNotFound', { en: `The VPC ${vpcId} does not exist.`, zh: `私有网络 ${vpcId} 不存在。` });
  const subnet = await getSubnet(db, scope, normalizeId(subnetId));
  if (!subnet) throw new ApiError('ResourceNotFound', { en: `The subnet ${subnetId} does not exist.`, zh: `子网 ${subnetId} 不存在。` });
  const path = 'VirtualPrivateCloud.SubnetId';
  if (subnet.vpcId !== vpc.id) throw invalidParameterValue(path, `${subnet.id} belongs to ${subnet.vpcId}, not to ${vpc.id}`, `${subnet.id} 属于 ${subnet.vpcId}，而非 ${vpc.id}`);
  if (!subnet.isBms) throw invalidParameterValue(path, `${subnet.id} is not a BMS subnet; bare-metal instances need one`, `${subnet.id} 不是 BMS 子网，裸金属实例必须使用 BMS 子网`);
  if (subnet.zone !== zone) throw invalidParameterValue(path, `${subnet.id} is in zone ${subnet.zone}, not in Placement.Zone ${zone}`, `${subnet.id} 位于可用区 ${subnet.zone}，而非 ${zone}`);
  return { vpc, subnet };
}
