/**
 * What the tag handlers need, and the steps every resource-changing one shares: finding the
 * caller's resource behind a six-segment name, and room in the account's tag catalogue.
 */
import { resourceNotFound, subCodeError } from '../../shared/errors.ts';
import { catalogueSize, isCatalogued, type Tag } from '../../store/repos/resource-tags.ts';
import { taggableRegion } from '../../store/repos/taggable-resources.ts';
import type { Store, Tx } from '../../store/store.ts';
import { KIND_NAMES, parseResourceName, type NamedResource } from './resource-names.ts';
import { MAX_KEYS_PER_ACCOUNT, MAX_VALUES_PER_KEY } from './rules.ts';

export interface TagDeps {
  store: Store;
}

/** The caller's live resource named by `text` (parameter `param`), with its region; ResourceNotFound otherwise. */
export async function findResource(db: Tx, accountUin: string, text: string, param: string): Promise<NamedResource & { home: string }> {
  const named = parseResourceName(text, param, accountUin);
  const home = await taggableRegion(db, accountUin, named);
  if (home === undefined || (named.region !== '' && named.region !== home)) throw resourceNotFound(KIND_NAMES[named.kind], named.id);
  return { ...named, home };
}

/** Refuses tags that would take the account past 1,000 keys or a key past 1,000 values. */
export async function checkCatalogueRoom(db: Tx, accountUin: string, tags: readonly Tag[]): Promise<void> {
  const newKeys = new Set<string>();
  const newValues = new Map<string, number>();
  let size: { keys: number } | undefined;
  for (const t of tags) {
    if (await isCatalogued(db, accountUin, t)) continue;
    const now = await catalogueSize(db, accountUin, t.key);
    size ??= now;
    if (now.valuesOfKey === 0) newKeys.add(t.key);
    const values = now.valuesOfKey + (newValues.get(t.key) ?? 0) + 1;
    newValues.set(t.key, (newValues.get(t.key) ?? 0) + 1);
    if (values > MAX_VALUES_PER_KEY) {
      throw subCodeError('LimitExceeded.TagValue', `The tag key ${JSON.stringify(t.key)} would have ${values} values, over the limit of ${MAX_VALUES_PER_KEY}.`,
        `标签键 ${JSON.stringify(t.key)} 的标签值将为 ${values} 个，超过上限 ${MAX_VALUES_PER_KEY}。`);
    }
  }
  if (size && size.keys + newKeys.size > MAX_KEYS_PER_ACCOUNT) {
    throw subCodeError('LimitExceeded.TagKey', `The account would have ${size.keys + newKeys.size} tag keys, over the limit of ${MAX_KEYS_PER_ACCOUNT}.`,
      `账号的标签键将为 ${size.keys + newKeys.size} 个，超过上限 ${MAX_KEYS_PER_ACCOUNT}。`);
  }
}
