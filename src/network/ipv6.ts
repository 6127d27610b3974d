/**
 * IPv6 addresses and prefixes, for a VPC's optional IPv6 block.
 *
 * An IPv6 address is a 128-bit number, written as eight groups of four hex digits with the
 * longest run of zero groups shortened to `::` (`2402:4e00:1:100::5`). JavaScript numbers stop
 * being exact at 2⁵³, so the arithmetic here is on `bigint`.
 *
 * How a VPC uses IPv6 here (as Tencent does): the VPC gets a /56 (or a single /64), each subnet
 * gets one /64 of it, and an instance's address is `subnet /64 + interface id`. Interface id 0
 * is the subnet-router anycast address and 1 the gateway (mirroring IPv4's network+1), so hosts
 * get ids from 2 up. Only global unicast (2000::/3) and unique-local (fc00::/7) prefixes make
 * sense for a tenant network; link-local, multicast, loopback and the like are refused.
 *
 * Text output is the RFC 5952 canonical form (lower case, no leading zeros, `::` for the
 * longest run of two or more zero groups, the first such run on a tie), so that one address has
 * one spelling — which matters because the store's key is the text.
 */

export interface Ipv6Cidr {
  network: bigint;
  prefix: number;
}

export type Ipv6CidrParse =
  | { ok: true; cidr: Ipv6Cidr }
  | { ok: false; problem: 'malformed' }
  | { ok: false; problem: 'host-bits'; canonical: string };

/** The prefix lengths a VPC's IPv6 block may have. */
export const VPC_IPV6_PREFIXES = [56, 64] as const;
/** Every subnet's IPv6 block is one /64. */
export const SUBNET_IPV6_PREFIX = 64;
/** Interface ids 0 (subnet-router anycast) and 1 (gateway) are never handed out. */
export const FIRST_IPV6_HOST = 2;
/** Interface ids are kept below 2⁴⁸ so that they stay exact as JavaScript numbers and in a BIGINT. */
export const MAX_IPV6_HOST = 2 ** 48 - 1;

const ALL_ONES = (1n << 128n) - 1n;
const GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!GROUP.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function formatIpv6(n: bigint): string {
  if (n < 0n || n > ALL_ONES) throw new RangeError(`not an IPv6 address number: ${n}`);
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  const [start, length] = longestZeroRun(groups);
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (length < 2) return hex(groups);
  return `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
}

function longestZeroRun(groups: number[]): [number, number] {
  let best: [number, number] = [0, 0];
  let i = 0;
  while (i < groups.length) {
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best[1]) best = [i, j - i];
    i = j + 1;
  }
  return best;
}

export function parseIpv6Cidr(text: string): Ipv6CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, problem: 'malformed' };
  const address = parseIpv6(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > 128) {
    return { ok: false, problem: 'malformed' };
  }
  const prefix = Number(prefixText);
  const network = address & ~hostMask(prefix) & ALL_ONES;
  if (network !== address) return { ok: false, problem: 'host-bits', canonical: formatIpv6Cidr({ network, prefix }) };
  return { ok: true, cidr: { network, prefix } };
}

export function formatIpv6Cidr(c: Ipv6Cidr): string {
  return `${formatIpv6(c.network)}/${c.prefix}`;
}

const hostMask = (prefix: number) => (1n << BigInt(128 - prefix)) - 1n;

export function ipv6CidrContains(c: Ipv6Cidr, address: bigint): boolean {
  return address >= c.network && address <= (c.network | hostMask(c.prefix));
}

/** What is wrong with `c` as a VPC's IPv6 block, or undefined when it is acceptable. */
export function checkVpcIpv6Cidr(c: Ipv6Cidr): 'prefix' | 'scope' | undefined {
  if (!(VPC_IPV6_PREFIXES as readonly number[]).includes(c.prefix)) return 'prefix';
  const globalUnicast = c.network >> 125n === 1n; // 2000::/3
  const uniqueLocal = c.network >> 121n === 0x7en; // fc00::/7
  return globalUnicast || uniqueLocal ? undefined : 'scope';
}

/** How many /64 subnet blocks `vpc` holds (1 for a /64, 256 for a /56). */
export function subnetBlockCount(vpc: Ipv6Cidr): number {
  return 2 ** (SUBNET_IPV6_PREFIX - vpc.prefix);
}

/** The `index`-th /64 block of `vpc` (0-based). */
export function subnetBlock(vpc: Ipv6Cidr, index: number): Ipv6Cidr {
  if (!Number.isInteger(index) || index < 0 || index >= subnetBlockCount(vpc)) throw new RangeError(`no /64 block #${index} in the VPC`);
  return { network: vpc.network + (BigInt(index) << 64n), prefix: SUBNET_IPV6_PREFIX };
}

/** The address with interface id `hostId` in `block`. */
export function ipv6Host(block: Ipv6Cidr, hostId: number): bigint {
  const address = block.network + BigInt(hostId);
  if (!ipv6CidrContains(block, address)) throw new RangeError(`interface id ${hostId} lies outside ${formatIpv6Cidr(block)}`);
  return address;
}

/** The largest interface id handed out in `block`. */
export function lastIpv6Host(block: Ipv6Cidr): number {
  const span = hostMask(block.prefix);
  return span > BigInt(MAX_IPV6_HOST) ? MAX_IPV6_HOST : Number(span);
}
