/**
 * The vpc service's errors, in English and Chinese, each naming its culprit.
 *
 * Every one is a public code of the catalog (src/shared/errors.ts); the message carries the
 * precision — which parameter, which resource, which limit. IPAM reports problems as data
 * (src/network/ipam.ts); this module turns them into words.
 */
import type { CidrParse, Ipv6CidrParse, SubnetCidrProblem, VpcCidrProblem } from '../../network/ipam.ts';
import { ApiError, invalidParameterValue, resourceNotFound, unsupportedOperation } from '../../shared/errors.ts';

export const vpcNotFound = (id: string) => resourceNotFound('VPC', id);
export const subnetNotFound = (id: string) => resourceNotFound('subnet', id);

export const malformedId = (path: string, id: string, prefix: 'vpc' | 'subnet') =>
  invalidParameterValue(path, `"${id}" is not a ${prefix === 'vpc' ? 'VPC' : 'subnet'} ID (${prefix}-xxxxxxxx)`,
    `"${id}" 不是合法的${prefix === 'vpc' ? '私有网络' : '子网'} ID（${prefix}-xxxxxxxx）`);

/** A CIDR that does not parse (malformed or with host bits set). */
export function badCidr(
  path: string, text: string, parsed: Exclude<CidrParse | Ipv6CidrParse, { ok: true }>, example = '10.0.0.0/16',
): ApiError {
  if (parsed.problem === 'host-bits') {
    return invalidParameterValue(path, `"${text}" has host bits set; did you mean ${parsed.canonical}?`,
      `"${text}" 的主机位不为 0，是否应为 ${parsed.canonical}？`);
  }
  return invalidParameterValue(path, `"${text}" is not a CIDR block such as ${example}`, `"${text}" 不是合法的 CIDR 网段（例如 ${example}）`);
}

export function badVpcCidr(text: string, problem: VpcCidrProblem): ApiError {
  if (problem.problem === 'prefix') {
    return invalidParameterValue('CidrBlock', `a VPC block must be /${problem.min} to /${problem.max}, got ${text}`,
      `VPC 网段的掩码须在 /${problem.min} 到 /${problem.max} 之间，实际为 ${text}`);
  }
  return invalidParameterValue('CidrBlock', `${text} is not inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`,
    `${text} 不在私有网段（10.0.0.0/8、172.16.0.0/12、192.168.0.0/16）之内`);
}

export function badSubnetCidr(text: string, vpc: { id: string; cidr: string }, problem: SubnetCidrProblem): ApiError {
  if (problem.problem === 'prefix') {
    return invalidParameterValue('CidrBlock', `a subnet block must be /${problem.min} to /${problem.max}, got ${text}`,
      `子网网段的掩码须在 /${problem.min} 到 /${problem.max} 之间，实际为 ${text}`);
  }
  return invalidParameterValue('CidrBlock', `${text} is not inside the block ${vpc.cidr} of VPC ${vpc.id}`,
    `${text} 不在 VPC ${vpc.id} 的网段 ${vpc.cidr} 之内`);
}

export const subnetOverlap = (text: string, other: { id: string; cidr: string }) =>
  invalidParameterValue('CidrBlock', `${text} overlaps subnet ${other.id} (${other.cidr}) of the same VPC`,
    `${text} 与同一 VPC 内的子网 ${other.id}（${other.cidr}）网段重叠`);

export function badIpv6Cidr(text: string, problem: 'prefix' | 'scope'): ApiError {
  if (problem === 'prefix') {
    return invalidParameterValue('Ipv6CidrBlock', `a VPC's IPv6 block must be a /56 or a /64, got ${text}`, `VPC 的 IPv6 网段须为 /56 或 /64，实际为 ${text}`);
  }
  return invalidParameterValue('Ipv6CidrBlock', `${text} is neither global unicast (2000::/3) nor unique local (fc00::/7)`,
    `${text} 既不是全球单播（2000::/3）也不是唯一本地（fc00::/7）地址段`);
}

export const unknownZone = (zone: string, region: string) =>
  invalidParameterValue('Zone', `the zone "${zone}" does not exist in region ${region}; call DescribeZones for the list`,
    `地域 ${region} 中不存在可用区 "${zone}"，请调用 DescribeZones 查看可用区列表`);

export const zoneUnavailable = (zone: string) =>
  invalidParameterValue('Zone', `the zone "${zone}" is not available for new subnets`, `可用区 "${zone}" 当前不可创建子网`);

export const notABoolean = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" is not true or false`, `"${value}" 不是 true 或 false`);

export const badPaging = (name: 'Offset' | 'Limit', value: string, rule: string, ruleZh: string) =>
  invalidParameterValue(name, `"${value}" is not ${rule}`, `"${value}" 不是${ruleZh}`);

export const idsWithFilters = (ids: 'VpcIds' | 'SubnetIds') =>
  invalidParameterValue(`${ids} and Filters`, `${ids} and Filters cannot be given together`, `${ids} 与 Filters 不能同时指定`);

export const vpcLimitExceeded = (limit: number, region: string) =>
  new ApiError('LimitExceeded', {
    en: `An account may have at most ${limit} VPCs in region ${region}; delete one first.`,
    zh: `每个账号在地域 ${region} 最多可创建 ${limit} 个 VPC，请先删除不再使用的 VPC。`,
  });

export const subnetLimitExceeded = (limit: number, vpcId: string) =>
  new ApiError('LimitExceeded', {
    en: `VPC ${vpcId} already has the maximum of ${limit} subnets; delete one first.`,
    zh: `VPC ${vpcId} 的子网数已达上限 ${limit} 个，请先删除不再使用的子网。`,
  });

export function vpcInUse(vpcId: string, subnetIds: readonly string[]): ApiError {
  const shown = subnetIds.slice(0, 10).join(', ') + (subnetIds.length > 10 ? ` and ${subnetIds.length - 10} more` : '');
  const shownZh = subnetIds.slice(0, 10).join('、') + (subnetIds.length > 10 ? ` 等共 ${subnetIds.length} 个` : '');
  return new ApiError('ResourceInUse', {
    en: `VPC ${vpcId} still has ${subnetIds.length} subnet(s): ${shown}; delete them first.`,
    zh: `VPC ${vpcId} 内仍有 ${subnetIds.length} 个子网：${shownZh}，请先删除子网。`,
  });
}

export const subnetInUse = (subnetId: string, inUse: number | undefined) =>
  new ApiError('ResourceInUse', {
    en: inUse === undefined
      ? `Subnet ${subnetId} has addresses in use (an allocation was just made); release them first.`
      : `Subnet ${subnetId} has ${inUse} address(es) in use; release them (terminate its instances) first.`,
    zh: inUse === undefined
      ? `子网 ${subnetId} 中有正在使用的 IP 地址（刚刚被分配），请先释放。`
      : `子网 ${subnetId} 中仍有 ${inUse} 个 IP 地址在使用，请先释放（退还其中的实例）。`,
  });

export const notStored = (parameter: string) =>
  unsupportedOperation(
    `${parameter} is not supported by this deployment's VPCs yet (the value would not be kept); omit it.`,
    `当前部署的私有网络暂不支持 ${parameter}（取值无法保存），请不要传入该参数。`,
  );

export const multicastUnsupported = () =>
  unsupportedOperation('BMS VPCs do not support multicast; set EnableMulticast to "false" or omit it.',
    '黑石私有网络不支持组播，请将 EnableMulticast 设为 "false" 或不传。');
