/**
 * RunInstances: launch 1–100 bare-metal instances, all or nothing.
 *
 * Every rule is checked first (launch-checks.ts); then one transaction takes the servers
 * (conditional updates — on PostgreSQL `FOR UPDATE SKIP LOCKED` so concurrent launches skip
 * each other's candidates instead of waiting), takes the addresses (IPAM's insert-or-skip),
 * creates the PENDING instances and one provisioning task each. If anything is short, the
 * transaction rolls back and nothing was created. ClientToken makes a retried launch return
 * the first launch's answer. The password is kept only as a SHA-512 crypt hash.
 */
import { refuseLaunchInArrears } from '../../billing/arrears.ts';
import { createHash } from 'node:crypto';
import type { Tx } from '../../store/store.ts';
import type { RunInstancesRequest } from '../../generated/bms.ts';
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { newId, normalizeId } from '../../shared/ids.ts';
import { chooseServers } from './choose-servers.ts';
import { attachPublicIps, checkInternetAccess } from './public-ips.ts';
import { allocateAddresses, allocateIpv6, type AllocationFailure } from '../../store/repos/ip-allocations.ts';
import { setTags } from '../../store/repos/resource-tags.ts';
import type { CallContext, Handler } from '../types.ts';
import { createTasks, type InstanceServiceDeps } from './deps.ts';
import {
  checkFlavorForLaunch, checkLoginPassword, checkOperatingSystem, checkRaidType, launchNetwork, visibleFlavor,
  type Flavor,
} from './launch-checks.ts';
import { checkHostName, randomHostName, shadowPasswordHash } from './login-rules.ts';

export const MAX_LAUNCH = 100;

export function runInstances(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as RunInstancesRequest;
    if (p.ClientToken) {
      const previous = await replayOf(deps.store.db, ctx.principal.accountUin, p);
      if (previous) return previous;
    }
    await refuseLaunchInArrears(deps.store.db, ctx.principal.accountUin);
    const plan = await checkLaunch(deps, ctx, p);
    if (p.DryRun === true) {
      throw new ApiError('DryRunOperation', {
        en: `RunInstances would pass every check for ${plan.count} instance(s) (DryRun: nothing was created).`,
        zh: `RunInstances 的 ${plan.count} 台实例通过了全部检查（DryRun：未创建任何资源）。`,
      });
    }
    const result = await deps.store.transaction((tx) => launch(deps, tx, ctx, p, plan));
    deps.scheduler.poke();
    return result;
  };
}

interface LaunchPlan {
  count: number;
  flavor: Flavor;
  subnet: { id: string; cidr: string; accountUin: string; ipv6Cidr: string | null };
  hostName: string;
  passwordHash: string | null;
}

