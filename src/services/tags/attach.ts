/**
 * AddResourceTag, DeleteResourceTag and ModifyResourceTags: the tags of one resource of the
 * caller's, named in six segments. Each checks everything before writing anything, in one
 * transaction (a refused call changes nothing).
 */
import type { AddResourceTagRequest, DeleteResourceTagRequest, ModifyResourceTagsRequest } from '../../generated/tag.ts';
import { missingParameter, subCodeError } from '../../shared/errors.ts';
import { removeTags, setTags, tagsOfResource, type Tag } from '../../store/repos/resource-tags.ts';
import type { Handler } from '../types.ts';
import { checkCatalogueRoom, findResource, type TagDeps } from './deps.ts';
import { checkTags, keyProblem, MAX_TAGS_PER_RESOURCE, tooManyOnResource } from './rules.ts';

export function addResourceTag(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as AddResourceTagRequest;
    const tag = { key: p.TagKey, value: p.TagValue };
    checkTags([tag], () => '');
    const accountUin = ctx.principal.accountUin;
    await deps.store.transaction(async (tx) => {
      const r = await findResource(tx, accountUin, p.Resource, 'Resource');
      const existing = await tagsOfResource(tx, accountUin, r);
      if (existing.some((t) => t.key === tag.key)) {
        throw subCodeError('ResourceInUse.TagKeyAttached', `The resource ${p.Resource} already carries the tag key ${JSON.stringify(tag.key)} (ModifyResourceTags changes its value).`,
          `资源 ${p.Resource} 已关联标签键 ${JSON.stringify(tag.key)}（修改标签值请用 ModifyResourceTags）。`);
      }
      if (existing.length + 1 > MAX_TAGS_PER_RESOURCE) throw tooManyOnResource(p.Resource, existing.length + 1);
      await checkCatalogueRoom(tx, accountUin, [tag]);
      await setTags(tx, { accountUin, region: r.home }, [r], [tag], ctx.now);
    });
    return {};
  };
}

export function deleteResourceTag(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DeleteResourceTagRequest;
    const problem = keyProblem(p.TagKey, 'TagKey');
    if (problem && problem.code !== 'InvalidParameterValue.ReservedTagKey') throw problem;
    const accountUin = ctx.principal.accountUin;
    await deps.store.transaction(async (tx) => {
      const r = await findResource(tx, accountUin, p.Resource, 'Resource');
      if ((await removeTags(tx, accountUin, r, [p.TagKey])) === 0) {
        throw subCodeError('ResourceNotFound.AttachedTagKeyNotFound', `The resource ${p.Resource} carries no tag key ${JSON.stringify(p.TagKey)}.`,
          `资源 ${p.Resource} 未关联标签键 ${JSON.stringify(p.TagKey)}。`);
      }
    });
    return {};
  };
}

export function modifyResourceTags(deps: TagDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyResourceTagsRequest;
    if (!p.ReplaceTags?.length && !p.DeleteTags?.length) throw missingParameter('ReplaceTags or DeleteTags');
    const replace: Tag[] = (p.ReplaceTags ?? []).map((t) => ({ key: t.TagKey, value: t.TagValue }));
    checkTags(replace, (i) => `ReplaceTags.${i}.`);
    const deleting = (p.DeleteTags ?? []).map((t) => t.TagKey);
    deleting.forEach((key, i) => {
      if (replace.some((t) => t.key === key)) {
        throw subCodeError('InvalidParameterValue.DeleteTagsParamError', `DeleteTags.${i}.TagKey (${JSON.stringify(key)}) is also in ReplaceTags; a key may be in only one of them.`,
          `DeleteTags.${i}.TagKey（${JSON.stringify(key)}）同时出现在 ReplaceTags 中，二者不能包含相同的标签键。`);
      }
    });
    const accountUin = ctx.principal.accountUin;
    await deps.store.transaction(async (tx) => {
      const r = await findResource(tx, accountUin, p.Resource, 'Resource');
      const keys = new Set((await tagsOfResource(tx, accountUin, r)).map((t) => t.key));
      for (const key of deleting) keys.delete(key);
      for (const t of replace) keys.add(t.key);
      if (keys.size > MAX_TAGS_PER_RESOURCE) throw tooManyOnResource(p.Resource, keys.size);
      await checkCatalogueRoom(tx, accountUin, replace);
      await removeTags(tx, accountUin, r, deleting);
      await setTags(tx, { accountUin, region: r.home }, [r], replace, ctx.now);
    });
    return {};
  };
}
