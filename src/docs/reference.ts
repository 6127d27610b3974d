/**
 * The API reference, generated from the spec the gateway validates with — every service, action,
 * parameter (type, required, limits, description), answer field, structure, error code, and an
 * example request (HTTP, CLI, SDK) and answer — in English and Chinese. Served at /docs/ by the
 * HTTP edge; pages are rendered once per (page, language) and kept.
 *
 *   /docs/                     services, signing, common error codes, SDK and CLI
 *   /docs/<service>/           its actions and structures
 *   /docs/<service>/<Action>   one action
 *   ?lang=zh-CN | en-US        language (default: the browser's Accept-Language)
 */
import { ERROR_CODES } from '../shared/errors.ts';
import type { Action, Member, ServiceSpec } from '../spec/model.ts';

export type DocsLanguage = 'en-US' | 'zh-CN';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const para = (s: string) => esc(s).replace(/\n/g, '<br>');

interface Tx {
  lang: DocsLanguage;
  t(en: string, zh: string): string;
}
const tx = (lang: DocsLanguage): Tx => ({ lang, t: (en, zh) => (lang === 'zh-CN' ? zh : en) });

/** What each common error code means (the catalog of src/shared/errors.ts). */
const ERROR_MEANING: Record<string, [string, string]> = {
  'AuthFailure.InvalidAuthorization': ['The Authorization header is malformed.', '请求头部的 Authorization 不符合规范。'],
  'AuthFailure.InvalidSecretId': ['The SecretId is not a valid key id.', '密钥非法（不是云 API 密钥类型）。'],
  'AuthFailure.MFAFailure': ['MFA check failed.', 'MFA 错误。'],
  'AuthFailure.SecretIdNotFound': ['The key does not exist or is disabled.', '密钥不存在或已被禁用。'],
  'AuthFailure.SignatureExpire': ['The timestamp is more than 5 minutes from the server time.', '签名过期：时间戳与服务器时间相差超过五分钟。'],
  'AuthFailure.SignatureFailure': ['The signature does not match.', '签名错误。'],
  'AuthFailure.TokenFailure': ['The token of temporary credentials is wrong or expired.', '临时证书 Token 错误或已过期。'],
  'AuthFailure.UnauthorizedOperation': ['The request is not authorized (CAM).', '请求未授权（CAM）。'],
  DryRunOperation: ['DryRun: the request would have succeeded; nothing was changed.', 'DryRun 操作：请求可以成功，但未做任何变更。'],
  FailedOperation: ['The operation failed (the message says why).', '操作失败（原因见错误信息）。'],
  'InvalidAccount.InsufficientBalance': ['The account is in arrears (its balance, named in the message, is negative): recharge it before launching.', '账号已欠费（错误信息中给出余额）：请充值后再创建实例。'],
  InternalError: ['Internal error (never caused by the request; report the RequestId).', '内部错误（与请求无关，请提供 RequestId）。'],
  InvalidAction: ['The action does not exist in this service.', '接口不存在。'],
  InvalidParameter: ['A parameter has the wrong type or format.', '参数类型或格式错误。'],
  InvalidParameterValue: ['A parameter value is out of range or not allowed.', '参数取值错误。'],
  LimitExceeded: ['A quota or limit is exceeded.', '超过配额限制。'],
  MissingParameter: ['A required parameter is missing.', '缺少必填参数。'],
  NoSuchVersion: ['The API version does not exist.', '接口版本不存在。'],
  RequestLimitExceeded: ['Too many requests per second for this action (safe to retry after a pause).', '请求频率超过限制（稍后重试是安全的）。'],
  ResourceInUse: ['The resource is in use.', '资源被占用。'],
  ResourceInsufficient: ['Not enough resources (e.g. no free server of the flavor).', '资源不足。'],
  ResourceNotFound: ['The resource does not exist (or belongs to another account).', '资源不存在。'],
  ResourceUnavailable: ['The resource is not available in its current state.', '资源当前状态不可用。'],
  UnauthorizedOperation: ['Not authorized.', '未授权操作。'],
  UnknownParameter: ['The request has a parameter the action does not take.', '未知参数。'],
  UnsupportedOperation: ['The operation is not supported (e.g. in this state).', '操作不支持。'],
  UnsupportedProtocol: ['The HTTP method, content type or protocol is not supported.', 'HTTP 方法、内容类型或协议不支持。'],
  UnsupportedRegion: ['The region is not served.', '地域不支持。'],
};

