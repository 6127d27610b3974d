/**
 * Resolves a SecretId to its principal and SecretKey for signature checks.
 *
 * One store lookup (key ⋈ user ⋈ account), then the sealed SecretKey is opened with the master
 * key. Results are cached for a second: the hot path of every request stays off the database,
 * and disabling or deleting a key takes effect within that second on every process.
 */
import type { Kysely } from 'kysely';
import type { CredentialResolver, ResolvedCredential } from '../gateway/deps.ts';
import { getKey } from '../store/repos/api-keys.ts';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from './secret-box.ts';
import { tokenMatcher } from './temporary-credentials.ts';

const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

export function storeCredentialResolver(db: Kysely<Database>, box: SecretBox, clock: () => number): CredentialResolver {
  const cache = new Map<string, { value: ResolvedCredential | undefined; until: number }>();
  return {
    async resolve(secretId) {
      const now = clock();
      const hit = cache.get(secretId);
      if (hit && hit.until > now) return hit.value;
      const value = await load(db, box, secretId);
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(secretId, { value, until: now + TTL_MS });
      return value;
    },
  };
}

async function load(db: Kysely<Database>, box: SecretBox, secretId: string): Promise<ResolvedCredential | undefined> {
  const key = await getKey(db, secretId);
  if (!key || key.status !== 'Active') return undefined;
  return {
    principal: {
      accountUin: key.accountUin,
      appId: key.appId,
      accountKind: key.accountKind,
      userId: key.userId,
      userUin: key.userUin,
      isRoot: key.isRoot,
      secretId: key.secretId,
    },
    secretKey: box.open(key.secretKeyEnc, key.secretId),
    ...(key.tokenHash ? { token: tokenMatcher(key.tokenHash, key.expiresAt ?? 0) } : {}),
  };
}
