/**
 * The closed error catalog.
 *
 * The reference defines no business error codes for bms: every failure is one of the public
 * codes below, and the message carries the precision (which parameter, which resource, why).
 * Errors are built here with a constructor per situation, each producing an English and a
 * Chinese message; the gateway picks one by `X-TC-Language` and renders it in one place.
 * Anything that is not an `ApiError` reaching the gateway is our bug and becomes
 * `InternalError` — without its stack, which goes to the log only.
 */

export const ERROR_CODES = [
  'AuthFailure.InvalidAuthorization',
  'AuthFailure.InvalidSecretId',
  'AuthFailure.MFAFailure',
  'AuthFailure.SecretIdNotFound',
  'AuthFailure.SignatureExpire',
  'AuthFailure.SignatureFailure',
  'AuthFailure.TokenFailure',
  'AuthFailure.UnauthorizedOperation',
  'DryRunOperation',
  'FailedOperation',
  'InternalError',
  'InvalidAccount.InsufficientBalance',
  'InvalidAction',
  'InvalidParameter',
  'InvalidParameterValue',
  'LimitExceeded',
  'MissingParameter',
  'NoSuchVersion',
  'RequestLimitExceeded',
  'ResourceInUse',
  'ResourceInsufficient',
  'ResourceNotFound',
  'ResourceUnavailable',
  'UnauthorizedOperation',
  'UnknownParameter',
  'UnsupportedOperation',
  'UnsupportedProtocol',
  'UnsupportedRegion',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Second-level codes (`<public code>.<detail>`) that Tencent documents for particular actions of
 * the companion services (tag, cam, vpc, sts) the vendor's clients call: a client that branches
 * on them (the Terraform provider does) gets the one it knows. Each starts with a public code.
 */
export const SUB_CODES = [
  // tag 2018-08-13
  'InvalidParameterValue.ReservedTagKey',
  'InvalidParameterValue.TagKeyCharacterIllegal',
  'InvalidParameterValue.TagKeyEmpty',
  'InvalidParameterValue.TagKeyLengthExceeded',
  'InvalidParameterValue.TagValueCharacterIllegal',
  'InvalidParameterValue.TagValueLengthExceeded',
  'InvalidParameterValue.TagKeyDuplicate',
  'InvalidParameterValue.ResourceDescriptionError',
  'InvalidParameterValue.DeleteTagsParamError',
  'InvalidParameterValue.OffsetInvalid',
  'LimitExceeded.ResourceAttachedTags',
  'LimitExceeded.TagKey',
  'LimitExceeded.TagValue',
  'ResourceInUse.TagDuplicate',
  'ResourceInUse.TagKeyAttached',
  'ResourceNotFound.AttachedTagKeyNotFound',
  'ResourceNotFound.TagNonExist',
  // cam 2019-01-16: GetUser, UpdateUser, DeleteUser and the calls naming a sub-user
  'ResourceNotFound.UserNotExist',
] as const;
export type SubCode = (typeof SUB_CODES)[number];

export type Language = 'en-US' | 'zh-CN';

export interface Messages {
  en: string;
  zh: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode | SubCode;
  readonly messages: Messages;

  constructor(code: ErrorCode | SubCode, messages: Messages) {
    super(`${code}: ${messages.en}`);
    this.name = 'ApiError';
    this.code = code;
    this.messages = messages;
  }

  messageIn(language: Language): string {
    return language === 'zh-CN' ? this.messages.zh : this.messages.en;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

const err = (code: ErrorCode, en: string, zh: string) => new ApiError(code, { en, zh });

/** An error under one of Tencent's documented second-level codes (SUB_CODES). */
export const subCodeError = (code: SubCode, en: string, zh: string) => new ApiError(code, { en, zh });

// --- request shape and protocol -------------------------------------------------------------

export const unsupportedProtocol = (detail: string, detailZh: string) =>
  err('UnsupportedProtocol', `${detail}. Only GET and POST (application/json or application/x-www-form-urlencoded) are supported.`,
    `${detailZh}。仅支持 GET 和 POST（application/json 或 application/x-www-form-urlencoded）。`);

export const requestTooLarge = (size: number, limit: number, what: string) =>
  err('InvalidParameter', `The request is ${size} bytes, over the limit of ${limit} bytes for ${what}.`,
    `请求大小为 ${size} 字节，超过了${what}的上限 ${limit} 字节。`);

export const malformedBody = (detail: string) =>
  err('InvalidParameter', `The request body could not be parsed: ${detail}.`, `请求体无法解析：${detail}。`);

// --- authentication -------------------------------------------------------------------------

export const invalidAuthorization = (detail: string) =>
  err('AuthFailure.InvalidAuthorization', `The Authorization header is malformed: ${detail}.`,
    `Authorization 请求头格式错误：${detail}。`);

export const signatureExpire = (timestamp: string, now: number) =>
  err('AuthFailure.SignatureExpire',
    `The request timestamp ${timestamp} is more than 300 seconds away from the server time ${now}; check the client clock.`,
    `请求时间戳 ${timestamp} 与服务器时间 ${now} 相差超过 300 秒，签名已过期，请校准客户端时间。`);

export const secretIdNotFound = (secretId: string) =>
  err('AuthFailure.SecretIdNotFound', `The SecretId ${secretId} does not exist or is disabled.`,
    `密钥 ${secretId} 不存在或已被禁用。`);

export const invalidSecretId = (secretId: string) =>
  err('AuthFailure.InvalidSecretId', `The SecretId "${secretId}" is not a valid API key id.`,
    `密钥 "${secretId}" 不是合法的云 API 密钥。`);

export const signatureFailure = (detail: string, detailZh: string) =>
  err('AuthFailure.SignatureFailure', `The provided credentials could not be validated: ${detail}.`,
    `签名验证失败：${detailZh}。`);

/** The console's session cookie is unknown, expired, or its request lacks the session's CSRF token. */
export const sessionFailure = (detail: string, detailZh: string) =>
  err('AuthFailure.InvalidAuthorization', `The console session is not valid: ${detail}.`, `控制台会话无效：${detailZh}。`);

export const tokenFailure = (detail: string, detailZh: string) =>
  err('AuthFailure.TokenFailure', `The temporary credential token is invalid: ${detail}.`, `临时凭证 Token 无效：${detailZh}。`);

export const unauthorizedOperation = (action: string, resource: string) =>
  err('AuthFailure.UnauthorizedOperation', `You are not authorized to perform ${action} on ${resource}.`,
    `您没有权限对 ${resource} 执行 ${action} 操作。`);

// --- routing --------------------------------------------------------------------------------

export const invalidAction = (action: string, service: string) =>
  err('InvalidAction', `The action "${action}" does not exist in service ${service}.`, `接口 "${action}" 在服务 ${service} 中不存在。`);

export const noSuchVersion = (version: string, known: string) =>
  err('NoSuchVersion', `The API version "${version}" does not exist; supported: ${known}.`,
    `接口版本 "${version}" 不存在；支持的版本：${known}。`);

export const unsupportedRegion = (region: string) =>
  err('UnsupportedRegion', `The region "${region}" is not supported; call DescribeRegions for the list.`,
    `不支持地域 "${region}"，请调用 DescribeRegions 查看地域列表。`);

export const requestLimitExceeded = (action: string, limit: number) =>
  err('RequestLimitExceeded', `${action} is limited to ${limit} requests per second per account; retry later.`,
    `${action} 的请求频率超过限制（每账号每秒 ${limit} 次），请稍后重试。`);

// --- parameters -----------------------------------------------------------------------------

export const missingParameter = (path: string) =>
  err('MissingParameter', `The parameter ${path} is required.`, `缺少必选参数 ${path}。`);

export const unknownParameter = (path: string) =>
  err('UnknownParameter', `The parameter ${path} is not recognized by this action.`, `未知参数 ${path}。`);

export const invalidParameter = (path: string, expected: string, expectedZh = expected) =>
  err('InvalidParameter', `The parameter ${path} must be ${expected}.`, `参数 ${path} 的类型错误，应为${expectedZh}。`);

export const invalidParameterValue = (path: string, reason: string, reasonZh = reason) =>
  err('InvalidParameterValue', `The value of ${path} is invalid: ${reason}.`, `参数 ${path} 的取值无效：${reasonZh}。`);

// --- resources and operations ---------------------------------------------------------------

export const resourceNotFound = (kind: string, id: string) =>
  err('ResourceNotFound', `The ${kind} ${id} does not exist.`, `${kind} ${id} 不存在。`);

export const unsupportedOperation = (detail: string, detailZh: string) =>
  err('UnsupportedOperation', detail, detailZh);

export const internalError = () =>
  err('InternalError', 'An internal error occurred; quote the RequestId when reporting it.', '内部错误，请提供 RequestId 联系我们。');

export const limitExceeded = (detail: string, detailZh: string) =>
  err('LimitExceeded', detail, detailZh);
