/**
 * The EIP actions' errors, in English and Chinese, each naming its culprit — and the reading of
 * EIP ids, which the errors need to name.
 *
 * Every one is a public code of the catalog (src/shared/errors.ts): an EIP or instance that is
 * not the caller's is ResourceNotFound, word for word as one that never existed; an EIP in the
 * wrong binding state for the action is UnsupportedOperation (ResourceInUse when releasing a
 * bound one, or binding onto an address that already has one); an empty pool line is
 * ResourceInsufficient naming the line and how many addresses it has left.
 */
import { ApiError, invalidParameterValue, resourceNotFound, unsupportedOperation } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import type { Eip } from '../../store/repos/eips.ts';

export const eipNotFound = (id: string) => resourceNotFound('EIP', id);

/** An EIP id in canonical (lower-case) form; InvalidParameterValue when it is not `eip-xxxxxxxx`. */
export function eipIdParam(path: string, raw: string): string {
  const id = normalizeId(raw.trim());
  if (!/^eip-[0-9a-z]{8}$/.test(id)) {
    throw invalidParameterValue(path, `"${raw}" is not an EIP ID (eip-xxxxxxxx)`, `"${raw}" 不是合法的弹性公网 IP ID（eip-xxxxxxxx）`);
  }
  return id;
}

/** EIP ids of a list parameter, canonical; a repeated one is InvalidParameterValue naming both places. */
export function eipIdListParam(path: string, raw: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((text, i) => {
    const id = eipIdParam(`${path}.${i}`, text);
    const first = seen.get(id);
    if (first !== undefined) throw invalidParameterValue(`${path}.${i}`, `${text} is listed twice (also at ${path}.${first})`, `${text} 重复出现（与 ${path}.${first} 相同）`);
    seen.set(id, i);
    return id;
  });
}

export function poolExhausted(region: string, isp: string, wanted: number, free: number): ApiError {
  return new ApiError('ResourceInsufficient', {
    en: `The EIP pool of region ${region} has ${free} free ${isp} address(es); ${wanted} ${wanted === 1 ? 'is' : 'are'} needed. Choose another InternetServiceProvider or ask the operator to add addresses.`,
    zh: `地域 ${region} 的弹性公网 IP 资源池中 ${isp} 线路仅剩 ${free} 个空闲地址，需要 ${wanted} 个。请选择其他线路（InternetServiceProvider）或联系运营方扩充地址池。`,
  });
}

export const alreadyBound = (eip: Eip) =>
  new ApiError('ResourceInUse', {
    en: `The EIP ${eip.id} (${eip.address}) is already bound to instance ${eip.instanceId} (${eip.privateIp}); disassociate it first.`,
    zh: `弹性公网 IP ${eip.id}（${eip.address}）已绑定到实例 ${eip.instanceId}（${eip.privateIp}），请先解绑。`,
  });

export const addressHasEip = (instanceId: string, privateIp: string, other: Eip) =>
  new ApiError('ResourceInUse', {
    en: `The address ${privateIp} of instance ${instanceId} already has the EIP ${other.id} (${other.address}); an address holds at most one EIP.`,
    zh: `实例 ${instanceId} 的内网地址 ${privateIp} 已绑定弹性公网 IP ${other.id}（${other.address}），一个内网地址最多绑定一个弹性公网 IP。`,
  });

export const notBound = (eip: Eip) =>
  unsupportedOperation(`The EIP ${eip.id} (${eip.address}) is not bound to anything (UNBIND); there is nothing to disassociate.`,
    `弹性公网 IP ${eip.id}（${eip.address}）未绑定任何实例（UNBIND），无需解绑。`);

export const boundCannotBeReleased = (eip: Eip) =>
  new ApiError('ResourceInUse', {
    en: `The EIP ${eip.id} (${eip.address}) is bound to instance ${eip.instanceId}; disassociate it before releasing it. Nothing was released.`,
    zh: `弹性公网 IP ${eip.id}（${eip.address}）仍绑定在实例 ${eip.instanceId} 上，请先解绑再释放。本次未释放任何地址。`,
  });

export const instanceStateForEip = (instanceId: string, status: string) =>
  unsupportedOperation(`The instance ${instanceId} is ${status}; an EIP can be bound only to a RUNNING or STOPPED instance.`,
    `实例 ${instanceId} 当前状态为 ${status}，只有 RUNNING 或 STOPPED 状态的实例可以绑定弹性公网 IP。`);

export const notInstanceAddress = (instanceId: string, privateIp: string, held: readonly string[]) =>
  invalidParameterValue('PrivateIpAddress', `${privateIp} is not a private IPv4 address of instance ${instanceId} (it has ${held.join(', ') || 'none'})`,
    `${privateIp} 不是实例 ${instanceId} 的内网 IPv4 地址（其地址为 ${held.join('、') || '无'}）`);

export const idsWithFilters = () =>
  invalidParameterValue('AddressIds and Filters', 'AddressIds and Filters cannot be given together', 'AddressIds 与 Filters 不能同时指定');

export const badFilterValue = (path: string, value: string, allowed: readonly string[]) =>
  invalidParameterValue(path, `"${value}" is not one of ${allowed.join(', ')}`, `"${value}" 不在可选值 ${allowed.join('、')} 中`);
