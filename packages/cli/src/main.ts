/**
 * `bms` — the BMS command line, on the SDK.
 *
 *   bms <service> <Action> [--Param value …]   any action of any service, tccli's shape (JSON values)
 *   bms instance list|create|stop|start|reboot|reinstall|return …   task commands, with --wait
 *   bms task list|wait …, bms ops server register|list …, bms configure …, bms completion bash|zsh
 *
 * Exit codes: exit-codes.ts. Help texts come from the spec, in English or Chinese (--language).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jmespath from 'jmespath';
import { BaseClient, type ActionMeta, type ClientOptions } from '../../sdk/src/client.ts';
import { BmsError, BmsNetworkError, BmsWaiterError } from '../../sdk/src/errors.ts';
import { BmsClient, type Instance } from '../../sdk/src/services/bms.ts';
import { waitForInstances, waitForTasks } from '../../sdk/src/waiters.ts';
import { parseArgs, suggest, type Parsed } from './args.ts';
import { completionScript } from './complete.ts';
import { listProfiles, readCredentialsFile, readProfile, writeProfile } from './config.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { render } from './format.ts';
import { SPECS } from './generated/specs.ts';
import { progressView } from './progress.ts';
import type { Action, Member, ServiceSpec } from './spec-types.ts';
import { VERSION } from './version.ts';

type Lang = 'en-US' | 'zh-CN';
type Json = Record<string, unknown>;

const services = SPECS as Record<string, ServiceSpec>;
const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

/** Everything a command needs, resolved from options, environment, profile and defaults. */
class Context {
  readonly lang: Lang;
  readonly output: string;
  readonly profileName: string;
  #creds?: { secretId: string; secretKey: string; token?: string };
  #region?: string;
  #endpoint?: string;

  constructor(readonly args: Parsed, readonly env: NodeJS.ProcessEnv) {
    this.profileName = args.options.profile ?? env.BMS_PROFILE ?? 'default';
    const { profile } = readProfile(env, this.profileName);
    const lang = args.options.language ?? profile.language ?? env.BMS_LANGUAGE ?? (/^zh/i.test(env.LANG ?? '') ? 'zh-CN' : 'en-US');
    if (lang !== 'en-US' && lang !== 'zh-CN') throw new UsageError(`--language must be zh-CN or en-US, not ${lang}`);
    this.lang = lang;
    const output = args.options.output ?? profile.output ?? 'json';
    if (!['json', 'table', 'text'].includes(output)) throw new UsageError(`--output must be json, table or text, not ${output}`);
    this.output = output;
  }

  t(en: string, zh: string) {
    return this.lang === 'zh-CN' ? zh : en;
  }

  #resolve() {
    if (this.#creds) return;
    const { args, env } = this;
    const { profile, credential } = readProfile(env, this.profileName);
    const file = args.options['credentials-file'] ? readCredentialsFile(args.options['credentials-file']) : undefined;
    const secretId = args.options['secret-id'] ?? env.TENCENTCLOUD_SECRET_ID ?? file?.secretId ?? credential.secretId;
    const secretKey = args.options['secret-key'] ?? env.TENCENTCLOUD_SECRET_KEY ?? file?.secretKey ?? credential.secretKey;
    const token = args.options.token ?? env.TENCENTCLOUD_SESSION_TOKEN ?? file?.token ?? credential.token;
    if (!secretId || !secretKey) {
      throw new UsageError(this.t(
        `no credentials: run \`bms configure --profile ${this.profileName} --from-file data/demo-credentials.json\` (or --secret-id/--secret-key), set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or pass --credentials-file`,
        `没有凭证：请运行 \`bms configure --profile ${this.profileName} --from-file data/demo-credentials.json\`（或 --secret-id/--secret-key），或设置 TENCENTCLOUD_SECRET_ID 与 TENCENTCLOUD_SECRET_KEY，或使用 --credentials-file`,
      ));
    }
    this.#creds = { secretId, secretKey, ...(token ? { token } : {}) };
    this.#region = args.options.region ?? env.TENCENTCLOUD_REGION ?? file?.region ?? profile.region ?? 'ap-guangzhou';
    this.#endpoint = args.options.endpoint ?? env.BMS_ENDPOINT ?? file?.endpoint ?? profile.endpoint ?? 'http://127.0.0.1:8080';
  }

