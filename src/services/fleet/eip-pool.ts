/**
 * The EIP pool: AddEipPoolAddresses and DescribeEipPool (operator API).
 *
 * Tenants' elastic public IPs (vpc AllocateAddresses, RunInstances' InternetAccessible) are
 * taken from public IPv4 addresses the operator gives each region, one line (ISP: CTCC, CUCC,
 * CMCC or BGP) per address. An operator adds them by list (at most 256) or by block (/24 to
 * /32; for blocks of 4 or more addresses the first and last — network and broadcast — are
 * left out, since many networks cannot use them; list them explicitly to add them anyway).
 *
 * An address must be public: private, shared (CGNAT), loopback, link-local, multicast and
 * reserved ranges are refused. The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24) are accepted, so labs and the simulated datacenter have addresses to hand
 * out. Adding is idempotent: an address already in the pool on the same line of the region is
 * reported under ExistingAddressSet; on another line or region it is InvalidParameterValue
 * naming it, and nothing is added. Addresses are never taken out (a released EIP returns here).
 */
import type { AddEipPoolAddressesRequest, DescribeEipPoolRequest, EipPoolAddress, Filter } from '../../generated/bmsops.ts';
import { cidrSize, containsAddress, formatIpv4, parseCidr, parseIpv4, type Cidr } from '../../network/ipam.ts';
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { isoTime } from '../../shared/ids.ts';
import { addPoolAddresses, findPoolAddresses, ISPS, listPool, poolSummary, type PoolAddress, type PoolQuery } from '../../store/repos/eips.ts';
import type { Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { enumValues, pageOf } from './params.ts';

export const MAX_ADDRESSES_PER_CALL = 256;
const BLOCK_PREFIX = { min: 24, max: 32 } as const;

/** Ranges that are never public, with what they are (RFC 6890). */
const NOT_PUBLIC: ReadonlyArray<[Cidr, string]> = ([
  ['0.0.0.0/8', '"this network"'], ['10.0.0.0/8', 'private'], ['100.64.0.0/10', 'shared (carrier-grade NAT)'], ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], ['172.16.0.0/12', 'private'], ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.168.0.0/16', 'private'], ['198.18.0.0/15', 'benchmarking'], ['224.0.0.0/4', 'multicast'], ['240.0.0.0/4', 'reserved'],
] as const).map(([text, what]) => [(parseCidr(text) as { ok: true; cidr: Cidr }).cidr, what]);

/** What keeps `n` from being a public address, or undefined when it is one. */
export function nonPublicRange(n: number): string | undefined {
  return NOT_PUBLIC.find(([cidr]) => containsAddress(cidr, n))?.[1];
}

export function addEipPoolAddresses({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as AddEipPoolAddressesRequest;
    const wanted = addressesOf(p);
    const { added, existing } = await store.transaction(async (tx) => {
      checkNotElsewhere(await findPoolAddresses(tx, wanted.map((w) => w.address)), wanted, ctx.region, p.Isp);
      const inserted = new Set(await addPoolAddresses(tx, ctx.region, p.Isp, wanted.map((w) => w.address), ctx.now));
      const skipped = wanted.filter((w) => !inserted.has(w.address));
      checkNotElsewhere(await findPoolAddresses(tx, skipped.map((w) => w.address)), skipped, ctx.region, p.Isp); // added meanwhile
      return { added: wanted.filter((w) => inserted.has(w.address)), existing: skipped };
    });
    return { AddressSet: added.map((w) => w.address), ExistingAddressSet: existing.map((w) => w.address) };
  };
}

interface Wanted { address: string; path: string }

/** The addresses to add, each with the wire path that names it in an error. */
function addressesOf(p: AddEipPoolAddressesRequest): Wanted[] {
  if (p.Addresses?.length && p.CidrBlock !== undefined) {
    throw invalidParameterValue('Addresses and CidrBlock', 'give either Addresses or CidrBlock, not both', 'Addresses 与 CidrBlock 只能指定其一');
  }
  if (p.CidrBlock !== undefined) return blockAddresses(p.CidrBlock);
  if (!p.Addresses?.length) {
    throw new ApiError('MissingParameter', { en: 'Give Addresses or CidrBlock: the addresses to add.', zh: '请指定 Addresses 或 CidrBlock：要加入的地址。' });
  }
  const seen = new Map<string, string>();
  return p.Addresses.map((raw, i) => {
    const path = `Addresses.${i}`;
    const n = publicAddress(path, raw.trim());
    const address = formatIpv4(n);
    const first = seen.get(address);
    if (first) throw invalidParameterValue(path, `${address} is also given at ${first}`, `${address} 与 ${first} 重复`);
    seen.set(address, path);
    return { address, path };
  });
}

