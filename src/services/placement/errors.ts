/**
 * The spread placement groups' errors, in English and Chinese, each naming its culprit.
 *
 * Every one is a public code of the catalog (src/shared/errors.ts). The scheduler
 * (src/network/placement.ts) reports why no placement exists as data; `noPlacement` turns that
 * into the sentence a tenant needs: which rule, how many racks or switches it needs, how many
 * the zone can offer, and what the group's current members already use.
 */
import type { ConflictKind, Member, Shortfall, Slot, SpreadType } from '../../network/placement.ts';
import { ApiError, invalidParameter, invalidParameterValue, unsupportedOperation } from '../../shared/errors.ts';

export const groupNotFound = (id: string) =>
  new ApiError('ResourceNotFound', { en: `The spread placement group ${id} does not exist.`, zh: `分散置放群组 ${id} 不存在。` });

export const malformedGroupId = (path: string, raw: string) =>
  invalidParameterValue(path, `"${raw}" is not a spread placement group ID (ps-xxxxxxxx)`, `"${raw}" 不是合法的分散置放群组 ID（ps-xxxxxxxx）`);

export const blankName = (path: string) => invalidParameterValue(path, 'the name cannot be blank', '名称不能全为空白字符');

export const noGroupIds = () => invalidParameterValue('GroupIds', 'give at least one group ID', '至少指定一个群组 ID');

export const groupIdsWithFilters = () =>
  invalidParameter('GroupIds', 'given without Filters (the two cannot be combined)', '不能与 Filters 同时指定');

export const badTypeFilter = (path: string, value: string) =>
  invalidParameterValue(path, `"${value}" is not a group type; use RACK, RACK_SAME_SW or SW`, `"${value}" 不是群组类型，可选 RACK、RACK_SAME_SW 或 SW`);

export const groupLimitExceeded = (limit: number, region: string) =>
  new ApiError('LimitExceeded', {
    en: `An account may have at most ${limit} spread placement groups in region ${region}; delete one it no longer needs first.`,
    zh: `每个账号在地域 ${region} 最多可创建 ${limit} 个分散置放群组，请先删除不再使用的群组。`,
  });

export function groupInUse(id: string, members: readonly string[]): ApiError {
  const shown = members.slice(0, 10).join(', ') + (members.length > 10 ? ` and ${members.length - 10} more` : '');
  const shownZh = members.slice(0, 10).join('、') + (members.length > 10 ? ` 等共 ${members.length} 台` : '');
  return new ApiError('ResourceInUse', {
    en: `The spread placement group ${id} still has ${members.length} instance(s): ${shown}; return (terminate) them first.`,
    zh: `分散置放群组 ${id} 中仍有 ${members.length} 台实例：${shownZh}，请先退还这些实例。`,
  });
}

/** The instance cannot join any group in its state (being returned, or holding no server). */
export const cannotJoin = (instanceId: string, status: string, why: 'returning' | 'no-server') =>
  why === 'returning'
    ? unsupportedOperation(`The instance ${instanceId} is ${status} (being returned); it cannot join a spread placement group.`,
      `实例 ${instanceId} 正在退还（${status}），不能加入分散置放群组。`)
    : unsupportedOperation(`The instance ${instanceId} is ${status} and holds no server, so it has no rack to check against the group; terminate it and launch a new instance into the group.`,
      `实例 ${instanceId} 处于 ${status} 状态且未占用服务器，无法校验其机架位置；请退还后在群组中重新创建实例。`);

/** ModifyInstancesGroupId: the instance's server breaks the group's rule beside `member` — and bare metal cannot move. */
export function joinRefused(instanceId: string, group: { id: string; type: string }, at: Slot, on: ConflictKind, member: Member): ApiError {
  const why = conflictWords(on, at, member, group.type);
  return new ApiError('FailedOperation', {
    en: `The instance ${instanceId} cannot join the spread placement group ${group.id} (${group.type}): ${why.en}. `
      + 'A bare-metal instance cannot move to another server; launch a new instance into the group instead (RunInstances with GroupId).',
    zh: `实例 ${instanceId} 不能加入分散置放群组 ${group.id}（${group.type}）：${why.zh}。`
      + '裸金属实例无法迁移到其他服务器，请在该群组中创建新实例（RunInstances 指定 GroupId）。',
  });
}

function conflictWords(on: ConflictKind, at: Slot, member: Member, type: string): { en: string; zh: string } {
  switch (on) {
    case 'same-rack':
      return { en: `its server is on rack ${at.rackId}, where member ${member.instanceId} already is`, zh: `其服务器位于机架 ${at.rackId}，成员 ${member.instanceId} 已在该机架` };
    case 'same-switch':
      return {
        en: `its server is under switch ${at.switchId}, like member ${member.instanceId}, and ${type} needs a different switch for every member`,
        zh: `其服务器位于交换机 ${at.switchId} 下，与成员 ${member.instanceId} 相同，而 ${type} 类型要求每个成员位于不同交换机`,
      };
    case 'other-switch':
      return {
        en: `its server is under switch ${at.switchId}, but member ${member.instanceId} is under switch ${member.switchId}, and RACK_SAME_SW keeps every member under one switch`,
        zh: `其服务器位于交换机 ${at.switchId} 下，而成员 ${member.instanceId} 位于交换机 ${member.switchId} 下，RACK_SAME_SW 类型要求所有成员位于同一交换机`,
      };
  }
}