  clientOptions(): ClientOptions {
    this.#resolve();
    return { endpoint: this.#endpoint!, region: this.#region!, credentials: this.#creds!, language: this.lang };
  }

  client(service: string): BaseClient {
    const spec = services[service]!;
    return new BaseClient(this.clientOptions(), spec.service, spec.version, metaOf(spec));
  }

  bms(): BmsClient {
    return new BmsClient(this.clientOptions());
  }

  /** --timeout for --wait, in seconds (default 1800). */
  waitTimeoutMs(): number {
    const raw = this.args.options.timeout ?? '1800';
    const s = Number(raw);
    if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout must be a number of seconds, not ${raw}`);
    return s * 1000;
  }

  /** Prints an answer after --filter, in --output's format. */
  print(value: unknown, tableView?: (v: unknown) => unknown) {
    let v = value;
    const filter = this.args.options.filter;
    if (filter) {
      try {
        v = jmespath.search(value, filter);
      } catch (e) {
        throw new UsageError(`--filter "${filter}" is not valid JMESPath: ${(e as Error).message}`);
      }
    } else if (tableView && this.output !== 'json') v = tableView(value);
    out(render(v, this.output));
  }
}

function metaOf(spec: ServiceSpec): Record<string, ActionMeta> {
  return Object.fromEntries(Object.entries(spec.actions).map(([name, a]) => {
    const m: ActionMeta = {};
    if (a.mutating) m.m = 1;
    if (a.input.some((i) => i.name === 'ClientToken')) m.t = 1;
    return [name, m];
  }));
}

// ---- help ----

function limits(m: Member, ctx: Context): string {
  const p: string[] = [];
  if (m.minLength !== undefined || m.maxLength !== undefined) p.push(ctx.t(`length ${m.minLength ?? 0}-${m.maxLength ?? '∞'}`, `长度 ${m.minLength ?? 0}-${m.maxLength ?? '∞'}`));
  if (m.minimum !== undefined || m.maximum !== undefined) p.push(ctx.t(`range ${m.minimum ?? '-∞'}-${m.maximum ?? '∞'}`, `取值 ${m.minimum ?? '-∞'}-${m.maximum ?? '∞'}`));
  if (m.maxItems !== undefined) p.push(ctx.t(`at most ${m.maxItems} items`, `最多 ${m.maxItems} 项`));
  if (m.enum) p.push(ctx.t(`one of ${m.enum.join(', ')}`, `可选 ${m.enum.join('、')}`));
  if (m.filters) p.push(ctx.t(`filters: ${m.filters.join(', ')}`, `过滤条件：${m.filters.join('、')}`));
  if (m.default !== undefined) p.push(ctx.t(`default ${m.default}`, `默认 ${m.default}`));
  return p.length ? ` [${p.join('; ')}]` : '';
}

const typeName = (m: Member) => `${m.type === 'Object' ? m.ref : m.type}${m.array ? '[]' : ''}`;
const indent = (s: string, n: number) => s.split('\n').map((l) => ' '.repeat(n) + l.trim()).join('\n');

function actionHelp(service: string, name: string, a: Action, ctx: Context): string {
  const spec = services[service]!;
  const lines = [
    `bms ${service} ${name} — ${ctx.t(a.titleEn, a.title)}`,
    '',
    indent(ctx.t(`${a.titleEn}. ${a.mutating ? 'Mutating' : 'Read-only'}; ${a.rateLimit} requests/s per account.`, a.document), 2),
    '',
    ctx.t('Usage:', '用法：'),
    `  bms ${service} ${name}${a.input.filter((m) => m.required).map((m) => ` --${m.name} <${typeName(m)}>`).join('')} [${ctx.t('options', '选项')}]`,
    '',
    ctx.t('Parameters (JSON for structures and arrays, as tccli):', '参数（结构与数组写成 JSON，与 tccli 相同）：'),
  ];
  for (const m of a.input) {
    lines.push(`  --${m.name} <${typeName(m)}>${m.required ? ctx.t(' (required)', '（必填）') : ''}${limits(m, ctx)}`);
    lines.push(indent(ctx.t(m.documentEn ?? m.document, m.document), 6));
    if (m.ref && spec.objects[m.ref]) {
      for (const f of spec.objects[m.ref]!.members) lines.push(`      .${f.name} <${typeName(f)}>${f.required ? ctx.t(' required', ' 必填') : ''} — ${ctx.t(f.documentEn ?? f.document, f.document).split('\n')[0]}`);
    }
  }
  if (a.input.length === 0) lines.push(ctx.t('  (none)', '  （无）'));
  lines.push('', ctx.t('Answer fields:', '返回字段：'));
  for (const m of a.output) lines.push(`  ${m.name} <${typeName(m)}> — ${ctx.t(m.documentEn ?? m.document, m.document).split('\n')[0]}`);
  lines.push('', ctx.t(
    `Also: --generate-cli-skeleton, --cli-input-json <json|file://path>${a.input.some((m) => m.name === 'DryRun') ? ', --dry-run' : ''}, --filter <JMESPath>, --output json|table|text. Reference: /docs/${service}/${name}`,
    `另有：--generate-cli-skeleton、--cli-input-json <json|file://路径>${a.input.some((m) => m.name === 'DryRun') ? '、--dry-run' : ''}、--filter <JMESPath>、--output json|table|text。参考文档：/docs/${service}/${name}`,
  ));
  return lines.join('\n');
}

