/**
 * Heartbeat network groups' errors, in English and Chinese, each naming its culprit.
 *
 * All are public codes of the catalog (src/shared/errors.ts): a group that does not exist for
 * this tenant is ResourceNotFound (another tenant's group answers exactly the same); a group
 * with members cannot be deleted (ResourceInUse, naming the groups and their members); no free
 * VLAN is ResourceInsufficient, saying why (the shared range is full, or the zones' ranges do
 * not overlap); an instance in a state that cannot change its switch port is
 * UnsupportedOperation naming it and its state.
 */
import { formatRange, type VlanRange } from '../../network/vlans.ts';
import { ApiError, invalidParameter, invalidParameterValue } from '../../shared/errors.ts';

export const heartbeatNotFound = (id: string) =>
  new ApiError('ResourceNotFound', { en: `The heartbeat network group ${id} does not exist.`, zh: `心跳网络组 ${id} 不存在。` });

export function heartbeatsInUse(groups: ReadonlyArray<{ id: string; members: readonly string[] }>): ApiError {
  const en = groups.map((g) => `${g.id} (${g.members.length} member${g.members.length === 1 ? '' : 's'}: ${g.members.join(', ')})`).join('; ');
  const zh = groups.map((g) => `${g.id}（${g.members.length} 个成员：${g.members.join('、')}）`).join('；');
  return new ApiError('ResourceInUse', {
    en: `Only heartbeat network groups without members can be deleted; still in use: ${en}. Move those instances to another group or terminate them first; nothing was deleted.`,
    zh: `只能删除没有成员的心跳网络组，以下心跳网络组仍有成员：${zh}。请先将这些实例移到其他心跳网络组或退还实例；本次未删除任何心跳网络组。`,
  });
}

export const vlansExhausted = (shared: VlanRange, region: string) =>
  new ApiError('ResourceInsufficient', {
    en: `Every heartbeat VLAN of ${formatRange(shared)} (the range all zones of ${region} share) is held by a heartbeat network group; delete an unused group or ask the operator to widen the zones' VLAN ranges.`,
    zh: `${formatRange(shared)}（地域 ${region} 所有可用区共有的VLAN范围）中的心跳VLAN已全部被心跳网络组占用；请删除不再使用的心跳网络组，或联系运维扩大可用区的VLAN范围。`,
  });

export function rangesDisjoint(region: string, ranges: ReadonlyMap<string, VlanRange>): ApiError {
  const list = [...ranges].map(([zone, r]) => `${zone} ${formatRange(r)}`);
  return new ApiError('ResourceInsufficient', {
    en: `No heartbeat VLAN is available in ${region}: a group's members may be in any zone, so its VLAN must lie in every zone's range, and the ranges do not overlap (${list.join(', ')}); ask the operator to make them overlap.`,
    zh: `地域 ${region} 没有可用的心跳VLAN：心跳网络组的成员可以位于任一可用区，其VLAN须同时在每个可用区的范围内，而各可用区的范围没有交集（${list.join('，')}）；请联系运维调整VLAN范围。`,
  });
}

export const instanceCannotJoin = (id: string, status: string) =>
  new ApiError('UnsupportedOperation', {
    en: `The instance ${id} is ${status}; ModifyHeartbeat needs it to be RUNNING or STOPPED.`,
    zh: `实例 ${id} 当前状态为 ${status}，ModifyHeartbeat 要求实例处于 RUNNING 或 STOPPED 状态。`,
  });

export const noIds = (path: string) =>
  invalidParameterValue(path, 'at least one ID is required', '至少需要指定一个ID');

export const blankName = (path: string) =>
  invalidParameterValue(path, 'the name must contain a character other than spaces', '名称不能只包含空格');

export const idsWithFilters = () =>
  invalidParameter('HeartbeatIds', 'given without Filters (the two cannot be combined)', '不能与 Filters 同时指定');

export const badVlanFilter = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" is not a VLAN ID (an integer 2-4094)`, `"${value}" 不是合法的VLAN ID（2-4094 的整数）`);