export interface LaunchContext {
  groupId: string;
  flavorName: string;
  zone: string;
  /** Members holding a server (those the rule applies to). */
  members: number;
  /** The zone of the members' switch, for RACK_SAME_SW. */
  membersZone: string | null;
}

/** RunInstances with GroupId: no set of free servers satisfies the group's rule. */
export function noPlacement(s: Shortfall, x: LaunchContext): ApiError {
  if (s.reason === 'members') return brokenGroup(x.groupId, s.type, s.on, s.member, s.other);
  const why = s.type === 'RACK_SAME_SW' ? sameSwitchWords(s, x) : switchWords(s, x);
  return new ApiError('ResourceInsufficient', {
    en: `Cannot place ${s.needed} new instance(s) in the spread placement group ${x.groupId}: ${why.en}.`,
    zh: `无法在分散置放群组 ${x.groupId} 中放置 ${s.needed} 台新实例：${why.zh}。`,
  });
}

/** RACK and SW both need a switch of its own per member. */
function switchWords(s: Extract<Shortfall, { reason: 'switches' }>, x: LaunchContext): { en: string; zh: string } {
  if (s.takenByMembers === 0) {
    return {
      en: `${s.type} needs ${s.needed} switches with a free ${x.flavorName} in ${x.zone}; only ${s.usable} have one`,
      zh: `${s.type} 类型需要 ${x.zone} 中 ${s.needed} 台各自有空闲 ${x.flavorName} 的交换机，仅有 ${s.usable} 台`,
    };
  }
  return {
    en: `${s.type} needs ${s.needed} switches with a free ${x.flavorName} in ${x.zone} besides those of the group's ${x.members} member(s); `
      + `${s.withFree} switches have one, the members already use ${s.takenByMembers} of them, leaving ${s.usable}`,
    zh: `${s.type} 类型需要 ${x.zone} 中除群组 ${x.members} 个成员所用之外的 ${s.needed} 台有空闲 ${x.flavorName} 的交换机；`
      + `有空闲的交换机共 ${s.withFree} 台，其中 ${s.takenByMembers} 台已被成员使用，仅剩 ${s.usable} 台`,
  };
}

function sameSwitchWords(s: Extract<Shortfall, { type: 'RACK_SAME_SW' }>, x: LaunchContext): { en: string; zh: string } {
  const has = s.best?.racks ?? 0;
  if (s.pinnedSwitch === null) {
    return {
      en: `RACK_SAME_SW needs ${s.needed} racks with a free ${x.flavorName} under one switch in ${x.zone}; the best switch has ${has}`,
      zh: `RACK_SAME_SW 类型需要 ${x.zone} 中同一交换机下 ${s.needed} 个有空闲 ${x.flavorName} 的机架，最多的交换机只有 ${has} 个`,
    };
  }
  if (x.membersZone !== null && x.membersZone !== x.zone) {
    return {
      en: `RACK_SAME_SW keeps every member under one switch, and the group's members are under switch ${s.pinnedSwitch} in ${x.membersZone}, not in ${x.zone}`,
      zh: `RACK_SAME_SW 类型要求所有成员位于同一交换机，而群组成员位于 ${x.membersZone} 的交换机 ${s.pinnedSwitch} 下，不在 ${x.zone}`,
    };
  }
  return {
    en: `RACK_SAME_SW needs ${s.needed} more racks with a free ${x.flavorName} under switch ${s.pinnedSwitch} in ${x.zone}, where the group's ${x.members} member(s) are; `
      + `it has ${has} that the members do not already use`,
    zh: `RACK_SAME_SW 类型需要群组 ${x.members} 个成员所在的 ${x.zone} 交换机 ${s.pinnedSwitch} 下再有 ${s.needed} 个有空闲 ${x.flavorName} 的机架，`
      + `除成员已用的机架外只有 ${has} 个`,
  };
}

/** The group's members already break its rule (not reachable through the API): nothing more can be placed. */
function brokenGroup(groupId: string, type: SpreadType, on: ConflictKind, a: Member, b: Member): ApiError {
  const why = conflictWords(on, b, a, type);
  return new ApiError('FailedOperation', {
    en: `The spread placement group ${groupId} (${type}) already breaks its rule — member ${b.instanceId}: ${why.en} — so no new member can be placed; return one of them first.`,
    zh: `分散置放群组 ${groupId}（${type}）的现有成员已不满足规则（成员 ${b.instanceId}：${why.zh}），无法放置新成员；请先退还其中一台。`,
  });
}