function serviceHelp(service: string, ctx: Context): string {
  const spec = services[service]!;
  const names = Object.keys(spec.actions);
  const w = Math.max(...names.map((n) => n.length));
  return [
    `bms ${service} — ${ctx.t('service', '服务')} ${spec.service} ${spec.version}`,
    '',
    ctx.t(`Usage: bms ${service} <Action> [--Param value …]   (bms ${service} <Action> --help for its parameters)`, `用法：bms ${service} <接口> [--参数 值 …]   （bms ${service} <接口> --help 查看参数）`),
    '',
    ...names.map((n) => `  ${n.padEnd(w)}  ${ctx.t(spec.actions[n]!.titleEn, spec.actions[n]!.title)}`),
  ].join('\n');
}

function globalHelp(ctx: Context): string {
  return ctx.t(`bms ${VERSION} — the BMS command line

Usage:
  bms <service> <Action> [--Param value …]     call any action (JSON values, as tccli)
  bms <service> --help                         the service's actions
  bms <service> <Action> --help                an action's parameters, limits and answer

Task commands:
  bms instance list [--zone z] [--status s] [--name n]
  bms instance create --password p [--zone z] [--flavor f] [--os o] [--raid r] [--subnet s] [--count n] [--name n] [--wait]
  bms instance stop|start|reboot|return <InstanceId …> [--wait] [--dry-run (return)]
  bms instance reinstall <InstanceId> --password p [--os o] [--raid r] [--wait]
  bms task list [--instance id] | bms task wait <TaskId …>
  bms ops server register --file servers.csv | bms ops server list
  bms configure [--profile p] [--from-file creds.json | --secret-id … --secret-key …] [--region r] [--endpoint e] [--output o]
  bms configure list
  bms completion bash|zsh                      e.g. source <(bms completion bash)

Services: ${Object.keys(services).join(', ')}

Options:
  --profile <name>          profile in $BMS_CONFIG_DIR or ~/.bms (default "default"; env BMS_PROFILE)
  --region <r>              region (env TENCENTCLOUD_REGION)
  --endpoint <url>          API endpoint (env BMS_ENDPOINT; default http://127.0.0.1:8080)
  --credentials-file <f>    a JSON credential file, e.g. data/demo-credentials.json written by npm start
  --secret-id, --secret-key, --token   keys (env TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN)
  --language zh-CN|en-US    language of help and error messages
  --output json|table|text  answer format (default json)
  --filter <JMESPath>       pick from the answer, e.g. "InstanceSet[].InstanceId"
  --wait                    wait until done, with progress per instance (step, elapsed, ETA); --timeout <s> (default 1800)
  --generate-cli-skeleton   print the action's input as JSON to fill in;  --cli-input-json <json|file://path>  read it back
  --dry-run                 check only, where the action has DryRun
  --version, --help

Exit codes:
  0 done · 1 the service answered an error (or every item of a batch failed) · 2 usage error
  3 timeout (--wait's deadline) · 4 a batch partly failed (the failed ids are named) · 5 no answer (network) · 130 interrupted`,
  `bms ${VERSION} — BMS 命令行

用法：
  bms <服务> <接口> [--参数 值 …]        调用任意接口（值为 JSON，与 tccli 相同）
  bms <服务> --help                      查看服务的接口
  bms <服务> <接口> --help               查看接口的参数、限制与返回

任务命令：
  bms instance list [--zone 可用区] [--status 状态] [--name 名称]
  bms instance create --password 密码 [--zone] [--flavor] [--os] [--raid] [--subnet] [--count] [--name] [--wait]
  bms instance stop|start|reboot|return <实例ID …> [--wait] [--dry-run（return）]
  bms instance reinstall <实例ID> --password 密码 [--os] [--raid] [--wait]
  bms task list [--instance 实例ID] | bms task wait <任务ID …>
  bms ops server register --file servers.csv | bms ops server list
  bms configure [--profile 名称] [--from-file 凭证.json | --secret-id … --secret-key …] [--region] [--endpoint] [--output]
  bms configure list
  bms completion bash|zsh                例如 source <(bms completion bash)

服务：${Object.keys(services).join('、')}

选项：
  --profile <名称>          配置（$BMS_CONFIG_DIR 或 ~/.bms，默认 default；环境变量 BMS_PROFILE）
  --region <地域>           地域（环境变量 TENCENTCLOUD_REGION）
  --endpoint <地址>         接口地址（环境变量 BMS_ENDPOINT；默认 http://127.0.0.1:8080）
  --credentials-file <文件> JSON 凭证文件，例如 npm start 写出的 data/demo-credentials.json
  --secret-id、--secret-key、--token   密钥（环境变量 TENCENTCLOUD_SECRET_ID、TENCENTCLOUD_SECRET_KEY、TENCENTCLOUD_SESSION_TOKEN）
  --language zh-CN|en-US    帮助与错误信息的语言
  --output json|table|text  输出格式（默认 json）
  --filter <JMESPath>       从返回中选取，例如 "InstanceSet[].InstanceId"
  --wait                    等待完成，逐台显示进度（步骤、耗时、预计剩余）；--timeout <秒>（默认 1800）
  --generate-cli-skeleton   输出接口入参的 JSON 模板；--cli-input-json <json|file://路径> 读回
  --dry-run                 仅检查（接口支持 DryRun 时）
  --version、--help

退出码：
  0 完成 · 1 服务返回错误（或批量全部失败） · 2 用法错误 · 3 超时（--wait 的期限）
  4 批量部分失败（列出失败的 ID） · 5 无应答（网络） · 130 被中断`);
}

