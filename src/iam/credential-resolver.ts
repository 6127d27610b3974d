/**
 * Resolves a SecretId to its principal and SecretKey for signature checks.
 *
 * One store lookup (key ⋈ user ⋈ account), then the sealed SecretKey is opened with the master
 * key, and — for a sub-user or a temporary key — the CAM policies it acts under are loaded and
 * parsed (src/iam/policies.ts). Results are cached for a second: the hot path of every request
 * stays off the database, and disabling or deleting a key, or attaching or detaching a policy,
 * takes effect within that second on every process.
 *
 * The resolver also reads resource tags for the gateway's authorization step, when a policy
 * has a `qcs:resource_tag/…` condition (`ResourceTagReader`, src/iam/resources.ts).
 */
import type { CredentialResolver, ResolvedCredential } from './ports.ts';
import { getKey } from '../store/repos/api-keys.ts';
import { TAGGABLE_KINDS, tagsOfResources, type TaggedResource } from '../store/repos/resource-tags.ts';
import { policiesForKey } from './policies.ts';
import { tagKey, type ResourceRef, type ResourceTagReader, type ResourceTags } from './resources.ts';
import type { SecretBox } from './secret-box.ts';
import { tokenMatcher } from './temporary-credentials.ts';
import type { Tx } from '../store/store.ts';

const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

export function storeCredentialResolver(db: Tx, box: SecretBox, clock: () => number): CredentialResolver & ResourceTagReader {
  const cache = new Map<string, { value: ResolvedCredential | undefined; until: number }>();
  return {
    resolve(secretId) {
      const now = clock();
      const hit = cache.get(secretId);
      if (hit && hit.until > now) return hit.value; // synchronously: no promise on the hot path
      return load(db, box, secretId).then((value) => {
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(secretId, { value, until: now + TTL_MS });
        return value;
      });
    },
    resourceTags: (accountUin, refs) => readResourceTags(db, accountUin, refs),
  };
}

async function load(db: Tx, box: SecretBox, secretId: string): Promise<ResolvedCredential | undefined> {
  const key = await getKey(db, secretId);
  if (!key || key.status !== 'Active') return undefined;
  const policies = key.isRoot && !key.tokenHash ? [] : await policiesForKey(db, key);
  return {
    principal: {
      accountUin: key.accountUin,
      appId: key.appId,
      accountKind: key.accountKind,
      userId: key.userId,
      userUin: key.userUin,
      isRoot: key.isRoot,
      secretId: key.secretId,
      ...(policies.length > 0 ? { policies } : {}),
    },
    secretKey: box.open(key.secretKeyEnc, key.secretId),
    ...(key.tokenHash ? { token: tokenMatcher(key.tokenHash, key.expiresAt ?? 0) } : {}),
  };
}

/** Tags of the account's instances among `refs`; every other ref (and a foreign id) has none. */
async function readResourceTags(db: Tx, accountUin: string, refs: readonly ResourceRef[]): Promise<ResourceTags> {
  const tags = new Map<string, Map<string, string>>(refs.map((r) => [tagKey(r), new Map()]));
  const taggable = refs.filter((r): r is ResourceRef & TaggedResource => (TAGGABLE_KINDS as readonly string[]).includes(r.kind));
  if (taggable.length === 0) return tags;
  for (const [key, list] of await tagsOfResources(db, accountUin, taggable)) {
    for (const t of list) tags.get(key)?.set(t.key, t.value);
  }
  return tags;
}
