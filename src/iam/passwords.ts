/**
 * Console passwords: rules, random generation, and a slow salted hash — never stored in clear.
 *
 * The hash is scrypt (node:crypto) with a 16-byte random salt per password and the parameters
 * N = 2^15, r = 8, p = 3 (32 MiB of memory per hash, a few hundred ms of CPU): one of OWASP's
 * equivalent recommended settings (2^17/8/1, 2^16/8/2, 2^15/8/3, …), chosen to keep the memory
 * per concurrent hash modest. The stored form names its parameters —
 * `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` — so they can be raised later and old
 * hashes still verify. Verification compares in constant time.
 *
 * Rules (CAM's defaults): 8–32 characters, with at least three of lower-case letters,
 * upper-case letters, digits and symbols. A generated password is 32 such characters.
 */
import { randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 3;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 128 * n * r * 2 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];
const SYMBOLS = '!@#$%^&*()-_=+[]{}:;,.?';

/** Why `password` breaks the rules, in English and Chinese; undefined when it is acceptable. */
export function passwordProblem(password: string): { en: string; zh: string } | undefined {
  if (password.length < 8 || password.length > 32) return { en: 'a console password has 8 to 32 characters', zh: '控制台密码长度应为 8～32 位' };
  if (/\s/.test(password) || [...password].some((c) => c.charCodeAt(0) < 0x20)) return { en: 'a console password may not contain spaces or control characters', zh: '控制台密码不能包含空白或控制字符' };
  if (CLASSES.filter((c) => c.test(password)).length < 3) {
    return { en: 'a console password needs at least three of: lower-case letters, upper-case letters, digits, symbols', zh: '控制台密码须至少包含小写字母、大写字母、数字、符号中的三种' };
  }
  return undefined;
}

export function randomPassword(): string {
  const pools = ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', SYMBOLS];
  const all = pools.join('');
  const chars = pools.map((pool) => pool[randomInt(pool.length)]!);
  while (chars.length < 32) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