// ---- generic actions ----

function skeletonOf(members: Member[], spec: ServiceSpec, depth = 0): Json {
  const value = (m: Member): unknown => {
    const one = m.type === 'Object'
      ? depth > 4 ? {} : skeletonOf(spec.objects[m.ref!]?.members ?? [], spec, depth + 1)
      : m.type === 'Bool' ? false : ['String', 'Datetime'].includes(m.type) ? '' : 0;
    return m.array ? [one] : one;
  };
  return Object.fromEntries(members.map((m) => [m.name, value(m)]));
}

function parseValue(m: Member, raw: string, where: string): unknown {
  if (m.array || m.type === 'Object') {
    try {
      return JSON.parse(raw);
    } catch {
      if (m.array && m.type === 'String' && !raw.trim().startsWith('[')) return [raw]; // one id without brackets
      throw new UsageError(`${where} expects JSON (${typeName(m)}), e.g. ${m.array ? '\'["a","b"]\'' : '\'{"Key":"value"}\''}; got ${raw}`);
    }
  }
  if (['Int64', 'Uint64', 'Integer', 'Float'].includes(m.type)) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${where} expects a number, got ${raw}`);
    return n;
  }
  if (m.type === 'Bool') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`${where} expects true or false, got ${raw}`);
    return raw === 'true';
  }
  return raw;
}

function readInputJson(raw: string): Json {
  const text = raw.startsWith('file://') ? readFileSync(raw.slice('file://'.length), 'utf8') : raw;
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Json;
  } catch (e) {
    throw new UsageError(`--cli-input-json is not a JSON object (${(e as Error).message})`);
  }
}

function buildParams(service: string, action: string, a: Action, ctx: Context): Json {
  const spec = services[service]!;
  const params: Json = ctx.args.options['cli-input-json'] ? readInputJson(ctx.args.options['cli-input-json']) : {};
  for (const [path, raw] of ctx.args.params) {
    const [top, ...rest] = path.split('.');
    const m = a.input.find((x) => x.name === top);
    if (!m) throw new UsageError(`${action} has no parameter --${top}${suggest(top!, a.input.map((x) => x.name))} (bms ${service} ${action} --help)`);
    if (rest.length === 0) {
      params[top!] = parseValue(m, raw, `--${path}`);
      continue;
    }
    // --Placement.Zone z: one member of a structure
    let members = spec.objects[m.ref ?? '']?.members;
    if (!members || m.array) throw new UsageError(`--${path}: ${top} is not a structure; give it whole as JSON`);
    let target = (params[top!] ??= {}) as Json;
    for (let i = 0; i < rest.length; i++) {
      const f: Member | undefined = members.find((x) => x.name === rest[i]);
      if (!f) throw new UsageError(`--${path}: ${m.ref} has no member ${rest[i]}${suggest(rest[i]!, members.map((x) => x.name), '')}`);
      if (i === rest.length - 1) target[f.name] = parseValue(f, raw, `--${path}`);
      else {
        members = spec.objects[f.ref ?? '']?.members;
        if (!members || f.array) throw new UsageError(`--${path}: ${f.name} is not a structure`);
        target = (target[f.name] ??= {}) as Json;
      }
    }
  }
  if (ctx.args.flags.has('dry-run')) {
    if (!a.input.some((m) => m.name === 'DryRun')) throw new UsageError(`${action} has no DryRun; --dry-run does not apply`);
    params.DryRun = true;
  }
  const missing = a.input.filter((m) => m.required && !(m.name in params)).map((m) => `--${m.name}`);
  if (missing.length) throw new UsageError(`${action} needs ${missing.join(', ')} (bms ${service} ${action} --help)`);
  return params;
}

async function callAction(service: string, action: string, ctx: Context): Promise<number> {
  const spec = services[service]!;
  const a = spec.actions[action];
  if (!a) throw new UsageError(`${service} has no action ${action}${suggest(action, Object.keys(spec.actions), '')} (bms ${service} --help)`);
  if (ctx.args.flags.has('help')) {
    out(actionHelp(service, action, a, ctx));
    return EXIT.OK;
  }
  if (ctx.args.flags.has('generate-cli-skeleton')) {
    out(JSON.stringify(skeletonOf(a.input, spec), null, 2));
    return EXIT.OK;
  }
  const params = buildParams(service, action, a, ctx);
  const answer = await ctx.client(service).request<Json>(action, params);
  ctx.print(answer);
  return EXIT.OK;
}

// ---- task commands ----

const instanceRow = (i: Instance) => ({
  InstanceId: i.InstanceId, InstanceName: i.InstanceName, Status: i.Status, Zone: i.Placement?.Zone, FlavorId: i.FlavorId,
  PrivateIp: i.PrivateIpAddresses?.[0], PublicIp: i.PublicIpAddresses?.[0] ?? '', OperatingSystem: i.OperatingSystem, CreatedTime: i.CreatedTime,
});

async function instanceList(ctx: Context): Promise<number> {
  const filters: Array<{ Name: string; Values: string[] }> = [];
  const o = ctx.args.options;
  if (o.zone) filters.push({ Name: 'zone', Values: [o.zone] });
  if (o.status) filters.push({ Name: 'instance-state', Values: [o.status] });
  if (o.name) filters.push({ Name: 'instance-name', Values: [o.name] });
  const ids = ctx.args.words.slice(2);
  const bms = ctx.bms();
  const set: Instance[] = [];
  const params = ids.length ? { InstanceIds: ids } : filters.length ? { Filters: filters } : {};
  for await (const i of bms.paginate('DescribeInstances', params)) set.push(i);
  ctx.print({ TotalCount: set.length, InstanceSet: set }, (v) => (v as { InstanceSet: Instance[] }).InstanceSet.map(instanceRow));
  return EXIT.OK;
}

/** Progress on stderr, per instance; a plain line per change when stderr is not a terminal. */
async function waitWithProgress(ctx: Context, ids: string[], status: string, label: string) {
  const view = progressView(process.stderr, label);
  try {
    return await waitForInstances(ctx.bms(), ids, status, { timeoutMs: ctx.waitTimeoutMs(), onProgress: (p) => view.update(p) });
  } finally {
    view.finish();
  }
}

async function instanceCreate(ctx: Context): Promise<number> {
  const o = ctx.args.options;
  if (!o.password) throw new UsageError(ctx.t('instance create needs --password (the login password of the new instances)', 'instance create 需要 --password（新实例的登录密码）'));
  const count = Number(o.count ?? '1');
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count must be a positive whole number, not ${o.count}`);
  const bms = ctx.bms();
  const vpc = ctx.client('vpc');
  const zone = o.zone ?? (await bms.DescribeZones()).ZoneSet[0]?.Zone;
  if (!zone) throw new UsageError('no zone given (--zone) and the region has none');
  const { FlavorSet } = await bms.DescribeFlavors({ ...(o.flavor ? { FlavorIds: [o.flavor] } : { Filters: [{ Name: 'zone', Values: [zone] }] }), Limit: 100 });
  const flavor = o.flavor ? FlavorSet[0] : FlavorSet.find((f) => !f.UserDefined) ?? FlavorSet[0];
  if (!flavor) throw new UsageError(o.flavor ? `flavor ${o.flavor} does not exist` : `zone ${zone} sells no flavor`);
  const osType = o['os-type'] ?? 'Linux';
  const os = o.os ?? (flavor.OperatingSystem as unknown as Record<string, string[] | null>)[osType]?.[0];
  if (!os) throw new UsageError(`flavor ${flavor.FlavorId} has no ${osType} image; give --os`);
  const { SubnetSet } = await vpc.request<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string; IsBmsSubnet: boolean }> }>('DescribeSubnets', o.subnet ? { SubnetIds: [o.subnet] } : {});
  const subnet = o.subnet ? SubnetSet[0] : SubnetSet.find((s) => s.Zone === zone && s.IsBmsSubnet);
  if (!subnet) throw new UsageError(o.subnet ? `subnet ${o.subnet} does not exist` : `no BMS subnet in ${zone}; give --subnet`);
  const params = {
    Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: osType, OperatingSystem: os, RaidType: o.raid ?? flavor.RaidType[0]!,
    VirtualPrivateCloud: { VpcId: o.vpc ?? subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: o.password },
    InstanceCount: count, ...(o.name ? { InstanceName: o.name } : {}),
    // a ClientToken makes the launch idempotent, so the SDK may retry it safely
    ClientToken: o['client-token'] ?? randomUUID(),
  };
  const res = await bms.RunInstances(params);
  if (!ctx.args.flags.has('wait')) {
    ctx.print({ BmsId: res.BmsId, TaskId: res.TaskId, RequestId: res.RequestId });
    return EXIT.OK;
  }
  const done = await waitWithProgress(ctx, res.BmsId, 'RUNNING', ctx.t(`creating ${res.BmsId.length} instance(s): ${res.BmsId.join(' ')}`, `正在创建 ${res.BmsId.length} 台实例：${res.BmsId.join(' ')}`));
  ctx.print({ TotalCount: done.length, InstanceSet: done }, (v) => (v as { InstanceSet: Instance[] }).InstanceSet.map(instanceRow));
  return EXIT.OK;
}

