/**
 * The errors of backup IPs and out-of-band access, each naming the parameter or resource at
 * fault. Another tenant's instance, VPC or subnet answers exactly like one that never existed.
 */
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import type { AllocationFailure } from '../../store/repos/ip-allocations.ts';

export { instanceNotFound } from '../instances/lookups.ts';

export const vpcNotFound = (id: string) =>
  new ApiError('ResourceNotFound', { en: `The VPC ${id} does not exist.`, zh: `私有网络 ${id} 不存在。` });

export const subnetNotFound = (id: string) =>
  new ApiError('ResourceNotFound', { en: `The subnet ${id} does not exist.`, zh: `子网 ${id} 不存在。` });

export const mappingNotFound = (instanceId: string, vpcId: string) =>
  new ApiError('ResourceNotFound', {
    en: `The instance ${instanceId} has no out-of-band mapping in the VPC ${vpcId}.`,
    zh: `实例 ${instanceId} 在私有网络 ${vpcId} 中没有带外映射。`,
  });

export const mappingExists = (instanceId: string, vpcId: string, vip: string) =>
  new ApiError('ResourceInUse', {
    en: `The BMC of the instance ${instanceId} is already mapped into the VPC ${vpcId} (at ${vip}); delete that mapping first.`,
    zh: `实例 ${instanceId} 的带外已映射到私有网络 ${vpcId}（${vip}），请先删除该映射。`,
  });

export const wrongState = (instanceId: string, status: string, action: string, allowed: readonly string[]) =>
  new ApiError('UnsupportedOperation', {
    en: `The instance ${instanceId} is ${status}; ${action} needs it to be ${allowed.join(' or ')}.`,
    zh: `实例 ${instanceId} 当前状态为 ${status}，${action} 要求实例状态为 ${allowed.join(' 或 ')}。`,
  });

export const tooManyBackupIps = (instanceId: string, limit: number) =>
  new ApiError('LimitExceeded', {
    en: `The instance ${instanceId} already has ${limit} backup IPs, the most an instance may have.`,
    zh: `实例 ${instanceId} 已有 ${limit} 个备用 IP，已达上限。`,
  });

export const noBmcAccount = (instanceId: string, status: string) =>
  new ApiError('ResourceUnavailable', {
    en: `The instance ${instanceId} (${status}) has no out-of-band account: it exists once provisioning has created it, and goes when the instance is returned.`,
    zh: `实例 ${instanceId}（${status}）没有带外账号：账号在创建实例时生成，退还实例时删除。`,
  });

export const notIpv4 = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" is not an IPv4 address`, `"${value}" 不是 IPv4 地址`);

/** An IPAM failure for the address(es) asked for in `path`, allocated from `subnet`. */
export function allocationError(r: AllocationFailure, path: string, subnet: { id: string; cidr: string }, owner?: string): ApiError {
  switch (r.reason) {
    case 'exhausted':
      return new ApiError('ResourceInsufficient', {
        en: `The subnet ${subnet.id} (${subnet.cidr}) has no free address left.`, zh: `子网 ${subnet.id}（${subnet.cidr}）已无可用地址。`,
      });
    case 'taken':
      return owner
        ? invalidParameterValue(path, `${r.address} is already an address of ${owner}`, `${r.address} 已是 ${owner} 的地址`)
        : invalidParameterValue(path, `${r.address} is already in use in ${subnet.id}`, `${r.address} 在子网 ${subnet.id} 中已被占用`);
    case 'invalid':
      if (r.problem === 'malformed') return notIpv4(path, r.address);
      if (r.problem === 'outside') {
        return invalidParameterValue(path, `${r.address} is not in the subnet ${subnet.id} (${subnet.cidr})`, `${r.address} 不在子网 ${subnet.id}（${subnet.cidr}）内`);
      }
      return invalidParameterValue(path, `${r.address} is the ${r.problem} address of ${subnet.cidr} and cannot be assigned`,
        `${r.address} 是 ${subnet.cidr} 的保留地址（${r.problem}），不可分配`);
    case 'subnet-missing':
      return subnetNotFound(subnet.id);
    default:
      return invalidParameterValue(path, `${r.reason}`);
  }
}
