/**
 * Temporary credentials: a SecretId + SecretKey + Token that stop working at an expiry.
 *
 * They are ordinary key rows with two more columns: the SHA-256 of the token (the token itself
 * is a bearer secret and is never stored) and `expires_at`. Every request signed with such a
 * key must carry the token (`X-TC-Token` for TC3, `Token` for v1); a missing, wrong or expired
 * token is AuthFailure.TokenFailure. The STS-like action that hands them out belongs to IAM.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createKey } from '../store/repos/api-keys.ts';
import { newKeyPair, randomBase62 } from './credentials.ts';
import type { SecretBox } from './secret-box.ts';
import type { Tx } from '../store/store.ts';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function tokenMatcher(tokenHash: string, expiresAt: number) {
  const expected = Buffer.from(tokenHash, 'hex');
  return {
    expiresAt,
    matches(token: string) {
      const actual = Buffer.from(hashToken(token), 'hex');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export interface TemporaryCredentials {
  secretId: string;
  secretKey: string;
  token: string;
  expiresAt: number;
}

export async function issueTemporaryCredentials(
  db: Tx, box: SecretBox, userId: string, now: number, ttlSeconds: number,
): Promise<TemporaryCredentials> {
  const { secretId, secretKey } = newKeyPair();
  const token = randomBase62(64);
  const expiresAt = now + ttlSeconds * 1000;
  await createKey(db, {
    secretId, userId, secretKeyEnc: box.seal(secretKey, secretId), status: 'Active', createdAt: now,
    tokenHash: hashToken(token), expiresAt,
  });
  return { secretId, secretKey, token, expiresAt };
}
