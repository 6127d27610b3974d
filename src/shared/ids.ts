/**
 * Resource IDs: a prefix and 8 lowercase alphanumerics (`bms-3k9x0a1z`), from a CSPRNG.
 * Input IDs are matched case-insensitively: normalize with `normalizeId` at the edge of a service.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(36)];
  return `${prefix}-${s}`;
}

/** Lower-cases the part after the prefix; heartbeat ids keep their upper-case `HA-` prefix. */
export function normalizeId(id: string): string {
  const dash = id.indexOf('-');
  if (dash < 0) return id.toLowerCase();
  const prefix = id.slice(0, dash);
  return `${prefix.toUpperCase() === 'HA' ? 'HA' : prefix.toLowerCase()}-${id.slice(dash + 1).toLowerCase()}`;
}

/** ISO 8601 UTC without milliseconds, as the API writes times. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
