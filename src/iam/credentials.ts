/**
 * API key pairs: SecretId (public, "AKID" + 32 characters) and SecretKey (secret, 32
 * characters), both from a CSPRNG over base62. The SecretKey is shown once, at creation, and
 * stored only sealed by the master key.
 */
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

export function newKeyPair(): { secretId: string; secretKey: string } {
  return { secretId: `AKID${randomBase62(32)}`, secretKey: randomBase62(32) };
}
