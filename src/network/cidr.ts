/**
 * IPv4 CIDR blocks.
 *
 * `10.0.1.0/24` names the 2^(32−24) = 256 addresses that share their first 24 bits with
 * 10.0.1.0: the *prefix* says how many leading bits are fixed, the rest are *host bits*. A block
 * is written with its host bits zero — `10.0.1.5/24` is not a block but an address inside one,
 * and we refuse it rather than guess (the error suggests the block that was probably meant).
 *
 * Two blocks either nest or are disjoint; they overlap exactly when the shorter-prefix one
 * contains the other's network address. Everything here is arithmetic on 32-bit numbers.
 */
import { formatIpv4, parseIpv4 } from './ipv4.ts';

export interface Cidr {
  /** The network address as a number (host bits zero). */
  network: number;
  /** Prefix length, 0–32. */
  prefix: number;
}

export type CidrParse =
  | { ok: true; cidr: Cidr }
  | { ok: false; problem: 'malformed' }
  /** Host bits are set; `canonical` is the block the caller probably meant. */
  | { ok: false; problem: 'host-bits'; canonical: string };

const PREFIX = /^(0|[1-9]\d?)$/;

/** Parses `a.b.c.d/p`, refusing host bits and anything that is not strictly that shape. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, problem: 'malformed' };
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !PREFIX.test(prefixText) || Number(prefixText) > 32) return { ok: false, problem: 'malformed' };
  const prefix = Number(prefixText);
  const network = maskOf(address, prefix);
  if (network !== address) return { ok: false, problem: 'host-bits', canonical: formatCidr({ network, prefix }) };
  return { ok: true, cidr: { network, prefix } };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** `address` with its last 32−prefix bits cleared. */
export function maskOf(address: number, prefix: number): number {
  const hostSpan = 2 ** (32 - prefix);
  return address - (address % hostSpan);
}

/** How many addresses the block spans (2^(32−prefix)). */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The block's last (broadcast) address as a number. */
export function lastAddress(c: Cidr): number {
  return c.network + cidrSize(c) - 1;
}

export function containsAddress(c: Cidr, address: number): boolean {
  return address >= c.network && address <= lastAddress(c);
}

/** Whether `inner` lies entirely inside `outer` (a block contains itself). */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && containsAddress(outer, inner.network);
}

/** Whether the two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}
