/**
 * The gateway's signature-binding port (gateway/steps/bind-signature.ts), backed by the store.
 *
 * Every TC3 request that leaves X-TC-Action unsigned — every call of the official SDKs — asks
 * what its signature was first used for. The answer never changes within the signature's
 * window, so this process keeps the ones it has seen (bounded): a client polling with the same
 * signed request, or the same request seen twice, costs one store write, not one per request.
 */
import type { SignatureBinding } from '../gateway/deps.ts';
import { requiresSignedAction } from '../store/repos/account-security.ts';
import { recordFirstUse, type SignatureUse } from '../store/repos/signature-uses.ts';
import type { Store } from '../store/store.ts';

const MAX_REMEMBERED = 50_000;

export function signatureBinding(store: Store, clock: () => number): SignatureBinding {
  const seen = new Map<string, { first: SignatureUse | Promise<SignatureUse>; expiresAt: number }>();
  return {
    firstUse(signature, use, expiresAt) {
      const now = clock();
      const hit = seen.get(signature);
      if (hit && hit.expiresAt > now) return hit.first;
      // Kept while the write is under way too, so a use right behind this one in this process waits for it.
      const pending = recordFirstUse(store.db, signature, use, expiresAt, now).then(
        (first) => {
          seen.set(signature, { first, expiresAt });
          return first;
        },
        (err: unknown) => {
          seen.delete(signature);
          throw err;
        },
      );
      if (seen.size >= MAX_REMEMBERED) seen.clear();
      seen.set(signature, { first: pending, expiresAt });
      return pending;
    },
    requiresSignedAction: (accountUin) => requiresSignedAction(store.db, accountUin),
  };
}
