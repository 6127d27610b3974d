/**
 * Out-of-band mappings (带外映射): an instance's BMC services reachable from a tenant VPC at an
 * overlay IP (the VIP), one mapping per (instance, VPC).
 *
 * - CreateOutbandIP allocates the VIP from the given subnet of the given VPC (the one asked
 *   for, which must be free there, or the smallest free one) — an `ip_allocations` row of
 *   kind 'vip' owned by the instance, so a return releases it — and records the mapping.
 *   A second mapping of the same instance into the same VPC is ResourceInUse. `Vport` (the
 *   vendor's model) moves the first BMC service — the web UI / Redfish by default — to that
 *   port of the VIP; it may not be another service's port (0 or absent: the default).
 * - DescribeOutbandIP lists one OutbandInfo per mapping, in the reference's array shape:
 *   InstanceId/InstanceName/UniqVpcId hold the mapping's one value each, Vip and Vport are
 *   parallel (Vip[i]:Vport[i] reaches one BMC service).
 * - DeleteOutbandIP removes mappings and releases their VIPs, all or nothing: every entry is
 *   checked (the tenant's instance and VPC, a mapping between them, Vip and Vport matching it)
 *   before anything is deleted. A mapping goes whole — its services share one VIP. An empty
 *   Vip or Vport is not checked.
 */
import type { Tx } from '../../store/store.ts';
import type { CreateOutbandIPRequest, DeleteOutbandIPRequest, DescribeOutbandIPRequest, DelOutbandInfo } from '../../generated/bms.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { allocateAddresses, releaseAddress } from '../../store/repos/ip-allocations.ts';
import { deleteMapping, getMapping, insertMapping, listMappings, type OutbandMapping, type OutbandMappingView } from '../../store/repos/outband.ts';
import type { BmsServiceDeps } from '../bms-deps.ts';
import { ownInstances } from '../instances/lookups.ts';
import type { Handler } from '../types.ts';
import type { BmcService } from './bmc-services.ts';
import { allocationError, mappingExists, mappingNotFound } from './errors.ts';
import { lockOwnInstance, ownSubnet, ownVpc, requireStatus } from './guards.ts';

/** Where the instance holds its server and is staying: its BMC can be mapped. */
const OUTBAND_STATES = ['RUNNING', 'STOPPED', 'STARTING', 'STOPPING', 'REBOOTING', 'RESETTING'] as const;
const MAX_DELETE = 100;

export function createOutbandIp(deps: BmsServiceDeps, services: readonly BmcService[]): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateOutbandIPRequest;
    const scope = { accountUin: ctx.principal.accountUin, region: ctx.region };
    const ports = portsWith(services, p.Vport ?? 0);
    const mapping = await deps.store.transaction(async (tx) => {
      const inst = await lockOwnInstance(tx, scope.accountUin, p.InstanceId);
      requireStatus(inst, 'CreateOutbandIP', OUTBAND_STATES);
      const vpc = await ownVpc(tx, scope, p.VpcId);
      const subnet = await ownSubnet(tx, scope, p.SubnetId);
      if (subnet.vpcId !== vpc.id) {
        throw invalidParameterValue('SubnetId', `${subnet.id} belongs to ${subnet.vpcId}, not to ${vpc.id}`, `${subnet.id} 属于 ${subnet.vpcId}，而非 ${vpc.id}`);
      }
      const existing = await getMapping(tx, scope.accountUin, inst.id, vpc.id);
      if (existing) throw mappingExists(inst.id, vpc.id, existing.vip);
      const requested = p.Vip === undefined || p.Vip === null ? undefined : [p.Vip.trim()];
      const got = await allocateAddresses(tx, subnet, 1, { kind: 'vip', ownerId: inst.id }, ctx.now, requested);
      if (!got.ok) throw allocationError(got, 'Vip', subnet);
      const m: OutbandMapping = {
        instanceId: inst.id, vpcId: vpc.id, subnetId: subnet.id, accountUin: scope.accountUin, vip: got.addresses[0]!,
        ports, createdAt: ctx.now,
      };
      if (!(await insertMapping(tx, m))) throw mappingExists(inst.id, vpc.id, m.vip); // a concurrent create won
      return m;
    });
    return { Vip: mapping.vip, Vport: mapping.ports.map((s) => s.vport) };
  };
}