const BATCH: Record<string, { action: string; goal: string; verb: [string, string] }> = {
  stop: { action: 'StopInstances', goal: 'STOPPED', verb: ['stopping', '正在关机'] },
  start: { action: 'StartInstances', goal: 'RUNNING', verb: ['starting', '正在开机'] },
  reboot: { action: 'RebootInstances', goal: 'RUNNING', verb: ['rebooting', '正在重启'] },
  return: { action: 'TerminateInstances', goal: 'GONE', verb: ['returning', '正在退还'] },
};

function describeError(e: unknown): string {
  if (e instanceof BmsError) return `${e.code}: ${e.message}${e.requestId ? ` (RequestId ${e.requestId})` : ''}`;
  return (e as Error).message;
}

/** One call per instance (a bad id fails only itself), four at a time; exit 4 when some failed. */
async function instanceBatch(ctx: Context, sub: string): Promise<number> {
  const spec = BATCH[sub]!;
  const ids = ctx.args.words.slice(2);
  if (ids.length === 0) throw new UsageError(`bms instance ${sub} needs one or more instance ids`);
  const dry = ctx.args.flags.has('dry-run');
  if (dry && sub !== 'return') throw new UsageError(`--dry-run applies to instance return only (${spec.action} has no DryRun)`);
  const bms = ctx.bms();
  const results: Array<{ InstanceId: string; TaskId?: unknown; Error?: string; Code?: string }> = [];
  const queue = [...new Set(ids)];
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const params: Json = { InstanceIds: [id], ...(dry ? { DryRun: true } : {}) };
        const r = await bms.request<{ TaskId: unknown }>(spec.action, params);
        results.push({ InstanceId: id, TaskId: r.TaskId });
      } catch (e) {
        if (dry && e instanceof BmsError && e.code === 'DryRunOperation') results.push({ InstanceId: id, Code: 'DryRunOperation' });
        else {
          results.push({ InstanceId: id, Error: describeError(e), Code: (e as BmsError).code ?? 'Error' });
          err(`bms: ${id}: ${describeError(e)}`);
        }
      }
    }
  }));
  results.sort((a, b) => ids.indexOf(a.InstanceId) - ids.indexOf(b.InstanceId));
  const ok = results.filter((r) => !r.Error);
  const failed = results.filter((r) => r.Error);
  if (ctx.args.flags.has('wait') && ok.length > 0 && !dry) {
    const label = ctx.t(`${spec.verb[0]} ${ok.length} instance(s)`, `${spec.verb[1]} ${ok.length} 台实例`);
    await waitWithProgress(ctx, ok.map((r) => r.InstanceId), spec.goal, label);
  }
  ctx.print(results);
  if (failed.length > 0) {
    err(ctx.t(`bms: ${failed.length} of ${results.length} failed: ${failed.map((f) => f.InstanceId).join(', ')}`, `bms：${results.length} 个中有 ${failed.length} 个失败：${failed.map((f) => f.InstanceId).join('、')}`));
    return ok.length > 0 ? EXIT.PARTIAL : EXIT.API_ERROR;
  }
  return EXIT.OK;
}