const typeName = (m: Member) => `${m.type === 'Object' ? m.ref : m.type}${m.array ? '[]' : ''}`;

function limits(m: Member, x: Tx): string {
  const p: string[] = [];
  if (m.minLength !== undefined || m.maxLength !== undefined) p.push(x.t(`length ${m.minLength ?? 0}–${m.maxLength ?? '∞'}`, `长度 ${m.minLength ?? 0}–${m.maxLength ?? '∞'}`));
  if (m.minimum !== undefined || m.maximum !== undefined) p.push(x.t(`range ${m.minimum ?? '−∞'}–${m.maximum ?? '∞'}`, `取值 ${m.minimum ?? '−∞'}–${m.maximum ?? '∞'}`));
  if (m.minItems !== undefined || m.maxItems !== undefined) p.push(x.t(`${m.minItems ?? 0}–${m.maxItems ?? '∞'} items`, `${m.minItems ?? 0}–${m.maxItems ?? '∞'} 项`));
  if (m.enum) p.push(`${x.t('one of', '可选')} ${m.enum.map((e) => `<code>${esc(e)}</code>`).join(', ')}`);
  if (m.filters) p.push(`${x.t('filters', '过滤条件')}: ${m.filters.map((e) => `<code>${esc(e)}</code>`).join(', ')}`);
  if (m.maxFilterValues) p.push(x.t(`at most ${m.maxFilterValues} values per filter`, `每个过滤条件最多 ${m.maxFilterValues} 个值`));
  if (m.default !== undefined) p.push(`${x.t('default', '默认')} <code>${esc(String(m.default))}</code>`);
  return p.join('<br>');
}

