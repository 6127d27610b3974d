/**
 * Which resources a request names, read from the spec: the objects CAM policies are about.
 *
 * A member whose name is a resource id names a resource of that kind — `InstanceId` or
 * `InstanceIds` an instance, `GroupId(s)` a spread placement group (`ps`), `HeartbeatId(s)` a
 * heartbeat group, `VpcId(s)`, `SubnetId(s)`, `AddressId(s)` (an EIP), `FlavorId(s)`,
 * `DiskId(s)` — wherever it sits: at the top of the input or inside a structure
 * (`VirtualPrivateCloud.VpcId`, `OutbandInfos.N.InstanceId`). The walk is derived once per
 * action from the spec, so a new action is covered by naming its members the usual way.
 *
 * Each resource is written the CAM way, six colon-separated segments:
 * `qcs::<service>:<region>:uin/<account uin>:<type>/<id>`, where the service is the one that
 * owns the kind (an instance is `bms` even when the vpc service's AssociateAddress names it).
 * A `Resource` member (the tag service's) holds such a six-segment name itself; the kind and id
 * are read from its last segment (the account and region stay the caller's and the request's).
 * A request that names no resource (DescribeZones, a DescribeInstances without ids, a Create)
 * is about the account as a whole: `qcs::<service>:<region>:uin/<account uin>:*`, which only a
 * statement whose resource pattern covers `*` there (`*`, `qcs::bms::uin/…:*`) matches.
 */
import type { Member, ServiceSpec } from '../spec/model.ts';
import { normalizeId } from '../shared/ids.ts';

export type ResourceKind = 'instance' | 'ps' | 'heartbeat' | 'vpc' | 'subnet' | 'eip' | 'flavor' | 'disk';

export interface ResourceRef {
  kind: ResourceKind;
  id: string;
}

/** Id member names (singular; the plural `…s` array form is recognised too) and what they name. */
export const ID_MEMBERS: Readonly<Record<string, ResourceKind>> = {
  InstanceId: 'instance',
  GroupId: 'ps',
  HeartbeatId: 'heartbeat',
  VpcId: 'vpc',
  SubnetId: 'subnet',
  AddressId: 'eip',
  FlavorId: 'flavor',
  DiskId: 'disk',
};

/** The service that owns each kind: its name is the resource string's service segment. */
const OWNER: Readonly<Record<ResourceKind, string>> = {
  instance: 'bms', ps: 'bms', heartbeat: 'bms', flavor: 'bms', disk: 'bms', vpc: 'vpc', subnet: 'vpc', eip: 'vpc',
};

/** Services whose resources have no region (CAM writes an empty region segment for them). */
const GLOBAL_SERVICES = new Set(['cam', 'sts']);

const KINDS: ReadonlySet<string> = new Set(['instance', 'ps', 'heartbeat', 'vpc', 'subnet', 'eip', 'flavor', 'disk']);

interface IdPath {
  /** `named`: the member holds a six-segment resource name (`Resource`). */
  kind: ResourceKind | 'named';
  /** Members from the input's top down to the id member itself. */
  steps: Member[];
  /** For a `Dimensions` list of {Name, Value} (the monitor service): the Name whose Value is the id. */
  dimension?: string;
}

/** Dimension names that name a resource (monitor's `Instances.N.Dimensions`). */
const DIMENSION_KINDS: Readonly<Record<string, ResourceKind>> = { InstanceId: 'instance' };

const MAX_DEPTH = 4;
const plans = new WeakMap<ServiceSpec, Map<string, IdPath[]>>();

/** The id-bearing paths of an action's input (cached per spec). */
export function idPaths(spec: ServiceSpec, action: string): IdPath[] {
  let byAction = plans.get(spec);
  if (!byAction) plans.set(spec, (byAction = new Map()));
  let paths = byAction.get(action);
  if (!paths) {
    paths = [];
    collectPaths(spec, spec.actions[action]?.input ?? [], [], paths);
    byAction.set(action, paths);
  }
  return paths;
}

