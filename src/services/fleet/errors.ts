/**
 * The operator API's errors, in English and Chinese, each naming its culprit.
 *
 * Every one is a public code of the catalog (src/shared/errors.ts): a value that clashes with
 * the fleet (an SN already registered, a rack unit already taken) is InvalidParameterValue
 * naming the exact wire path (`ServerSet.3.Sn`) and the server it clashes with; a resource that
 * does not exist is ResourceNotFound; a server an instance holds is ResourceInUse naming the
 * instance; lab controls on real hardware are UnsupportedOperation. The lab's own refusals
 * (`LabError`) are translated here, by their code.
 */
import { LabError } from '../../drivers/lab.ts';
import { ApiError, invalidParameterValue, resourceNotFound, unsupportedOperation } from '../../shared/errors.ts';

export const switchNotFound = (id: string) => resourceNotFound('switch', id);
export const rackNotFound = (id: string) => resourceNotFound('rack', id);
export const serverNotFound = (id: string) => resourceNotFound('server', id);
export const flavorNotFound = (id: string) => resourceNotFound('flavor', id);
export const imageNotFound = (id: string) => resourceNotFound('OS image', id);

const KIND_EN: Record<string, string> = { sw: 'switch', rack: 'rack', srv: 'server', flavor: 'flavor', img: 'OS image' };
const KIND_ZH: Record<string, string> = { sw: '交换机', rack: '机架', srv: '服务器', flavor: '套餐', img: '镜像' };

export const malformedId = (path: string, id: string, prefix: string) =>
  invalidParameterValue(path, `"${id}" is not a ${KIND_EN[prefix]} ID (${prefix}-xxxxxxxx)`, `"${id}" 不是合法的${KIND_ZH[prefix]} ID（${prefix}-xxxxxxxx）`);

export const unknownZone = (path: string, zone: string, region: string) =>
  invalidParameterValue(path, `the zone "${zone}" does not exist in region ${region}; call DescribeZones for the list`,
    `地域 ${region} 中不存在可用区 "${zone}"，请调用 DescribeZones 查看可用区列表`);

export const idsWithFilters = (ids: string) =>
  invalidParameterValue(`${ids} and Filters`, `${ids} and Filters cannot be given together`, `${ids} 与 Filters 不能同时指定`);

export const badFilterValue = (path: string, value: string, allowed: readonly string[]) =>
  invalidParameterValue(path, `"${value}" is not one of ${allowed.join(', ')}`, `"${value}" 不在可选值 ${allowed.join('、')} 中`);

/** A name already used by another resource of the zone. */
export const nameTaken = (path: string, kind: 'switch' | 'rack' | 'flavor', name: string, zone: string, existing?: string) =>
  invalidParameterValue(path,
    `zone ${zone} already has a ${kind} named "${name}"${existing ? ` (${existing})` : ''}`,
    `可用区 ${zone} 中已有名为 "${name}" 的${{ switch: '交换机', rack: '机架', flavor: '套餐' }[kind]}${existing ? `（${existing}）` : ''}`);

export const badName = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" may contain only letters, digits, ".", "-" and "_", starting with a letter or digit`,
    `"${value}" 只能包含字母、数字、"."、"-"、"_"，且须以字母或数字开头`);

// --- servers ------------------------------------------------------------------------------------

export const repeated = (path: string, what: string, value: string, firstPath: string) =>
  invalidParameterValue(path, `${what} "${value}" is also given at ${firstPath}`, `${what} "${value}" 与 ${firstPath} 重复`);

export const snTaken = (path: string, sn: string, serverId: string) =>
  invalidParameterValue(path, `the SN "${sn}" is already registered as server ${serverId}`, `序列号 "${sn}" 已录入为服务器 ${serverId}`);

export const bmcAddressTaken = (path: string, address: string, serverId: string) =>
  invalidParameterValue(path, `the BMC address ${address} already belongs to server ${serverId}`, `BMC 地址 ${address} 已属于服务器 ${serverId}`);

export const unitTaken = (path: string, rackId: string, unit: number, serverId: string) =>
  invalidParameterValue(path, `unit ${unit} of rack ${rackId} already holds server ${serverId}`, `机架 ${rackId} 的 ${unit} U 位已有服务器 ${serverId}`);