function memberTable(members: Member[], x: Tx, service: string, input: boolean): string {
  if (members.length === 0) return `<p>${x.t('None.', '无。')}</p>`;
  const head = input
    ? `<tr><th>${x.t('Name', '名称')}</th><th>${x.t('Type', '类型')}</th><th>${x.t('Required', '必选')}</th><th>${x.t('Limits', '限制')}</th><th>${x.t('Description', '描述')}</th></tr>`
    : `<tr><th>${x.t('Name', '名称')}</th><th>${x.t('Type', '类型')}</th><th>${x.t('Description', '描述')}</th></tr>`;
  const rows = members.map((m) => {
    const type = m.ref ? `<a href="/docs/${service}/?lang=${x.lang}#${m.ref}">${esc(typeName(m))}</a>` : esc(typeName(m));
    const doc = para(x.t(m.documentEn ?? m.document, m.document)) + (!input && m.nullable ? x.t(' <em>(may be null)</em>', ' <em>（可能返回 null）</em>') : '');
    return input
      ? `<tr><td><code>${m.name}</code></td><td>${type}</td><td>${m.required ? x.t('Yes', '是') : x.t('No', '否')}</td><td>${limits(m, x)}</td><td>${doc}</td></tr>`
      : `<tr><td><code>${m.name}</code></td><td>${type}</td><td>${doc}</td></tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

/** An example value for a member, from its example, enum, default or limits. */
function exampleOf(m: Member, spec: ServiceSpec, depth = 0): unknown {
  const one = (): unknown => {
    if (m.type === 'Object') {
      const s = spec.objects[m.ref!];
      return s && depth < 3 ? Object.fromEntries(s.members.map((f) => [f.name, exampleOf(f, spec, depth + 1)])) : {};
    }
    const raw = m.example ?? m.enum?.[0] ?? (m.default !== undefined ? String(m.default) : undefined);
    if (['Int64', 'Uint64', 'Integer', 'Float'].includes(m.type)) return raw !== undefined && Number.isFinite(Number(raw)) ? Number(raw) : m.minimum ?? (m.name === 'Limit' ? 20 : 0);
    if (m.type === 'Bool') return raw === 'true' ? true : false;
    if (m.type === 'Datetime') return raw ?? '2026-01-01T00:00:00Z';
    return raw ?? m.name.replace(/Ids?$/, 'Id').replace(/^(.)/, (c) => c.toLowerCase()) + '-xxxx';
  };
  return m.array ? [one()] : one();
}

function exampleRequest(spec: ServiceSpec, a: Action, full: boolean): Record<string, unknown> {
  return Object.fromEntries(a.input.filter((m) => full || m.required).map((m) => [m.name, exampleOf(m, spec)]));
}

function errorsOf(name: string, a: Action): string[] {
  const codes = new Set<string>(['AuthFailure.SignatureFailure', 'AuthFailure.SecretIdNotFound', 'AuthFailure.SignatureExpire', 'AuthFailure.TokenFailure', 'AuthFailure.UnauthorizedOperation', 'RequestLimitExceeded', 'InternalError']);
  if (a.input.length) ['UnknownParameter', 'InvalidParameter', 'InvalidParameterValue'].forEach((c) => codes.add(c));
  if (a.input.some((m) => m.required)) codes.add('MissingParameter');
  if (a.input.some((m) => /Ids?$/.test(m.name) && m.type === 'String')) codes.add('ResourceNotFound');
  if (a.input.some((m) => m.name === 'DryRun')) codes.add('DryRunOperation');
  if (a.mutating) ['ResourceUnavailable', 'UnsupportedOperation', 'LimitExceeded'].forEach((c) => codes.add(c));
  if (/^(Run|Create|Allocate)/.test(name)) codes.add('ResourceInsufficient');
  if (name === 'RunInstances') codes.add('InvalidAccount.InsufficientBalance'); // a tenant in arrears cannot launch (src/billing/arrears.ts)
  return ERROR_CODES.filter((c) => codes.has(c));
}

const STYLE = `body{font:15px/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2129;background:#fff}
header{background:#0052d9;color:#fff;padding:10px 24px;display:flex;gap:18px;align-items:center}header a{color:#fff}
main{max-width:1100px;margin:0 auto;padding:8px 24px 48px}a{color:#0052d9;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%;margin:8px 0 18px}th,td{border:1px solid #dcdcdc;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}pre{background:#f6f8fa;padding:10px;overflow:auto;border-radius:4px}
.tag{display:inline-block;background:#e8f3ff;color:#0052d9;border-radius:3px;padding:0 6px;margin-right:6px;font-size:12px}`;

function page(x: Tx, title: string, path: string, body: string): string {
  const other = x.lang === 'zh-CN' ? ['en-US', 'English'] : ['zh-CN', '中文'];
  return `<!doctype html><html lang="${x.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)} — BMS API</title><style>${STYLE}</style></head><body><header><strong><a href="/docs/?lang=${x.lang}">BMS API ${x.t('Reference', '参考')}</a></strong>` +
    `<span style="flex:1"></span><a href="${path}?lang=${other[0]}">${other[1]}</a></header><main>${body}</main></body></html>`;
}

export function renderIndex(specs: ServiceSpec[], lang: DocsLanguage): string {
  const x = tx(lang);
  const rows = specs.map((s) => `<tr><td><a href="/docs/${s.service}/?lang=${lang}"><code>${s.service}</code></a></td><td>${s.version}</td><td>${Object.keys(s.actions).length}</td></tr>`).join('');
  const errors = ERROR_CODES.map((c) => `<tr><td><code>${c}</code></td><td>${esc(x.t(...(ERROR_MEANING[c] ?? ['', ''])))}</td></tr>`).join('');
  return page(x, x.t('API reference', 'API 参考'), '/docs/', `<h1>${x.t('BMS API reference', 'BMS API 参考')}</h1>
<p>${x.t('Generated from the same spec the gateway validates requests with, so this page, the SDK, the CLI and the server cannot disagree.', '由网关校验请求所用的同一份接口描述生成：本文档、SDK、CLI 与服务端不会不一致。')}</p>
<h2>${x.t('Services', '服务')}</h2><table><tr><th>${x.t('Service', '服务')}</th><th>${x.t('Version', '版本')}</th><th>${x.t('Actions', '接口数')}</th></tr>${rows}</table>
<h2>${x.t('Calling the API', '调用方式')}</h2>
<p>${x.t('One endpoint serves every service: POST JSON signed with TC3-HMAC-SHA256 (headers X-TC-Action, X-TC-Version, X-TC-Region, X-TC-Timestamp, Authorization; X-TC-Token for temporary credentials; X-TC-Language: zh-CN for Chinese messages), or HmacSHA1/HmacSHA256 over GET or a form body. Every answer is HTTP 200 with {"Response": {…, "RequestId"}}; an error is {"Response": {"Error": {"Code", "Message"}, "RequestId"}}.',
    '所有服务共用一个接入地址：以 TC3-HMAC-SHA256 签名的 JSON POST（请求头 X-TC-Action、X-TC-Version、X-TC-Region、X-TC-Timestamp、Authorization；临时证书加 X-TC-Token；X-TC-Language: zh-CN 返回中文信息），或以 HmacSHA1/HmacSHA256 签名的 GET 与表单。应答均为 HTTP 200 的 {"Response": {…, "RequestId"}}；出错时为 {"Response": {"Error": {"Code", "Message"}, "RequestId"}}。')}</p>
<pre>npx bms configure --from-file data/demo-credentials.json
npx bms instance list --output table
npx bms bms DescribeInstances --Limit 10 --filter "InstanceSet[].InstanceId"</pre>
<pre>import { BmsClient } from '@bms/sdk/bms';
const bms = new BmsClient({ endpoint: '127.0.0.1:8080', region: 'ap-guangzhou', credentials: { secretId, secretKey } });
const { InstanceSet } = await bms.DescribeInstances({ Limit: 10 });</pre>
<h2 id="errors">${x.t('Error codes', '错误码')}</h2><p>${x.t('The services define no business codes: every failure is one of these, with a message naming the parameter or resource.', '各服务没有业务错误码：所有失败都是下列之一，错误信息会指明具体的参数或资源。')}</p><table><tr><th>${x.t('Code', '错误码')}</th><th>${x.t('Meaning', '说明')}</th></tr>${errors}</table>`);
}

export function renderService(spec: ServiceSpec, lang: DocsLanguage): string {
  const x = tx(lang);
  const actions = Object.entries(spec.actions).map(([n, a]) =>
    `<tr><td><a href="/docs/${spec.service}/${n}?lang=${lang}"><code>${n}</code></a></td><td>${esc(x.t(a.titleEn, a.title))}</td><td>${a.mutating ? x.t('write', '写') : x.t('read', '读')}</td><td>${a.rateLimit}</td></tr>`).join('');
  const objects = Object.entries(spec.objects).map(([n, s]) => `<h3 id="${n}">${n}</h3><p>${para(s.document)}</p>${memberTable(s.members, x, spec.service, false)}`).join('');
  return page(x, spec.service, `/docs/${spec.service}/`, `<h1><code>${spec.service}</code> ${spec.version}</h1>
<table><tr><th>${x.t('Action', '接口')}</th><th>${x.t('Description', '描述')}</th><th>${x.t('Kind', '类型')}</th><th>${x.t('Requests/s', '频率限制（次/秒）')}</th></tr>${actions}</table>
<h2>${x.t('Data structures', '数据结构')}</h2>${objects}`);
}

export function renderAction(spec: ServiceSpec, name: string, lang: DocsLanguage): string {
  const x = tx(lang);
  const a = spec.actions[name]!;
  const body = exampleRequest(spec, a, false);
  const json = JSON.stringify(body);
  const answer = { Response: { ...Object.fromEntries(a.output.map((m) => [m.name, exampleOf(m, spec)])), RequestId: '6ef60bec-0242-43af-bb20-270359fb54a7' } };
  const cli = `bms ${spec.service} ${name}${Object.entries(body).map(([k, v]) => ` --${k} ${typeof v === 'string' ? v : `'${JSON.stringify(v)}'`}`).join('')}`;
  const sdkClass = `${spec.service[0]!.toUpperCase()}${spec.service.slice(1)}Client`;
  const errors = errorsOf(name, a).map((c) => `<tr><td><a href="/docs/?lang=${lang}#errors"><code>${c}</code></a></td><td>${esc(x.t(...(ERROR_MEANING[c] ?? ['', ''])))}</td></tr>`).join('');
  return page(x, name, `/docs/${spec.service}/${name}`, `<p><a href="/docs/${spec.service}/?lang=${lang}"><code>${spec.service}</code> ${spec.version}</a></p>
<h1><code>${name}</code> — ${esc(x.t(a.titleEn, a.title))}</h1>
<p><span class="tag">${a.mutating ? x.t('mutating', '写操作') : x.t('read-only', '只读')}</span><span class="tag">${x.t(`${a.rateLimit} requests/s per account`, `每账号 ${a.rateLimit} 次/秒`)}</span>${a.origin === 'extension' ? `<span class="tag">${x.t('BMS extension', 'BMS 扩展')}</span>` : ''}</p>
<p>${para(lang === 'zh-CN' ? a.document : `${a.titleEn}.`)}</p>
<h2>${x.t('Input parameters', '输入参数')}</h2>${memberTable(a.input, x, spec.service, true)}
<h2>${x.t('Output parameters', '输出参数')}</h2>${memberTable([...a.output, { name: 'RequestId', type: 'String', required: true, nullable: false, document: '唯一请求 ID，每次请求都会返回。定位问题时需要提供该次请求的 RequestId。', documentEn: 'The unique ID of the request; quote it when reporting a problem.' }], x, spec.service, false)}
<h2>${x.t('Example', '示例')}</h2>
<h3>${x.t('Request', '请求')}</h3><pre>POST / HTTP/1.1
Host: 127.0.0.1:8080
Content-Type: application/json; charset=utf-8
X-TC-Action: ${name}
X-TC-Version: ${spec.version}
X-TC-Region: ap-guangzhou
X-TC-Timestamp: 1767225600
Authorization: TC3-HMAC-SHA256 Credential=AKID…/2026-01-01/${spec.service}/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=…

${esc(json)}</pre>
<h3>CLI</h3><pre>${esc(cli)}</pre>
<h3>SDK</h3><pre>${esc(`import { ${sdkClass} } from '@bms/sdk/${spec.service}';\nconst client = new ${sdkClass}({ endpoint, region: 'ap-guangzhou', credentials });\nconst answer = await client.${name}(${json === '{}' ? '' : JSON.stringify(body, null, 2)});`)}</pre>
<h3>${x.t('Answer', '应答')}</h3><pre>${esc(JSON.stringify(answer, null, 2))}</pre>
<h2>${x.t('Error codes', '错误码')}</h2><table><tr><th>${x.t('Code', '错误码')}</th><th>${x.t('Meaning', '说明')}</th></tr>${errors}</table>`);
}

export interface DocsAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Serves /docs/… from `specs`; rendered pages are kept (the specs do not change while running). */
export function docsSite(specs: ServiceSpec[]) {
  const cache = new Map<string, DocsAnswer>();
  const byName = new Map(specs.map((s) => [s.service, s]));
  const html = (body: string, status = 200): DocsAnswer => ({ status, contentType: 'text/html; charset=utf-8', body });
  return (url: string, acceptLanguage: string | undefined): DocsAnswer => {
    const u = new URL(url, 'http://docs.local');
    const asked = u.searchParams.get('lang');
    const lang: DocsLanguage = asked === 'zh-CN' || asked === 'en-US' ? asked : /^zh/i.test(acceptLanguage ?? '') ? 'zh-CN' : 'en-US';
    const key = `${lang} ${u.pathname}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const parts = u.pathname.split('/').filter(Boolean); // ['docs', service?, action?]
    let out: DocsAnswer;
    if (parts.length === 1) out = html(renderIndex(specs, lang));
    else if (parts.length <= 3 && byName.has(parts[1]!)) {
      const spec = byName.get(parts[1]!)!;
      if (parts.length === 2) out = html(renderService(spec, lang));
      else if (Object.hasOwn(spec.actions, parts[2]!)) out = html(renderAction(spec, parts[2]!, lang));
      else out = html(page(tx(lang), 'Not found', u.pathname, `<h1>404</h1><p>${esc(parts[1]!)} has no action ${esc(parts[2]!)}. <a href="/docs/${esc(parts[1]!)}/">${esc(parts[1]!)}</a></p>`), 404);
    } else out = html(page(tx(lang), 'Not found', u.pathname, `<h1>404</h1><p><a href="/docs/">/docs/</a></p>`), 404);
    if (out.status === 200) cache.set(key, out);
    return out;
  };
}