async function instanceReinstall(ctx: Context): Promise<number> {
  const id = ctx.args.words[2];
  const o = ctx.args.options;
  if (!id || ctx.args.words.length > 3) throw new UsageError('bms instance reinstall needs exactly one instance id');
  if (!o.password) throw new UsageError('instance reinstall needs --password');
  const bms = ctx.bms();
  const inst = (await bms.DescribeInstances({ InstanceIds: [id] })).InstanceSet[0];
  if (!inst) throw new BmsError('ResourceNotFound', `instance ${id} does not exist`, '', 'bms:DescribeInstances');
  const flavor = (await bms.DescribeFlavors({ FlavorIds: [inst.FlavorId] })).FlavorSet[0];
  const osType = o['os-type'] ?? inst.OperatingSystemType;
  const os = o.os ?? inst.OperatingSystem;
  const res = await bms.ResetInstance({ InstanceId: id, RaidType: o.raid ?? inst.RaidType ?? flavor?.RaidType[0] ?? '', OperatingSystemType: osType, OperatingSystem: os, LoginSettings: { Password: o.password } });
  if (ctx.args.flags.has('wait')) await waitWithProgress(ctx, [id], 'RUNNING', ctx.t(`reinstalling ${id} with ${os}`, `正在重装 ${id}（${os}）`));
  ctx.print({ InstanceId: id, TaskId: res.TaskId, RequestId: res.RequestId });
  return EXIT.OK;
}

