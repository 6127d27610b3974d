/**
 * The tag service's reads of tagged resources: DescribeResourceTags and
 * DescribeResourceTagsByResourceIds (one row per resource and tag), DescribeResourcesByTags
 * (each resource with its tags). Only the caller's resources appear; another account's ids
 * simply match nothing.
 */
import { createHash } from 'node:crypto';
import type { DescribeResourcesByTagsRequest, DescribeResourceTagsByResourceIdsRequest, DescribeResourceTagsRequest } from '../../generated/tag.ts';
import { normalizeId } from '../../shared/ids.ts';
import { resourcesTagged, resourceTagRows, tagsOfResources, type ResourceTagRow } from '../../store/repos/resource-tags.ts';
import type { Handler } from '../types.ts';
import type { TagDeps } from './deps.ts';
import { kindsSelected, serviceOf } from './resource-names.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function tagResource(r: ResourceTagRow) {
  return { TagKey: r.key, TagValue: r.value, ResourceId: r.id, TagKeyMd5: md5(r.key), TagValueMd5: md5(r.value), ServiceType: serviceOf(r.kind) };
}

export function describeResourceTags(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeResourceTagsRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const page = await resourceTagRows(deps.store.db, ctx.principal.accountUin, {
      kinds: kindsSelected(p.ServiceType, p.ResourcePrefix), region: p.ResourceRegion || undefined,
      resourceIds: p.ResourceId ? [normalizeId(p.ResourceId.trim())] : undefined, offset, limit,
    });
    return { TotalCount: page.total, Offset: offset, Limit: limit, Rows: page.rows.map(tagResource) };
  };
}

export function describeResourceTagsByResourceIds(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeResourceTagsByResourceIdsRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const page = await resourceTagRows(deps.store.db, ctx.principal.accountUin, {
      kinds: kindsSelected(p.ServiceType, p.ResourcePrefix), region: p.ResourceRegion || undefined,
      resourceIds: p.ResourceIds.map((id) => normalizeId(id.trim())), offset, limit,
    });
    return { TotalCount: page.total, Offset: offset, Limit: limit, Tags: page.rows.map(tagResource) };
  };
}

export function describeResourcesByTags(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeResourcesByTagsRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const db = deps.store.db;
    const conditions = p.IgnoreFilter === 1 ? [] : (p.TagFilters ?? []).map((f) => ({ key: f.TagKey, values: f.TagValue }));
    const page = await resourcesTagged(db, ctx.principal.accountUin, {
      conditions, kinds: kindsSelected(p.ServiceType, p.ResourcePrefix), region: p.ResourceRegion || undefined,
      resourceId: p.ResourceId ? normalizeId(p.ResourceId.trim()) : undefined, offset, limit,
    });
    const tags = await tagsOfResources(db, ctx.principal.accountUin, page.resources);
    return {
      TotalCount: page.total, Offset: offset, Limit: limit,
      Rows: page.resources.map((r) => ({
        ResourceId: r.id,
        TagKeyValues: JSON.stringify((tags.get(`${r.kind}/${r.id}`) ?? []).map((t) => ({ TagKey: t.key, TagValue: t.value }))),
      })),
    };
  };
}
