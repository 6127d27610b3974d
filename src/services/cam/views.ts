/**
 * Wire shapes of the cam service (SubAccountInfo, AccessKey, StrategyInfo, AttachPolicyInfo),
 * from domain objects. Uins travel as numbers (Uint64), times as ISO 8601 UTC.
 */
import { isoTime } from '../../shared/ids.ts';
import type { ApiKey } from '../../store/repos/api-keys.ts';
import type { Attachment, PolicySummary } from '../../store/repos/policies.ts';
import type { UserCredentials } from '../../store/repos/user-credentials.ts';
import type { User } from '../../store/repos/users.ts';

export const userView = (u: User, c: UserCredentials | undefined) => ({
  Uin: Number(u.uin), Name: u.name, Remark: c?.remark ?? '', ConsoleLogin: c?.consoleLogin ? 1 : 0, CreateTime: isoTime(u.createdAt),
});

export const keyView = (k: ApiKey) => ({ AccessKeyId: k.secretId, Status: k.status, CreateTime: isoTime(k.createdAt) });

export const newKeyView = (k: { secretId: string; secretKey: string; createdAt: number }) => ({
  AccessKeyId: k.secretId, SecretAccessKey: k.secretKey, Status: 'Active', CreateTime: isoTime(k.createdAt),
});

const CUSTOM = 1;
const BY_SYNTAX = 2;

export const policySummaryView = (p: PolicySummary) => ({
  PolicyId: p.id, PolicyName: p.name, AddTime: isoTime(p.createdAt), Type: CUSTOM, Description: p.description, CreateMode: BY_SYNTAX, Attachments: p.attachments,
});

export const attachmentView = (a: Attachment) => ({
  PolicyId: a.policy.id, PolicyName: a.policy.name, AddTime: isoTime(a.attachedAt), CreateMode: BY_SYNTAX, PolicyType: 'User', Remark: a.policy.description,
});