async function instanceCommand(ctx: Context): Promise<number> {
  const sub = ctx.args.words[1];
  if (sub === 'list') return instanceList(ctx);
  if (sub === 'create') return instanceCreate(ctx);
  if (sub === 'reinstall') return instanceReinstall(ctx);
  if (sub && sub in BATCH) return instanceBatch(ctx, sub);
  const subs = ['list', 'create', 'reinstall', ...Object.keys(BATCH)];
  throw new UsageError(`bms instance ${sub ?? ''}: choose one of ${subs.join(', ')}${sub ? suggest(sub, subs, '') : ''}`);
}

async function taskCommand(ctx: Context): Promise<number> {
  const sub = ctx.args.words[1];
  const bms = ctx.bms();
  if (sub === 'list') {
    const o = ctx.args.options;
    const r = await bms.DescribeTasks({ ...(o.instance ? { InstanceIds: [o.instance] } : {}), Limit: Number(o.limit ?? 20) });
    ctx.print(r, (v) => (v as { TaskSet: Array<Record<string, unknown>> }).TaskSet.map((t) => ({
      TaskId: t.TaskId, Action: t.Action, InstanceId: t.InstanceId, Status: t.Status, Progress: t.Progress, CreatedTime: t.CreatedTime, Error: t.Error ?? '',
    })));
    return EXIT.OK;
  }
  if (sub === 'wait') {
    const ids = ctx.args.words.slice(2);
    if (ids.length === 0 || ids.some((i) => !/^\d+$/.test(i))) throw new UsageError('bms task wait needs task ids (numbers)');
    const view = progressView(process.stderr, ctx.t(`waiting for task(s) ${ids.join(' ')}`, `等待任务 ${ids.join(' ')}`));
    const tasks = await waitForTasks(bms, ids, { timeoutMs: ctx.waitTimeoutMs(), onProgress: (p) => view.update(p) });
    ctx.print({ TaskSet: tasks });
    return EXIT.OK;
  }
  throw new UsageError('bms task: choose list or wait');
}

