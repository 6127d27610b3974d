/**
 * Secrets at rest: AES-256-GCM under the master key.
 *
 * Every stored secret (API SecretKeys now; BMC passwords later) is sealed as
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id names which master key
 * sealed it, so a rotation can re-encrypt row by row while both keys are loaded. The optional
 * `context` (e.g. the SecretId) is bound as additional authenticated data, so a sealed value
 * copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export class SecretBox {
  private keys: Map<string, Buffer>;
  private sealing: MasterKey;
  /** Called once when `open` meets a key id that is not loaded (a rotation elsewhere): may `rekey`. */
  onUnknownKey: ((keyId: string) => void) | undefined;

  constructor(current: MasterKey, previous: MasterKey[] = []) {
    this.sealing = current;
    this.keys = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  /** The key new secrets are sealed with. */
  get current(): MasterKey {
    return this.sealing;
  }

  /** Replaces the loaded keys during a master key rotation: seal with `current`, open with any. */
  rekey(current: MasterKey, previous: MasterKey[] = []): void {
    this.sealing = current;
    this.keys = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, context = ''): string {
    const [version, keyId, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || ct === undefined) throw new Error('sealed secret has an unknown format');
    if (!this.keys.has(keyId)) this.onUnknownKey?.(keyId);
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`sealed secret uses master key ${keyId}, which is not loaded`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A master key from operator-supplied material: 32 bytes as base64/hex, or any passphrase (hashed). */
export function masterKeyFrom(material: string): MasterKey {
  const trimmed = material.trim();
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) && Buffer.from(trimmed, 'base64').length === 32) key = Buffer.from(trimmed, 'base64');
  else key = createHash('sha256').update(trimmed, 'utf8').digest();
  // The id is a fingerprint of the key, never the key: safe to store next to each secret.
  const id = createHash('sha256').update('bms-master-key-id').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}