function collectPaths(spec: ServiceSpec, members: Member[], prefix: Member[], out: IdPath[]): void {
  for (const m of members) {
    const kind = kindOf(m);
    if (kind) out.push({ kind, steps: [...prefix, m] });
    else if (m.type === 'Object' && m.ref === 'Dimension' && m.array) {
      for (const [dimension, k] of Object.entries(DIMENSION_KINDS)) out.push({ kind: k, steps: [...prefix, m], dimension });
    }
    else if (m.type === 'Object' && m.ref && prefix.length < MAX_DEPTH) collectPaths(spec, spec.objects[m.ref]?.members ?? [], [...prefix, m], out);
  }
}

function kindOf(m: Member): ResourceKind | 'named' | undefined {
  if (m.type !== 'String') return undefined;
  if (m.name === 'Resource' && !m.array) return 'named';
  if (!m.array) return ID_MEMBERS[m.name];
  return m.name.endsWith('s') ? ID_MEMBERS[m.name.slice(0, -1)] : undefined;
}

/** The resources named by a (validated) input, in the order given, without repeats. */
export function resourceRefs(spec: ServiceSpec, action: string, input: Record<string, unknown>): ResourceRef[] {
  const seen = new Set<string>();
  const out: ResourceRef[] = [];
  for (const path of idPaths(spec, action)) {
    for (const raw of valuesAt(input, path.steps, 0, path.dimension)) {
      const ref = path.kind === 'named' ? fromResourceName(raw) : { kind: path.kind, id: normalizeId(raw.trim()) };
      if (!ref) continue;
      const key = `${ref.kind}/${ref.id}`;
      if (ref.id === '' || seen.has(key)) continue;
      seen.add(key);
      out.push(ref);
    }
  }
  return out;
}

/** The kind and id in the last segment of `qcs::<service>:<region>:<account>:<kind>/<id>`, if it has that shape. */
function fromResourceName(text: string): ResourceRef | undefined {
  const last = text.trim().split(':');
  if (last.length !== 6) return undefined;
  const tail = last[5]!;
  const slash = tail.indexOf('/');
  const kind = tail.slice(0, slash);
  if (slash < 0 || !KINDS.has(kind)) return undefined;
  return { kind: kind as ResourceKind, id: normalizeId(tail.slice(slash + 1)) };
}

function valuesAt(value: unknown, steps: Member[], i: number, dimension?: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const m = steps[i]!;
  const v = (value as Record<string, unknown>)[m.name];
  const items = m.array ? (Array.isArray(v) ? v : []) : [v];
  if (i === steps.length - 1) {
    if (dimension === undefined) return items.filter((x): x is string => typeof x === 'string');
    const wanted = dimension.toLowerCase();
    return items.flatMap((d) => {
      const { Name, Value } = (d ?? {}) as { Name?: unknown; Value?: unknown };
      return typeof Name === 'string' && Name.trim().toLowerCase() === wanted && typeof Value === 'string' ? [Value] : [];
    });
  }
  return items.flatMap((x) => valuesAt(x, steps, i + 1, dimension));
}

export function resourceName(ref: ResourceRef, region: string, accountUin: string): string {
  return `qcs::${OWNER[ref.kind]}:${region}:uin/${accountUin}:${ref.kind}/${ref.id}`;
}

/** The account as a whole, for requests that name no resource. */
export function accountWideResource(service: string, region: string, accountUin: string): string {
  return `qcs::${service}:${GLOBAL_SERVICES.has(service) ? '' : region}:uin/${accountUin}:*`;
}

/** Tags of resources, by `kind/id`; a resource without tags maps to an empty map. */
export type ResourceTags = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * Reads the tags of an account's resources. The IAM credential resolver offers this beside
 * `resolve` (the gateway detects it with `canReadResourceTags`); an id of another account, or
 * of nothing, simply has no tags.
 */
export interface ResourceTagReader {
  resourceTags(accountUin: string, refs: readonly ResourceRef[]): Promise<ResourceTags>;
}

export function canReadResourceTags(x: unknown): x is ResourceTagReader {
  return typeof (x as Partial<ResourceTagReader> | null)?.resourceTags === 'function';
}

export const tagKey = (ref: ResourceRef) => `${ref.kind}/${ref.id}`;
