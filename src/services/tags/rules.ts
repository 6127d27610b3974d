/**
 * Tencent's limits on tags (the tag product's 使用限制):
 * - a key is 1–255 characters, a value 0–127, both of letters, digits, spaces, CJK and `+ - = . _ : / @`;
 * - keys beginning with `qcloud`, `tencent` or `project` are reserved for the system;
 * - a resource carries at most 50 tags; an account has at most 1,000 keys, a key at most 1,000 values.
 * Each broken rule has its documented second-level code, and the message names the parameter.
 */
import { subCodeError, type ApiError } from '../../shared/errors.ts';
import type { Tag } from '../../store/repos/resource-tags.ts';

export const MAX_KEY_LENGTH = 255;
export const MAX_VALUE_LENGTH = 127;
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_KEYS_PER_ACCOUNT = 1000;
export const MAX_VALUES_PER_KEY = 1000;

const ALLOWED = /^[\p{L}\p{N} +\-=._:/@]*$/u;
const RESERVED = /^(qcloud|tencent|project)/i;
const length = (s: string) => [...s].length;

/** The rule a tag key breaks, or undefined. */
export function keyProblem(key: string, param: string): ApiError | undefined {
  if (key === '') return subCodeError('InvalidParameterValue.TagKeyEmpty', `The tag key ${param} may not be empty.`, `标签键 ${param} 不能为空。`);
  if (length(key) > MAX_KEY_LENGTH) {
    return subCodeError('InvalidParameterValue.TagKeyLengthExceeded', `The tag key ${param} has ${length(key)} characters, over the limit of ${MAX_KEY_LENGTH}.`,
      `标签键 ${param} 长度为 ${length(key)} 个字符，超过上限 ${MAX_KEY_LENGTH}。`);
  }
  if (!ALLOWED.test(key)) {
    return subCodeError('InvalidParameterValue.TagKeyCharacterIllegal', `The tag key ${param} may hold only letters, digits, spaces, CJK characters and + - = . _ : / @.`,
      `标签键 ${param} 只能为字母、数字、空格或汉字，支持 +-=._:/@。`);
  }
  if (RESERVED.test(key)) {
    return subCodeError('InvalidParameterValue.ReservedTagKey', `The tag key ${param} (${key.slice(0, 40)}) begins with qcloud, tencent or project, which the system reserves.`,
      `标签键 ${param}（${key.slice(0, 40)}）以 qcloud、tencent 或 project 开头，为系统预留。`);
  }
  return undefined;
}

/** The rule a tag value breaks, or undefined. */
export function valueProblem(value: string, param: string): ApiError | undefined {
  if (length(value) > MAX_VALUE_LENGTH) {
    return subCodeError('InvalidParameterValue.TagValueLengthExceeded', `The tag value ${param} has ${length(value)} characters, over the limit of ${MAX_VALUE_LENGTH}.`,
      `标签值 ${param} 长度为 ${length(value)} 个字符，超过上限 ${MAX_VALUE_LENGTH}。`);
  }
  if (!ALLOWED.test(value)) {
    return subCodeError('InvalidParameterValue.TagValueCharacterIllegal', `The tag value ${param} may hold only letters, digits, spaces, CJK characters and + - = . _ : / @.`,
      `标签值 ${param} 只能为字母、数字、空格或汉字，支持 +-=._:/@。`);
  }
  return undefined;
}

/** Throws the first rule the tags break; `at(i)` names the i-th tag's parameter prefix. */
export function checkTags(tags: readonly Tag[], at: (i: number) => string): void {
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    const problem = keyProblem(t.key, `${at(i)}TagKey`) ?? valueProblem(t.value, `${at(i)}TagValue`);
    if (problem) throw problem;
    if (seen.has(t.key)) {
      throw subCodeError('InvalidParameterValue.TagKeyDuplicate', `The tag key ${JSON.stringify(t.key)} appears twice (${at(i)}TagKey).`, `标签键 ${JSON.stringify(t.key)} 重复（${at(i)}TagKey）。`);
    }
    seen.add(t.key);
  });
}

export const tooManyOnResource = (name: string, count: number) =>
  subCodeError('LimitExceeded.ResourceAttachedTags', `The resource ${name} would carry ${count} tags, over the limit of ${MAX_TAGS_PER_RESOURCE}.`,
    `资源 ${name} 关联的标签数将为 ${count} 个，超过上限 ${MAX_TAGS_PER_RESOURCE}。`);