export const flavorElsewhere = (path: string, flavorId: string, flavorZone: string, zone: string) =>
  invalidParameterValue(path, `flavor ${flavorId} is sold in zone ${flavorZone}, but the rack is in zone ${zone}`,
    `套餐 ${flavorId} 属于可用区 ${flavorZone}，而机架位于可用区 ${zone}`);

export const archMismatch = (path: string, what: string, arch: string, expected: string, owner: string) =>
  invalidParameterValue(path, `${what} is ${arch}, but ${owner} is ${expected}`, `${what} 的 CPU 架构为 ${arch}，而 ${owner} 为 ${expected}`);

export const serverInUse = (serverId: string, instanceId: string) =>
  new ApiError('ResourceInUse', {
    en: `Server ${serverId} is in use by instance ${instanceId}; it can go into maintenance once the instance is terminated.`,
    zh: `服务器 ${serverId} 正被实例 ${instanceId} 使用，需在该实例退还后才能进入维护。`,
  });

export const serverCleaning = (serverId: string) =>
  new ApiError('ResourceInUse', {
    en: `Server ${serverId} is being cleaned after a return; it can go into maintenance once the wipe is over.`,
    zh: `服务器 ${serverId} 正在退还后的擦除中，擦除完成后才能进入维护。`,
  });

export const reasonWithoutMaintenance = () =>
  invalidParameterValue('Reason', 'a reason applies only when entering maintenance (Maintenance=true)', '只有进入维护（Maintenance=true）时才能指定原因');

// --- the simulated datacenter -------------------------------------------------------------------

export const notSimulated = (serverId: string, hardwareType: string) =>
  unsupportedOperation(
    `Server ${serverId} is ${hardwareType} hardware; faults and power-button presses exist only for simulated (sim) servers.`,
    `服务器 ${serverId} 的硬件类型为 ${hardwareType}；只有模拟（sim）服务器可以注入故障或按电源按钮。`,
  );

/** Translates the lab's refusals; anything else is rethrown unchanged (our bug → InternalError). */
export function fromLab(error: unknown, serverId: string, path: string): unknown {
  if (!(error instanceof LabError)) return error;
  if (error.code === 'invalid') return invalidParameterValue(path, error.message, error.message);
  if (error.code === 'unknown-server') {
    return new ApiError('ResourceUnavailable', {
      en: `The simulated datacenter has no hardware for server ${serverId}; register it again.`,
      zh: `模拟机房中没有服务器 ${serverId} 的硬件，请重新录入。`,
    });
  }
  return new ApiError('FailedOperation', {
    en: `The simulated datacenter already holds different hardware under ${serverId}.`,
    zh: `模拟机房中 ${serverId} 下已有不同的硬件。`,
  });
}

// --- flavors and images -------------------------------------------------------------------------

export const badPrice = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" is not a price such as 12.00 (up to 7 digits and 2 decimals)`, `"${value}" 不是合法的价格（如 12.00，最多7位整数、2位小数）`);

export const ownerNotTenant = (uin: string) =>
  invalidParameterValue('OwnerUin', `${uin} is not a tenant account`, `${uin} 不是租户账号`);

export const ownerWithoutUserDefined = () =>
  invalidParameterValue('OwnerUin', 'only a user-defined flavor (UserDefined=true) is bound to a tenant', '只有自定义套餐（UserDefined=true）才能绑定租户');

export const nothingToModify = () =>
  new ApiError('MissingParameter', {
    en: 'ModifyFlavor needs at least one of SoldOut, HourlyPrice, RaidTypes and OsImageIds.',
    zh: 'ModifyFlavor 至少需要指定 SoldOut、HourlyPrice、RaidTypes、OsImageIds 中的一项。',
  });

export const imageTaken = (type: string, name: string, arch: string, existing: string) =>
  invalidParameterValue('OsName', `a ${type} image "${name}" for ${arch} already exists (${existing})`, `已存在 ${arch} 架构的 ${type} 镜像 "${name}"（${existing}）`);
