/**
 * Resources as the tag service names them: CAM's six segments,
 * `qcs::<service>:<region>:uin/<account uin>:<prefix>/<id>` — `qcs::bms:ap-guangzhou:uin/100000000001:instance/bms-abcd1234`.
 *
 * Taggable here: bms `instance`, `ps` (spread placement groups), `heartbeat`; vpc `vpc`,
 * `subnet`, `eip`. The short forms the vendor's models use are accepted: the account segment
 * empty (`qcs::bms:ap-guangzhou::instance/bms-…`) or a bare uin, and the region segment empty.
 * A name with another account's uin is, to the caller, a resource that does not exist.
 */
import { invalidParameterValue, resourceNotFound, subCodeError } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import type { TaggableKind, TaggedResource } from '../../store/repos/resource-tags.ts';

export const KINDS_OF: Readonly<Record<string, readonly TaggableKind[]>> = { bms: ['instance', 'ps', 'heartbeat'], vpc: ['vpc', 'subnet', 'eip'] };
const SERVICE_OF: Readonly<Record<TaggableKind, string>> = { instance: 'bms', ps: 'bms', heartbeat: 'bms', vpc: 'vpc', subnet: 'vpc', eip: 'vpc' };

/** What each kind is called in messages. */
export const KIND_NAMES: Readonly<Record<TaggableKind, string>> = {
  instance: 'instance', ps: 'placement group', heartbeat: 'heartbeat group', vpc: 'VPC', subnet: 'subnet', eip: 'EIP',
};

export interface NamedResource extends TaggedResource {
  service: string;
  /** The region segment ('' when left out). */
  region: string;
}

const describeError = (param: string, text: string, why: string, whyZh: string) =>
  subCodeError('InvalidParameterValue.ResourceDescriptionError',
    `The value of ${param} is not a resource description (qcs::<service>:<region>:uin/<uin>:<prefix>/<id>): ${JSON.stringify(text.slice(0, 200))} — ${why}.`,
    `参数 ${param} 不是资源六段式描述（qcs::<服务>:<地域>:uin/<账号>:<资源前缀>/<资源ID>）：${JSON.stringify(text.slice(0, 200))}——${whyZh}。`);

/** Reads a six-segment resource name of the caller's account (see the module comment). */
export function parseResourceName(text: string, param: string, accountUin: string): NamedResource {
  const parts = text.trim().split(':');
  if (parts.length !== 6 || parts[0] !== 'qcs' || parts[1] !== '') throw describeError(param, text, 'it needs six colon-separated segments starting with qcs::', '须为以 qcs:: 开头、冒号分隔的六段');
  const [, , service, region, account, rest] = parts as [string, string, string, string, string, string];
  const kinds = KINDS_OF[service];
  if (!kinds) throw describeError(param, text, `service ${JSON.stringify(service)} has no taggable resources here (bms, vpc)`, `服务 ${JSON.stringify(service)} 没有可打标签的资源（bms、vpc）`);
  const slash = rest.indexOf('/');
  const prefix = slash < 0 ? '' : rest.slice(0, slash);
  const id = slash < 0 ? '' : rest.slice(slash + 1);
  if (!(kinds as readonly string[]).includes(prefix) || id === '') {
    throw describeError(param, text, `the last segment must be <prefix>/<id> with a prefix of ${service}: ${kinds.join(', ')}`, `最后一段须为 <资源前缀>/<资源ID>，${service} 的资源前缀为 ${kinds.join('、')}`);
  }
  const uin = account.startsWith('uin/') ? account.slice(4) : account;
  if (uin !== '' && !/^\d+$/.test(uin)) throw describeError(param, text, 'the account segment must be uin/<digits> or empty', '账号段须为 uin/<数字> 或留空');
  const kind = prefix as TaggableKind;
  const normalized = normalizeId(id);
  if (uin !== '' && uin !== accountUin) throw resourceNotFound(KIND_NAMES[kind], normalized);
  return { service, region, kind, id: normalized };
}

/** The six-segment name of an account's resource. */
export function resourceName(r: TaggedResource, region: string, accountUin: string): string {
  return `qcs::${SERVICE_OF[r.kind]}:${region}:uin/${accountUin}:${r.kind}/${r.id}`;
}

export const serviceOf = (kind: TaggableKind): string => SERVICE_OF[kind];

/** The kinds a ServiceType / ResourcePrefix pair (either may be absent) selects; refuses names we do not have. */
export function kindsSelected(serviceType: string | undefined, prefix: string | undefined): TaggableKind[] | undefined {
  const service = serviceType?.trim() ?? '';
  const p = prefix?.trim() ?? '';
  if (service === '' && p === '') return undefined;
  if (service !== '' && !KINDS_OF[service]) {
    throw invalidParameterValue('ServiceType', `${JSON.stringify(service)} has no taggable resources here (bms, vpc)`, `${JSON.stringify(service)} 没有可打标签的资源（bms、vpc）`);
  }
  const candidates = service === '' ? (Object.values(KINDS_OF).flat()) : KINDS_OF[service]!;
  if (p === '') return [...candidates];
  if (!(candidates as readonly string[]).includes(p)) {
    throw invalidParameterValue('ResourcePrefix', `${JSON.stringify(p)} is not a resource prefix${service ? ` of ${service}` : ''} (${candidates.join(', ')})`,
      `${JSON.stringify(p)} 不是${service ? ` ${service} 的` : ''}资源前缀（${candidates.join('、')}）`);
  }
  return [p as TaggableKind];
}
