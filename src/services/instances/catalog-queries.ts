/**
 * What a tenant may buy and what it holds: DescribeFlavors, DescribeDisks and
 * InquiryPriceBmsInstanceForTrade. A tenant sees standard flavors and the user-defined ones bound
 * to it; disks of its own instances only.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DescribeDisksRequest, DescribeFlavorsRequest, InquiryPriceBmsInstanceForTradeRequest } from '../../generated/bms.ts';
import { ApiError, invalidParameter, missingParameter } from '../../shared/errors.ts';
import { isoTime, normalizeId } from '../../shared/ids.ts';
import { containsIgnoringCase } from '../../store/repos/list-conditions.ts';
import type { Database, FlavorsTable } from '../../store/schema.ts';
import type { Handler } from '../types.ts';
import type { InstanceServiceDeps } from './deps.ts';
import { diskId, flavorView } from './views.ts';

function visibleFlavors(db: Kysely<Database>, accountUin: string) {
  return db.selectFrom('flavors').where((eb) => eb.or([eb('user_defined', '=', 0), eb('owner_uin', '=', accountUin)]));
}

export function describeFlavors(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeFlavorsRequest;
    if (p.Offset !== undefined && p.Limit === undefined) throw missingParameter('Limit');
    if (p.FlavorIds?.length && p.Filters?.length) throw invalidParameter('FlavorIds', 'given without Filters (the two cannot be combined)', '不能与 Filters 同时指定');
    let q = visibleFlavors(deps.store.db, ctx.principal.accountUin);
    if (p.FlavorIds?.length) q = q.where('id', 'in', p.FlavorIds.map(normalizeId));
    for (const f of p.Filters ?? []) {
      const values = f.Values ?? [];
      if (f.Name === 'zone') q = q.where('zone', 'in', values);
      else if (f.Name === 'flavor-id') q = q.where('id', 'in', values.map(normalizeId));
      else if (f.Name === 'cpu-arch') q = q.where('cpu_arch', 'in', values.map((v) => v.trim().toUpperCase())); // X86 | ARM, any case
      else q = q.where((eb) => eb.or(values.map((v) => containsIgnoringCase('flavors.name', v))));
    }
    const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll().orderBy('zone').orderBy('name').offset(p.Offset ?? 0).limit(p.Limit ?? 20).execute();
    return { FlavorSet: await withImages(deps.store.db, rows), TotalCount: Number(count.n) };
  };
}

async function withImages(db: Kysely<Database>, rows: Array<Selectable<FlavorsTable>>) {
  if (rows.length === 0) return [];
  const images = await db.selectFrom('flavor_os_images').innerJoin('os_images', 'os_images.id', 'flavor_os_images.image_id')
    .select(['flavor_os_images.flavor_id', 'os_images.os_type', 'os_images.name'])
    .where('flavor_os_images.flavor_id', 'in', rows.map((r) => r.id)).orderBy('os_images.name').execute();
  return rows.map((f) => {
    const os = { Linux: [] as string[], Windows: [] as string[], Other: [] as string[] };
    for (const i of images) if (i.flavor_id === f.id) (os[i.os_type as keyof typeof os] ?? os.Other).push(i.name);
    return flavorView(f, os);
  });
}

const DISK_TYPES: Record<string, string> = { SSD: 'CLOUD_SSD', NVME: 'CLOUD_PREMIUM', HDD: 'CLOUD_BASIC', SATA: 'CLOUD_BASIC', SAS: 'CLOUD_PREMIUM' };

export function describeDisks(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeDisksRequest;
    let q = deps.store.db.selectFrom('instances').innerJoin('servers', 'servers.id', 'instances.server_id')
      .select(['instances.id', 'instances.zone', 'instances.created_at', 'servers.disks'])
      .where('instances.account_uin', '=', ctx.principal.accountUin).where('instances.deleted_at', 'is', null);
    const want = (name: string) => (p.Filters ?? []).filter((f) => f.Name === name).flatMap((f) => f.Values ?? []);
    if (want('instance-id').length) q = q.where('instances.id', 'in', want('instance-id').map(normalizeId));
    if (want('zone').length) q = q.where('instances.zone', 'in', want('zone'));
    const rows = await q.orderBy('instances.created_at', 'desc').orderBy('instances.id').execute();
    let disks = rows.flatMap((r) => (JSON.parse(r.disks) as Array<{ type: string; sizeGb: number }>).map((d, i) => ({
      DiskId: diskId(r.id, i),
      Placement: { Zone: r.zone, ProjectId: 0 },
      DiskName: i === 0 ? 'system' : `data-${i}`,
      DiskSize: String(d.sizeGb),
      InstanceId: r.id,
      DiskType: DISK_TYPES[d.type.toUpperCase()] ?? 'CLOUD_BASIC',
      CreatedTime: isoTime(Number(r.created_at)),
    })));
    const ids = new Set([...(p.DiskIds ?? []), ...want('disk-id')].map(normalizeId));
    if (ids.size > 0) disks = disks.filter((d) => ids.has(d.DiskId));
    const offset = p.Offset ?? 0;
    return { TotalCount: disks.length, DiskSet: disks.slice(offset, offset + (p.Limit ?? 20)) };
  };
}

export function inquiryPrice(deps: InstanceServiceDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as InquiryPriceBmsInstanceForTradeRequest;
    const flavor = await visibleFlavors(deps.store.db, ctx.principal.accountUin).selectAll().where('zone', '=', p.Zone)
      .where((eb) => eb.or([eb('id', '=', normalizeId(p.BmsFlavor)), eb('name', '=', p.BmsFlavor)])).executeTakeFirst();
    if (!flavor) {
      throw new ApiError('ResourceNotFound', { en: `The flavor ${p.BmsFlavor} does not exist in zone ${p.Zone}.`, zh: `可用区 ${p.Zone} 中不存在套餐 ${p.BmsFlavor}。` });
    }
    const price = Number(flavor.hourly_price).toFixed(2);
    return { UnitPrice: price, ChargeUnit: 'HOUR', OriginalPrice: price, DiscountPrice: price };
  };
}