/** The services a new mapping exposes, the first one at VIP port `vport` when that is given (non-zero). */
function portsWith(services: readonly BmcService[], vport: number): BmcService[] {
  const ports = services.map((s) => ({ ...s }));
  if (vport === 0 || ports.length === 0) return ports;
  const taken = ports.slice(1).find((s) => s.vport === vport);
  if (taken) {
    throw invalidParameterValue('Vport', `${vport} is the VIP port of the BMC's ${taken.service} service; choose another`, `${vport} 是 BMC ${taken.service} 服务在 VIP 上的端口，请换一个`);
  }
  ports[0]!.vport = vport;
  return ports;
}

export function describeOutbandIp(deps: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeOutbandIPRequest;
    const db = deps.store.db;
    const instanceId = p.InstanceId === undefined ? undefined : (await ownInstances(db, ctx.principal.accountUin, [normalizeId(p.InstanceId)]))[0]!.id;
    const page = await listMappings(db, ctx.principal.accountUin, { instanceId }, { offset: p.Offset ?? 0, limit: p.Limit ?? 20 });
    return { InstanceSet: page.items.map(outbandInfo), TotalCount: page.total };
  };
}

function outbandInfo(m: OutbandMappingView) {
  return {
    InstanceId: [m.instanceId],
    InstanceName: [m.instanceName],
    UniqVpcId: [m.vpcId],
    Vip: m.ports.map(() => m.vip),
    Vport: m.ports.map((s) => s.vport),
  };
}

export function deleteOutbandIp(deps: BmsServiceDeps): Handler {
  return async (ctx, params) => {
    const entries = (params as unknown as DeleteOutbandIPRequest).OutbandInfos;
    if (entries.length === 0) throw invalidParameterValue('OutbandInfos', 'list at least one mapping', '至少指定一个映射');
    if (entries.length > MAX_DELETE) throw invalidParameterValue('OutbandInfos', `list at most ${MAX_DELETE} mappings`, `最多指定 ${MAX_DELETE} 个映射`);
    await deps.store.transaction(async (tx) => {
      const doomed: OutbandMapping[] = [];
      for (const [i, entry] of entries.entries()) doomed.push(await checkedMapping(tx, ctx.principal.accountUin, ctx.region, entry, i, doomed));
      for (const m of doomed) {
        await deleteMapping(tx, m.instanceId, m.vpcId);
        await releaseAddress(tx, m.subnetId, m.vip);
      }
    });
    return {};
  };
}

/** The mapping entry `i` names, after every check; nothing is changed here. */
async function checkedMapping(
  tx: Tx, accountUin: string, region: string, entry: DelOutbandInfo, i: number, earlier: OutbandMapping[],
): Promise<OutbandMapping> {
  const path = `OutbandInfos.${i}`;
  const inst = await lockOwnInstance(tx, accountUin, entry.InstanceId);
  const vpc = await ownVpc(tx, { accountUin, region }, entry.VpcId);
  const twice = earlier.findIndex((m) => m.instanceId === inst.id && m.vpcId === vpc.id);
  if (twice >= 0) throw invalidParameterValue(path, `the mapping of ${inst.id} in ${vpc.id} is listed twice (also at OutbandInfos.${twice})`, `${inst.id} 在 ${vpc.id} 的映射重复出现（与 OutbandInfos.${twice} 相同）`);
  const m = await getMapping(tx, accountUin, inst.id, vpc.id);
  if (!m) throw mappingNotFound(inst.id, vpc.id);
  const vip = entry.Vip?.trim() ?? '';
  if (vip !== '' && vip !== m.vip) {
    throw invalidParameterValue(`${path}.Vip`, `${vip} is not the VIP of the mapping of ${inst.id} in ${vpc.id} (${m.vip})`, `${vip} 不是 ${inst.id} 在 ${vpc.id} 的映射 IP（${m.vip}）`);
  }
  const mapped = m.ports.map((s) => String(s.vport));
  const wrong = (entry.Vport ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '').find((v) => !mapped.includes(v));
  if (wrong !== undefined) {
    throw invalidParameterValue(`${path}.Vport`, `${wrong} is not a port of the mapping of ${inst.id} in ${vpc.id} (${mapped.join(', ')})`,
      `${wrong} 不是 ${inst.id} 在 ${vpc.id} 的映射端口（${mapped.join('、')}）`);
  }
  return m;
}
