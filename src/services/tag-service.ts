/**
 * The `tag` service (Tencent Tag 2018-08-13, the actions the vendor's clients call): tags on bms
 * instances, spread placement groups, heartbeat groups, VPCs, subnets and EIPs, named in CAM's
 * six segments, and the account's tag catalogue. Its spec is src/spec/tag.json; it shares its
 * version with bms and sts (the gateway tells them apart by action name). Every tag consumer —
 * RunInstances, DescribeInstances filters, CAM tag conditions — reads the same rows
 * (src/store/repos/resource-tags.ts).
 */
import tagSpec from '../spec/tag.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import { addResourceTag, deleteResourceTag, modifyResourceTags } from './tags/attach.ts';
import { createTag, deleteTag, describeTagKeys, describeTags, describeTagValues } from './tags/catalogue.ts';
import type { TagDeps } from './tags/deps.ts';
import { describeResourcesByTags, describeResourceTags, describeResourceTagsByResourceIds } from './tags/describe-resources.ts';
import type { ServiceDefinition } from './types.ts';

export const TAG_SPEC = serviceSpecSchema.parse(tagSpec);

export function tagService(deps: TagDeps): ServiceDefinition {
  return {
    spec: TAG_SPEC,
    audience: 'tenant',
    handlers: {
      AddResourceTag: addResourceTag(deps),
      DeleteResourceTag: deleteResourceTag(deps),
      ModifyResourceTags: modifyResourceTags(deps),
      CreateTag: createTag(deps),
      DeleteTag: deleteTag(deps),
      DescribeTags: describeTags(deps),
      DescribeTagKeys: describeTagKeys(deps),
      DescribeTagValues: describeTagValues(deps),
      DescribeResourceTags: describeResourceTags(deps),
      DescribeResourceTagsByResourceIds: describeResourceTagsByResourceIds(deps),
      DescribeResourcesByTags: describeResourcesByTags(deps),
    },
  };
}