function blockAddresses(text: string): Wanted[] {
  const parsed = parseCidr(text.trim());
  if (!parsed.ok) {
    throw invalidParameterValue('CidrBlock', parsed.problem === 'host-bits' ? `"${text}" has host bits set; did you mean ${parsed.canonical}?`
      : `"${text}" is not a CIDR block such as 203.0.113.0/28`, parsed.problem === 'host-bits' ? `"${text}" 的主机位不为 0，是否应为 ${parsed.canonical}？`
      : `"${text}" 不是合法的 CIDR 网段（例如 203.0.113.0/28）`);
  }
  const { cidr } = parsed;
  if (cidr.prefix < BLOCK_PREFIX.min) {
    throw invalidParameterValue('CidrBlock', `at most ${MAX_ADDRESSES_PER_CALL} addresses per call: a block must be /${BLOCK_PREFIX.min} to /${BLOCK_PREFIX.max}, got /${cidr.prefix}`,
      `每次最多加入 ${MAX_ADDRESSES_PER_CALL} 个地址：网段掩码须在 /${BLOCK_PREFIX.min} 到 /${BLOCK_PREFIX.max} 之间，实际为 /${cidr.prefix}`);
  }
  const size = cidrSize(cidr);
  const [first, last] = size >= 4 ? [cidr.network + 1, cidr.network + size - 2] : [cidr.network, cidr.network + size - 1];
  const what = nonPublicRange(cidr.network) ?? nonPublicRange(cidr.network + size - 1);
  if (what) throw invalidParameterValue('CidrBlock', `${text} is not public: it lies in a ${what} range`, `${text} 不是公网地址段：它位于${what}地址范围内`);
  return Array.from({ length: last - first + 1 }, (_, i) => ({ address: formatIpv4(first + i), path: 'CidrBlock' }));
}

function publicAddress(path: string, text: string): number {
  const n = parseIpv4(text);
  if (n === undefined) throw invalidParameterValue(path, `"${text}" is not an IPv4 address such as 203.0.113.10`, `"${text}" 不是合法的 IPv4 地址（例如 203.0.113.10）`);
  const what = nonPublicRange(n);
  if (what) throw invalidParameterValue(path, `${text} is not a public address: it is in a ${what} range`, `${text} 不是公网地址：它位于${what}地址范围内`);
  return n;
}

/** Refuses addresses the pool already holds on another line or in another region. */
function checkNotElsewhere(found: ReadonlyArray<{ address: string; region: string; isp: string }>, wanted: readonly Wanted[], region: string, isp: string): void {
  const clash = found.find((f) => f.region !== region || f.isp !== isp);
  if (!clash) return;
  const path = wanted.find((w) => w.address === clash.address)?.path ?? 'Addresses';
  throw invalidParameterValue(path, `${clash.address} is already in the pool as a ${clash.isp} address of region ${clash.region}`,
    `${clash.address} 已作为地域 ${clash.region} 的 ${clash.isp} 线路地址加入资源池`);
}

export function describeEipPool({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as DescribeEipPoolRequest;
    const query: PoolQuery = { region: ctx.region };
    (p.Filters ?? []).forEach((f, i) => narrow(query, f, `Filters.${i}.Values`));
    const [{ total, items }, lines] = await Promise.all([listPool(store.db, query, pageOf(p)), poolSummary(store.db, ctx.region)]);
    return {
      TotalCount: total,
      AddressSet: items.map(poolAddressView),
      IspSet: lines.map((l) => ({ Isp: l.isp, TotalCount: l.total, FreeCount: l.free })),
    };
  };
}

/** Applies one filter (filters are AND-ed: a second filter of the same name intersects). */
function narrow(q: PoolQuery, f: Filter, path: string): void {
  if (f.Name === 'isp') {
    const isps = enumValues(path, f.Values, ISPS);
    q.isps = q.isps ? q.isps.filter((x) => isps.includes(x as (typeof ISPS)[number])) : isps;
    return;
  }
  // 'status' (the validator admits no other name)
  const allocated = enumValues(path, f.Values, ['free', 'used'] as const).map((s) => s === 'used');
  q.allocated = q.allocated ? q.allocated.filter((x) => allocated.includes(x)) : allocated;
}

function poolAddressView(a: PoolAddress): EipPoolAddress {
  return {
    Address: a.address,
    Isp: a.isp,
    Status: a.eip ? 'used' : 'free',
    AddressId: a.eip?.id ?? null,
    OwnerUin: a.eip?.accountUin ?? null,
    InstanceId: a.eip?.instanceId ?? null,
    CreatedTime: isoTime(a.createdAt),
  };
}