async function checkLaunch(deps: InstanceServiceDeps, ctx: CallContext, p: RunInstancesRequest): Promise<LaunchPlan> {
  const count = p.InstanceCount ?? 1;
  if (count > MAX_LAUNCH) throw invalidParameterValue('InstanceCount', `at most ${MAX_LAUNCH} instances per call`, `单次最多创建 ${MAX_LAUNCH} 台实例`);
  const zone = p.Placement.Zone;
  if (!(await deps.regions.zones(ctx.region)).some((z) => z.zone === zone)) {
    throw invalidParameterValue('Placement.Zone', `"${zone}" is not a zone of region ${ctx.region}`, `"${zone}" 不是地域 ${ctx.region} 的可用区`);
  }
  checkInternetAccess(p.InternetAccessible);
  const db = deps.store.db;
  const flavor = await visibleFlavor(db, ctx.principal.accountUin, p.FlavorId);
  checkFlavorForLaunch(flavor, zone);
  await checkOperatingSystem(db, flavor, p.OperatingSystemType, p.OperatingSystem);
  checkRaidType(flavor, p.RaidType);
  const password = checkLoginPassword(flavor, p.LoginSettings.Password ?? undefined);
  if (p.HostName !== undefined) checkHostName('HostName', p.HostName, p.OperatingSystemType);
  const { vpc, subnet } = await launchNetwork(db, ctx.principal.accountUin, ctx.region, zone, p.VirtualPrivateCloud.VpcId, p.VirtualPrivateCloud.SubnetId);
  const requested = p.VirtualPrivateCloud.PrivateIpAddresses;
  if (requested && requested.length !== count) {
    throw invalidParameterValue('VirtualPrivateCloud.PrivateIpAddresses', `give exactly InstanceCount (${count}) addresses, got ${requested.length}`,
      `须提供与 InstanceCount（${count}）相同数量的地址，实际 ${requested.length} 个`);
  }
  if (p.VirtualPrivateCloud.Ipv6Address && !vpc.ipv6Cidr) {
    throw invalidParameterValue('VirtualPrivateCloud.Ipv6Address', `the VPC ${vpc.id} has no IPv6 CIDR`, `私有网络 ${vpc.id} 未分配 IPv6 网段`);
  }
  const tags = p.Tags ?? [];
  const keys = new Set(tags.map((t) => t.TagKey));
  if (keys.size !== tags.length) throw invalidParameterValue('Tags', 'a tag key may appear only once', '标签键不能重复');
  return {
    count, flavor, subnet: { id: subnet.id, cidr: subnet.cidr, accountUin: subnet.accountUin, ipv6Cidr: subnet.ipv6Cidr },
    hostName: p.HostName ?? randomHostName(),
    passwordHash: password === undefined ? null : shadowPasswordHash(password),
  };
}

async function launch(deps: InstanceServiceDeps, tx: Tx, ctx: CallContext, p: RunInstancesRequest, plan: LaunchPlan) {
  const now = ctx.now;
  const ids = Array.from({ length: plan.count }, () => newId('bms'));
  const servers = await chooseServers({
    store: deps.store, tx, accountUin: ctx.principal.accountUin, flavor: plan.flavor, zone: p.Placement.Zone, instanceIds: ids, groupId: p.GroupId, now,
  });
  const addresses = await takeAddresses(tx, plan, ids, p.VirtualPrivateCloud.PrivateIpAddresses, now);
  await tx.insertInto('instances').values(ids.map((id, i) => ({
    id, account_uin: ctx.principal.accountUin, zone: p.Placement.Zone, flavor_id: plan.flavor.id, server_id: servers[i]!,
    name: p.InstanceName ?? '未命名', host_name: plan.hostName, os_type: p.OperatingSystemType, os_name: p.OperatingSystem,
    cpu_arch: plan.flavor.cpu_arch, raid_type: p.RaidType, status: 'PENDING', vpc_id: p.VirtualPrivateCloud.VpcId.toLowerCase(),
    subnet_id: plan.subnet.id, private_ip: addresses[i]!, password_hash: plan.passwordHash,
    enhanced_service: JSON.stringify(p.EnhancedService ?? { SecurityService: true, MonitorService: true }),
    user_defined: plan.flavor.user_defined, group_id: p.GroupId ? normalizeId(p.GroupId) : null, error: null, created_at: now, updated_at: now, deleted_at: null,
  }))).execute();
  if (p.VirtualPrivateCloud.Ipv6Address) {
    for (const id of ids) failOn(await allocateIpv6(tx, { id: plan.subnet.id, ipv6Cidr: plan.subnet.ipv6Cidr, accountUin: plan.subnet.accountUin }, { ownerId: id }, now), plan);
  }
  await attachPublicIps({
    tx, accountUin: ctx.principal.accountUin, region: ctx.region, instances: ids.map((id, i) => ({ id, privateIp: addresses[i]! })),
    internetAccessible: p.InternetAccessible, now,
  });
  await setTags(tx, { accountUin: ctx.principal.accountUin, region: ctx.region }, ids.map((id) => ({ kind: 'instance' as const, id })),
    (p.Tags ?? []).map((t) => ({ key: t.TagKey, value: t.TagValue })), now);
  const taskIds = await createTasks(tx, ctx.principal.accountUin,
    ids.map((id, i) => ({ action: 'RunInstances', flow: 'provision', instanceId: id, serverId: servers[i]! })), now);
  const result = { TaskId: taskIds.map(String), BmsId: ids };
  if (p.ClientToken) {
    await tx.insertInto('run_requests').values({
      account_uin: ctx.principal.accountUin, client_token: p.ClientToken, request_hash: requestHash(p), result: JSON.stringify(result), created_at: now,
    }).execute();
  }
  deps.logger?.info({ accountUin: ctx.principal.accountUin, instances: ids, flavor: plan.flavor.id }, 'instances launched');
  return result;
}

