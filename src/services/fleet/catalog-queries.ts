/**
 * What is on sale, as operators see it: DescribeFlavors (operator view), CreateOsImage and
 * DescribeOsImages.
 *
 * The tenant-facing DescribeFlavors (bms) hides other tenants' user-defined flavors and says
 * nothing about the machines behind a flavor. The operator's shows every flavor of the region,
 * the tenant a user-defined one is bound to, the images by id, and how many servers of the
 * flavor are available, allocated, being cleaned and in maintenance — the numbers an operator
 * watches to know when to rack more machines or mark a flavor sold out.
 *
 * OS images are global: a name as tenants write it in RunInstances.OperatingSystem, its type
 * and CPU architecture, unique together. Flavors offer them (CreateFlavor / ModifyFlavor).
 */
import type { CreateOsImageRequest, DescribeFlavorsRequest, DescribeOsImagesRequest, Filter } from '../../generated/bmsops.ts';
import { newId } from '../../shared/ids.ts';
import { imagesOfFlavors, listFlavors, type FlavorCondition } from '../../store/repos/fleet-flavors.ts';
import { findOsImage, insertOsImage, listOsImages, type OsImageCondition } from '../../store/repos/fleet-os-images.ts';
import { countServersByFlavor } from '../../store/repos/fleet-servers.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { idsWithFilters, imageTaken } from './errors.ts';
import { booleanValues, enumValues, filterIds, idListParam, pageOf, regionZones } from './params.ts';
import { conflictAs } from './topology.ts';
import { flavorView, imageView } from './views.ts';

const ARCHES = ['X86', 'ARM'] as const;
const OS_TYPES = ['Linux', 'Windows', 'Other'] as const;

export function describeFlavors({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeFlavorsRequest;
    if (p.FlavorIds?.length && p.Filters?.length) throw idsWithFilters('FlavorIds');
    const conditions: FlavorCondition[] = p.FlavorIds?.length
      ? [{ column: 'id', values: idListParam('FlavorIds', p.FlavorIds, 'flavor') }]
      : (p.Filters ?? []).map((f, i) => flavorCondition(f, `Filters.${i}.Values`));
    const zones = await regionZones(store.db, ctx.region);
    const { total, items } = await listFlavors(store.db, zones, conditions, pageOf(p));
    const ids = items.map((f) => f.id);
    const [images, counts] = await Promise.all([imagesOfFlavors(store.db, ids), countServersByFlavor(store.db, ids)]);
    return { TotalCount: total, FlavorSet: items.map((f) => flavorView(f, images.get(f.id) ?? [], counts.get(f.id))) };
  };
}

function flavorCondition(f: Filter, path: string): FlavorCondition {
  switch (f.Name) {
    case 'zone': return { column: 'zone', values: f.Values.map((v) => v.trim()) };
    case 'flavor-id': return { column: 'id', values: filterIds(f.Values) };
    case 'flavor-name': return { column: 'name', values: f.Values, contains: true };
    case 'cpu-arch': return { column: 'cpu_arch', values: enumValues(path, f.Values, ARCHES) };
    case 'owner-uin': return { column: 'owner_uin', values: f.Values.map((v) => v.trim()) };
    default: return { column: 'user_defined', values: [...new Set(booleanValues(path, f.Values))].map((b) => (b ? 1 : 0)) }; // 'user-defined'
  }
}

export function createOsImage({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateOsImageRequest;
    const key = { osType: p.OsType, name: p.OsName.trim(), cpuArch: p.CpuArch };
    const existing = await findOsImage(store.db, key);
    if (existing) throw imageTaken(key.osType, key.name, key.cpuArch, existing.id);
    const id = newId('img');
    await insertOsImage(store.db, { id, ...key, createdAt: ctx.now }).catch(conflictAs(imageTaken(key.osType, key.name, key.cpuArch, 'just created')));
    return { ImageId: id };
  };
}

export function describeOsImages({ store }: FleetDeps): Handler {
  return async (_ctx, params) => {
    const p = params as unknown as DescribeOsImagesRequest;
    if (p.ImageIds?.length && p.Filters?.length) throw idsWithFilters('ImageIds');
    const conditions: OsImageCondition[] = p.ImageIds?.length
      ? [{ column: 'id', values: idListParam('ImageIds', p.ImageIds, 'img') }]
      : (p.Filters ?? []).map((f, i) => imageCondition(f, `Filters.${i}.Values`));
    const { total, items } = await listOsImages(store.db, conditions, pageOf(p));
    return { TotalCount: total, OsImageSet: items.map(imageView) };
  };
}

function imageCondition(f: Filter, path: string): OsImageCondition {
  switch (f.Name) {
    case 'os-type': return { column: 'os_type', values: enumValues(path, f.Values, OS_TYPES) };
    case 'os-name': return { column: 'name', values: f.Values, contains: true };
    default: return { column: 'cpu_arch', values: enumValues(path, f.Values, ARCHES) }; // 'cpu-arch'
  }
}
