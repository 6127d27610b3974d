/**
 * IP address management (IPAM) for tenant networks — pure logic, no I/O.
 *
 * A VPC owns one private IPv4 block; its subnets carve disjoint blocks out of it; instances
 * get addresses from their subnet. The rules are Tencent's:
 *   - a VPC block is /12 to /28 and lies inside one of the RFC 1918 private ranges
 *     (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16);
 *   - a subnet block is /16 to /29, lies inside its VPC's block, and overlaps no other subnet of
 *     that VPC;
 *   - in every subnet three addresses are never handed out: the network address (first), the
 *     gateway (network + 1) and the broadcast address (last). The rest is the *usable range*,
 *     and allocation always takes the smallest free addresses of it, so results are predictable.
 *
 * This module is the one place those rules live; the store (for race-free allocation) and the
 * vpc service (for validation) both call it. Addresses are numbers here (see ipv4.ts), blocks
 * are `Cidr`s (see cidr.ts), IPv6 lives in ipv6.ts; all three are re-exported so callers import
 * one module.
 */
import { type Cidr, containsAddress, containsCidr, cidrsOverlap, cidrSize, lastAddress, parseCidr } from './cidr.ts';

export * from './cidr.ts';
export * from './ipv4.ts';
export * from './ipv6.ts';

/** RFC 1918: the only blocks a VPC may use. */
export const PRIVATE_RANGES: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(mustParse);
export const VPC_PREFIX = { min: 12, max: 28 } as const;
export const SUBNET_PREFIX = { min: 16, max: 29 } as const;

/** Why a block cannot be a VPC's, or undefined when it can. */
export type VpcCidrProblem = { problem: 'prefix'; min: number; max: number } | { problem: 'not-private' };

export function checkVpcCidr(c: Cidr): VpcCidrProblem | undefined {
  if (c.prefix < VPC_PREFIX.min || c.prefix > VPC_PREFIX.max) return { problem: 'prefix', ...VPC_PREFIX };
  if (!PRIVATE_RANGES.some((range) => containsCidr(range, c))) return { problem: 'not-private' };
  return undefined;
}

/** Why a block cannot be a subnet of `vpc`, or undefined when it can (overlaps are checked separately). */
export type SubnetCidrProblem = { problem: 'prefix'; min: number; max: number } | { problem: 'outside-vpc' };

export function checkSubnetCidr(subnet: Cidr, vpc: Cidr): SubnetCidrProblem | undefined {
  if (subnet.prefix < SUBNET_PREFIX.min || subnet.prefix > SUBNET_PREFIX.max) return { problem: 'prefix', ...SUBNET_PREFIX };
  if (!containsCidr(vpc, subnet)) return { problem: 'outside-vpc' };
  return undefined;
}

/** The first of `others` whose block overlaps `candidate` (blocks given as text, as stored). */
export function findOverlap<T extends { cidr: string }>(candidate: Cidr, others: readonly T[]): T | undefined {
  return others.find((o) => {
    const parsed = parseCidr(o.cidr);
    return parsed.ok && cidrsOverlap(candidate, parsed.cidr);
  });
}

export interface UsableRange {
  /** Smallest assignable address (network + 2). */
  first: number;
  /** Largest assignable address (broadcast − 1). */
  last: number;
}

/** The addresses of a subnet that may be assigned: everything but network, gateway and broadcast. */
export function usableRange(c: Cidr): UsableRange {
  return { first: c.network + 2, last: lastAddress(c) - 1 };
}

/** How many addresses of the block can be assigned (size − 3; never negative). */
export function usableCount(c: Cidr): number {
  return Math.max(0, cidrSize(c) - 3);
}

/** The gateway address of a subnet (network + 1). */
export function gatewayAddress(c: Cidr): number {
  return c.network + 1;
}

/** Why `address` cannot be assigned in `c`, or undefined when it can. */
export function addressProblem(c: Cidr, address: number): 'outside' | 'network' | 'gateway' | 'broadcast' | undefined {
  if (!containsAddress(c, address)) return 'outside';
  if (address === c.network) return 'network';
  if (address === gatewayAddress(c)) return 'gateway';
  if (address === lastAddress(c)) return 'broadcast';
  return undefined;
}

/**
 * The `count` smallest numbers of `range` that are not in `taken` and are greater than
 * `after` (default: none excluded) — fewer when the range runs out.
 */
export function smallestFree(range: UsableRange, taken: Iterable<number>, count: number, after = range.first - 1): number[] {
  const used = taken instanceof Set ? (taken as Set<number>) : new Set(taken);
  const out: number[] = [];
  for (let n = Math.max(range.first, after + 1); n <= range.last && out.length < count; n++) {
    if (!used.has(n)) out.push(n);
  }
  return out;
}

function mustParse(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad built-in CIDR ${text}`);
  return parsed.cidr;
}