async function takeAddresses(tx: Tx, plan: LaunchPlan, ids: string[], requested: string[] | undefined, now: number): Promise<string[]> {
  const got = failOn(await allocateAddresses(tx, plan.subnet, ids.length, { kind: 'primary', ownerId: null }, now, requested), plan);
  const addresses = requested ? requested.map((a) => got.addresses.find((g) => g === a.trim()) ?? a) : got.addresses;
  for (let i = 0; i < ids.length; i++) {
    await tx.updateTable('ip_allocations').set({ owner_id: ids[i]! })
      .where('subnet_id', '=', plan.subnet.id).where('address', '=', addresses[i]!).execute();
  }
  return addresses;
}

function failOn<T extends { ok: true }>(r: T | AllocationFailure, plan: LaunchPlan): T {
  if (r.ok) return r;
  const path = 'VirtualPrivateCloud.PrivateIpAddresses';
  switch (r.reason) {
    case 'exhausted':
      throw new ApiError('ResourceInsufficient', {
        en: `The subnet ${plan.subnet.id} has ${r.free} free addresses; ${r.wanted} are needed.`,
        zh: `子网 ${plan.subnet.id} 仅剩 ${r.free} 个可用地址，需要 ${r.wanted} 个。`,
      });
    case 'taken': throw invalidParameterValue(path, `${r.address} is already in use`, `${r.address} 已被占用`);
    case 'invalid': throw invalidParameterValue(path, `${r.address} cannot be assigned (${r.problem}) in ${plan.subnet.cidr}`, `${r.address} 在 ${plan.subnet.cidr} 中不可分配（${r.problem}）`);
    case 'duplicate': throw invalidParameterValue(path, `${r.address} is listed twice`, `${r.address} 重复`);
    case 'count-mismatch': throw invalidParameterValue(path, `give exactly ${r.wanted} addresses`, `须提供 ${r.wanted} 个地址`);
    case 'no-ipv6': throw invalidParameterValue('VirtualPrivateCloud.Ipv6Address', `the subnet ${plan.subnet.id} has no IPv6 CIDR`, `子网 ${plan.subnet.id} 没有 IPv6 网段`);
    case 'subnet-missing': throw new ApiError('ResourceNotFound', { en: `The subnet ${plan.subnet.id} does not exist.`, zh: `子网 ${plan.subnet.id} 不存在。` });
  }
}

/** What identifies a launch request for ClientToken: every parameter, the password only as a digest. */
function requestHash(p: RunInstancesRequest): string {
  const { ClientToken: _token, ...rest } = p;
  const safe = { ...rest, LoginSettings: { ...rest.LoginSettings, Password: rest.LoginSettings.Password ? createHash('sha256').update(rest.LoginSettings.Password).digest('hex') : null } };
  return createHash('sha256').update(JSON.stringify(safe)).digest('hex');
}

async function replayOf(db: Tx, accountUin: string, p: RunInstancesRequest) {
  const row = await db.selectFrom('run_requests').selectAll().where('account_uin', '=', accountUin).where('client_token', '=', p.ClientToken!).executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== requestHash(p)) {
    throw invalidParameterValue('ClientToken', 'it was already used for a launch with different parameters', '该 ClientToken 已用于参数不同的另一次创建');
  }
  return JSON.parse(row.result) as { TaskId: string[]; BmsId: string[] };
}
