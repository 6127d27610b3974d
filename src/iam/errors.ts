/**
 * IAM's errors, each a public code of the catalog (src/shared/errors.ts) with a message naming
 * its culprit. A user, key or policy of another account answers exactly like one that never
 * existed (ResourceNotFound), so nothing hints that it exists elsewhere.
 */
import { ApiError, invalidParameterValue, resourceNotFound, subCodeError, unauthorizedOperation } from '../shared/errors.ts';
import { PolicyDocumentError } from './policy/document.ts';

export const MAX_KEYS_PER_USER = 2;

/** Tencent documents ResourceNotFound.UserNotExist for a user that does not exist (deleted, or never was). */
export const userNotFound = (what: string) => subCodeError('ResourceNotFound.UserNotExist', `The user ${what} does not exist.`, `user ${what} 不存在。`);
export const accountNotFound = (uin: string) => resourceNotFound('account', uin);
export const keyNotFound = (secretId: string) => resourceNotFound('API key', secretId);
export const policyNotFound = (id: number) => resourceNotFound('policy', String(id));

export const keyLimit = (userUin: string) =>
  new ApiError('LimitExceeded', {
    en: `User ${userUin} already has ${MAX_KEYS_PER_USER} API keys, the most a user may hold; delete one first.`,
    zh: `用户 ${userUin} 已有 ${MAX_KEYS_PER_USER} 个 API 密钥，达到上限，请先删除一个。`,
  });

export const userNameTaken = (path: string, name: string) =>
  invalidParameterValue(path, `the account already has a user named "${name}"`, `账号下已存在名为 "${name}" 的用户`);

export const badUserName = (path: string, name: string) =>
  invalidParameterValue(path, `"${name}" may contain only letters, digits and + = , . @ _ - (1 to 64 characters)`,
    `"${name}" 只能包含字母、数字及 + = , . @ _ -（1～64 个字符）`);

export const passwordRejected = (path: string, reason: { en: string; zh: string }) => invalidParameterValue(path, reason.en, reason.zh);

export const passwordWithoutLogin = (path: string) =>
  invalidParameterValue(path, 'a password applies only to a user who may log in to the console (ConsoleLogin=1)', '只有允许登录控制台（ConsoleLogin=1）的用户才能设置密码');

export const rootUserTarget = (path: string, what: string, whatZh: string) =>
  invalidParameterValue(path, `the root user ${what}`, `主账号${whatZh}`);

export const policyNameTaken = (name: string, existing?: number) =>
  invalidParameterValue('PolicyName', `the account already has a policy named "${name}"${existing === undefined ? '' : ` (${existing})`}`,
    `账号下已存在名为 "${name}" 的策略${existing === undefined ? '' : `（${existing}）`}`);

export const badPolicyName = (name: string) =>
  invalidParameterValue('PolicyName', `"${name}" may contain only letters, digits and + = , . @ _ - (1 to 128 characters)`,
    `"${name}" 只能包含字母、数字及 + = , . @ _ -（1～128 个字符）`);

/** A policy document's mistake, at its exact spot (`PolicyDocument` → `statement[0].effect: …`). */
export const policyDocumentRejected = (param: string, e: PolicyDocumentError) =>
  invalidParameterValue(param, `${e.path ? `${e.path}: ` : ''}${e.reason}`, `${e.path ? `${e.path}：` : ''}${e.reasonZh}`);

/** Something only the account's root user may do. */
export const rootOnly = (action: string, accountUin: string, target = '*') =>
  unauthorizedOperation(action, `qcs::cam::uin/${accountUin}:uin/${target}`);