/** A small CSV reader: a header row, commas, double-quoted fields with "" escapes. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), (r[i] ?? '').trim()])));
}

async function opsCommand(ctx: Context): Promise<number> {
  const [, what, sub] = ctx.args.words;
  if (what !== 'server' || !['register', 'list'].includes(sub ?? '')) throw new UsageError('bms ops: server register --file servers.csv | server list');
  const ops = ctx.client('bmsops');
  if (sub === 'list') {
    const r = await ops.request<{ ServerSet: Array<Record<string, unknown>> }>('DescribeServers', { Limit: 100 });
    ctx.print(r);
    return EXIT.OK;
  }
  const file = ctx.args.options.file;
  if (!file) throw new UsageError('bms ops server register needs --file servers.csv');
  const spec = services.bmsops!;
  const members = spec.objects[spec.actions.RegisterServers!.input[0]!.ref!]!.members;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const rows = parseCsv(text);
  if (rows.length === 0) throw new UsageError(`${file} has no server rows (a header row, then one server per line)`);
  const servers = rows.map((r, n) => {
    const s: Json = {};
    for (const [k, v] of Object.entries(r)) {
      const m = members.find((x) => x.name === k);
      if (!m) throw new UsageError(`${file}: unknown column ${k}${suggest(k, members.map((x) => x.name), '')}; columns are ${members.map((x) => x.name).join(', ')}`);
      if (v === '') continue;
      if (k === 'Disks' && !v.startsWith('[')) {
        // shorthand: SSD:480;HDD:4000
        s.Disks = v.split(/[;+]/).map((d) => {
          const [Type, size] = d.split(':');
          return { Type: Type!.trim(), SizeGb: Number(size) };
        });
      } else s[k] = parseValue(m, v, `${file} line ${n + 2} column ${k}`);
    }
    return s;
  });
  const ids: string[] = [];
  for (let i = 0; i < servers.length; i += 100) {
    const r = await ops.request<{ ServerIds: string[] }>('RegisterServers', { ServerSet: servers.slice(i, i + 100) });
    ids.push(...r.ServerIds);
  }
  ctx.print({ TotalCount: ids.length, ServerIds: ids });
  return EXIT.OK;
}

function configureCommand(ctx: Context): number {
  const { options: o, words } = ctx.args;
  const env = ctx.env;
  if (words[1] === 'list') {
    const rows = listProfiles(env).map((name) => {
      const { profile, credential } = readProfile(env, name);
      return { Profile: name, Region: profile.region ?? '', Endpoint: profile.endpoint ?? '', Output: profile.output ?? '', SecretId: credential.secretId ?? '', SecretKey: credential.secretKey ? `****${credential.secretKey.slice(-4)}` : '' };
    });
    ctx.print(rows);
    return EXIT.OK;
  }
  if (words.length > 1) throw new UsageError('bms configure [list] [--profile p] [--from-file f | --secret-id … --secret-key …] [--region r] [--endpoint e] [--output o] [--language l]');
  const file = o['from-file'] ? readCredentialsFile(o['from-file']) : undefined;
  const profile = { region: o.region ?? file?.region, endpoint: o.endpoint ?? file?.endpoint, output: o.output, language: o.language };
  const credential = { secretId: o['secret-id'] ?? file?.secretId, secretKey: o['secret-key'] ?? file?.secretKey, token: o.token ?? file?.token };
  if (!Object.values({ ...profile, ...credential }).some(Boolean)) throw new UsageError('bms configure: give --from-file or settings to store (--secret-id, --secret-key, --region, --endpoint, --output, --language)');
  const dir = writeProfile(env, ctx.profileName, profile, credential);
  err(ctx.t(`profile "${ctx.profileName}" saved in ${dir} (mode 0600)`, `配置 "${ctx.profileName}" 已保存到 ${dir}（权限 0600）`));
  return EXIT.OK;
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('version')) {
    out(`bms ${VERSION}`);
    return EXIT.OK;
  }
  const ctx = new Context(args, env);
  const [first, second] = args.words;
  if (!first || (first === 'help')) {
    out(globalHelp(ctx));
    return first || args.flags.has('help') ? EXIT.OK : EXIT.USAGE;
  }
  if (first === 'completion') {
    if (second !== 'bash' && second !== 'zsh') throw new UsageError('bms completion bash|zsh');
    out(completionScript(second));
    return EXIT.OK;
  }
  if (args.flags.has('help') && ['instance', 'task', 'ops', 'configure'].includes(first)) {
    out(globalHelp(ctx));
    return EXIT.OK;
  }
  if (first === 'configure') return configureCommand(ctx);
  if (first === 'instance') return instanceCommand(ctx);
  if (first === 'task') return taskCommand(ctx);
  if (first === 'ops') return opsCommand(ctx);
  if (first in services) {
    if (!second) {
      out(serviceHelp(first, ctx));
      return args.flags.has('help') ? EXIT.OK : EXIT.USAGE;
    }
    if (args.words.length > 2) throw new UsageError(`unexpected ${args.words.slice(2).join(' ')}: parameters are --Name value`);
    return callAction(first, second, ctx);
  }
  const commands = [...Object.keys(services), 'instance', 'task', 'ops', 'configure', 'completion'];
  throw new UsageError(`unknown command ${first}${suggest(first, commands, '')} (see bms --help)`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv, process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`bms: ${e.message}`);
      return EXIT.USAGE;
    }
    if (e instanceof BmsWaiterError) {
      err(`bms: ${e.message}`);
      return e.code === 'WaiterTimeout' ? EXIT.TIMEOUT : EXIT.API_ERROR;
    }
    if (e instanceof BmsError) {
      err(`bms: ${describeError(e)}`);
      return EXIT.API_ERROR;
    }
    if (e instanceof BmsNetworkError) {
      err(`bms: ${e.message}`);
      return /timed out/.test(e.message) ? EXIT.TIMEOUT : EXIT.NETWORK;
    }
    err(`bms: ${(e as Error).stack ?? e}`);
    return EXIT.API_ERROR;
  }
}

process.on('SIGINT', () => process.exit(EXIT.INTERRUPTED));
process.exitCode = await main(process.argv.slice(2));
