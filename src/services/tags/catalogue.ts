/**
 * The account's tags as a list of their own: CreateTag, DeleteTag, DescribeTags, DescribeTagKeys
 * and DescribeTagValues. A tag enters the catalogue when created or first attached to a resource;
 * it can be deleted only while no resource carries it.
 */
import type {
  CreateTagRequest, DeleteTagRequest, DescribeTagKeysRequest, DescribeTagsRequest, DescribeTagValuesRequest,
} from '../../generated/tag.ts';
import { subCodeError } from '../../shared/errors.ts';
import { catalogueKeysPage, catalogueTags, catalogueTagsPage, isCatalogued, isTagInUse, uncatalogueTag } from '../../store/repos/resource-tags.ts';
import type { Handler } from '../types.ts';
import { checkCatalogueRoom, type TagDeps } from './deps.ts';
import { checkTags } from './rules.ts';

export function createTag(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as CreateTagRequest;
    const tag = { key: p.TagKey, value: p.TagValue };
    checkTags([tag], () => '');
    await deps.store.transaction(async (tx) => {
      if (await isCatalogued(tx, ctx.principal.accountUin, tag)) {
        throw subCodeError('ResourceInUse.TagDuplicate', `The tag ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} already exists.`,
          `标签 ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} 已存在。`);
      }
      await checkCatalogueRoom(tx, ctx.principal.accountUin, [tag]);
      await catalogueTags(tx, ctx.principal.accountUin, [tag], ctx.now);
    });
    return {};
  };
}

export function deleteTag(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DeleteTagRequest;
    const tag = { key: p.TagKey, value: p.TagValue };
    await deps.store.transaction(async (tx) => {
      if (!(await isCatalogued(tx, ctx.principal.accountUin, tag))) {
        throw subCodeError('ResourceNotFound.TagNonExist', `The tag ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} does not exist.`,
          `标签 ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} 不存在。`);
      }
      if (await isTagInUse(tx, ctx.principal.accountUin, tag)) {
        throw subCodeError('ResourceInUse.TagKeyAttached', `The tag ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} is still attached to resources; detach it first.`,
          `标签 ${JSON.stringify(tag.key)}=${JSON.stringify(tag.value)} 仍关联资源，请先解绑。`);
      }
      await uncatalogueTag(tx, ctx.principal.accountUin, tag);
    });
    return {};
  };
}

export function describeTags(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeTagsRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const keys = p.TagKeys?.length ? p.TagKeys : p.TagKey !== undefined && p.TagKey !== '' ? [p.TagKey] : undefined;
    const value = p.TagKeys?.length ? undefined : p.TagKey ? p.TagValue : undefined;
    const page = await catalogueTagsPage(deps.store.db, ctx.principal.accountUin, { keys, value, offset, limit });
    return {
      TotalCount: page.total, Offset: offset, Limit: limit,
      Tags: page.tags.map((t) => ({ TagKey: t.key, TagValue: t.value, CanDelete: t.inUse ? 0 : 1 })),
    };
  };
}

export function describeTagKeys(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeTagKeysRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const page = await catalogueKeysPage(deps.store.db, ctx.principal.accountUin, { offset, limit });
    return { TotalCount: page.total, Offset: offset, Limit: limit, Tags: page.keys };
  };
}

export function describeTagValues(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeTagValuesRequest;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 15;
    const page = await catalogueTagsPage(deps.store.db, ctx.principal.accountUin, { keys: p.TagKeys, offset, limit });
    return { TotalCount: page.total, Offset: offset, Limit: limit, Tags: page.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) };
  };
}
