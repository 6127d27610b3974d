/**
 * Address allocations: one row per address handed out in a subnet, race-free on every backend.
 *
 * The primary key (subnet_id, address) is the whole concurrency story. An allocator reads
 * which addresses are taken, picks the smallest free ones (src/network/ipam.ts), and INSERTs
 * them with `ON CONFLICT DO NOTHING … RETURNING address`: the rows that come back are its own;
 * a candidate that another allocator took in the meantime simply does not come back, and the
 * allocator moves on to the next free candidates. Nothing is locked up front, so allocations in
 * one subnet proceed in parallel on any number of PostgreSQL nodes, and two allocators never
 * get one address. (Catching a unique violation instead would not do: on PostgreSQL a failed
 * statement aborts the whole transaction.) On PostgreSQL an INSERT that meets a row inserted
 * by a still-open transaction waits for it, then skips or inserts depending on its outcome.
 *
 * Candidates are inserted in ascending order and every retry only looks above the last
 * candidate tried, so two allocators always wait on each other in the same order and cannot
 * deadlock. A failed allocation deletes whatever it had inserted before reporting, so the
 * caller's transaction is left as it was — except `subnet-missing` (the subnet was deleted
 * under us: a foreign-key failure, which on PostgreSQL aborts the transaction; end it).
 *
 * IPv6 rows (kind 'ipv6') share the table. `address` is the canonical RFC 5952 text (the key);
 * `address_num` cannot hold a 128-bit number, so it stores the NEGATED interface id within the
 * subnet's /64 (address 2402:…::5 → −5). IPv4 numbers are never negative, so every IPv4 range
 * scan (`address_num BETWEEN first AND last`) skips IPv6 rows by construction, and the IPv6
 * scan is `address_num < 0`. Interface ids stay below 2⁴⁸ (ipv6.ts MAX_IPV6_HOST).
 */
import type { Kysely, Selectable } from 'kysely';
import {
  addressProblem, FIRST_IPV6_HOST, formatIpv4, formatIpv6, ipv6Host, lastIpv6Host, parseCidr, parseIpv4, parseIpv6Cidr,
  smallestFree, usableCount, usableRange, type Cidr, type UsableRange,
} from '../../network/ipam.ts';
import type { Database, IpAllocationsTable, IpKind } from '../schema.ts';
import { isForeignKeyViolation } from '../errors.ts';

export interface IpAllocation {
  subnetId: string;
  address: string;
  addressNum: number;
  accountUin: string;
  kind: IpKind;
  ownerId: string | null;
  createdAt: number;
}

export interface AllocationSubnet {
  id: string;
  cidr: string;
  accountUin: string;
}

export interface Ipv6Subnet {
  id: string;
  ipv6Cidr: string | null;
  accountUin: string;
}

export interface Owner {
  kind: Exclude<IpKind, 'ipv6'>;
  ownerId: string | null;
}

export type AllocationFailure =
  /** Fewer than `wanted` addresses were free (`free` of them). */
  | { ok: false; reason: 'exhausted'; wanted: number; free: number }
  /** A requested address is already allocated. */
  | { ok: false; reason: 'taken'; address: string }
  /** A requested address is not an IPv4 address, lies outside the subnet, or is its network/gateway/broadcast. */
  | { ok: false; reason: 'invalid'; address: string; problem: 'malformed' | 'outside' | 'network' | 'gateway' | 'broadcast' }
  /** The same address was requested twice. */
  | { ok: false; reason: 'duplicate'; address: string }
  /** `requested` does not hold exactly `count` addresses. */
  | { ok: false; reason: 'count-mismatch'; wanted: number; requested: number }
  /** The subnet has no IPv6 block (IPv6 only). */
  | { ok: false; reason: 'no-ipv6' }
  /** The subnet was deleted concurrently; on PostgreSQL the transaction is aborted. */
  | { ok: false; reason: 'subnet-missing' };

export type Allocation<T> = { ok: true } & T;

/**
 * Allocates exactly `count` IPv4 addresses of `subnet` to `owner`: the smallest free ones, or
 * exactly `requested` when given (all must be valid and free). Returns them in ascending order.
 */
export async function allocateAddresses(
  tx: Kysely<Database>, subnet: AllocationSubnet, count: number, owner: Owner, now: number, requested?: readonly string[],
): Promise<Allocation<{ addresses: string[] }> | AllocationFailure> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`allocateAddresses: count must be a positive integer, got ${count}`);
  const cidr = mustParseCidr(subnet.cidr);
  const rowOf = (n: number) => ({
    subnet_id: subnet.id, address: formatIpv4(n), address_num: n, account_uin: subnet.accountUin, kind: owner.kind,
    owner_id: owner.ownerId, created_at: now,
  });
  try {
    if (requested) return await allocateRequested(tx, subnet.id, cidr, count, requested, rowOf);
    return await allocateSmallest(tx, subnet.id, usableRange(cidr), usableCount(cidr), count, rowOf);
  } catch (error) {
    if (isForeignKeyViolation(error)) return { ok: false, reason: 'subnet-missing' };
    throw error;
  }
}

type RowOf = (n: number) => IpAllocationsTable;

async function allocateSmallest(
  tx: Kysely<Database>, subnetId: string, range: UsableRange, capacity: number, count: number, rowOf: RowOf,
): Promise<Allocation<{ addresses: string[] }> | AllocationFailure> {
  const mine: number[] = [];
  let after = range.first - 1;
  while (mine.length < count) {
    const candidates = smallestFree(range, await takenNumbers(tx, subnetId, after + 1, range.last), count - mine.length, after);
    if (candidates.length === 0) break;
    mine.push(...(await insertIgnoringConflicts(tx, candidates.map(rowOf))).map((r) => r.address_num));
    after = candidates[candidates.length - 1]!;
  }
  if (mine.length < count) {
    await deleteNumbers(tx, subnetId, mine);
    const free = capacity - (await countIpv4(tx, subnetId, range));
    return { ok: false, reason: 'exhausted', wanted: count, free: Math.max(0, free) };
  }
  return { ok: true, addresses: mine.sort((a, b) => a - b).map(formatIpv4) };
}

async function allocateRequested(
  tx: Kysely<Database>, subnetId: string, cidr: Cidr, count: number, requested: readonly string[], rowOf: RowOf,
): Promise<Allocation<{ addresses: string[] }> | AllocationFailure> {
  if (requested.length !== count) return { ok: false, reason: 'count-mismatch', wanted: count, requested: requested.length };
  const numbers: number[] = [];
  for (const address of requested) {
    const n = parseIpv4(address);
    const problem = n === undefined ? 'malformed' : addressProblem(cidr, n);
    if (problem) return { ok: false, reason: 'invalid', address, problem };
    if (numbers.includes(n!)) return { ok: false, reason: 'duplicate', address };
    numbers.push(n!);
  }
  numbers.sort((a, b) => a - b);
  const inserted = new Set((await insertIgnoringConflicts(tx, numbers.map(rowOf))).map((r) => r.address_num));
  const taken = numbers.find((n) => !inserted.has(n));
  if (taken !== undefined) {
    await deleteNumbers(tx, subnetId, [...inserted]);
    return { ok: false, reason: 'taken', address: formatIpv4(taken) };
  }
  return { ok: true, addresses: numbers.map(formatIpv4) };
}

/**
 * Allocates the smallest free IPv6 address (interface id ≥ 2) of the subnet's IPv6 block to
 * `owner`, recorded with kind 'ipv6'.
 */
export async function allocateIpv6(
  tx: Kysely<Database>, subnet: Ipv6Subnet, owner: { ownerId: string | null }, now: number,
): Promise<Allocation<{ address: string }> | AllocationFailure> {
  if (!subnet.ipv6Cidr) return { ok: false, reason: 'no-ipv6' };
  const parsed = parseIpv6Cidr(subnet.ipv6Cidr);
  if (!parsed.ok) throw new Error(`stored IPv6 block of subnet ${subnet.id} is invalid: ${subnet.ipv6Cidr}`);
  const block = parsed.cidr;
  const range = { first: FIRST_IPV6_HOST, last: lastIpv6Host(block) };
  let after = range.first - 1;
  try {
    for (;;) {
      const taken = (await takenNumbers(tx, subnet.id, -range.last, -(after + 1))).map((n) => -n);
      const [hostId] = smallestFree(range, taken, 1, after);
      if (hostId === undefined) return { ok: false, reason: 'exhausted', wanted: 1, free: 0 };
      const address = formatIpv6(ipv6Host(block, hostId));
      const row = { subnet_id: subnet.id, address, address_num: -hostId, account_uin: subnet.accountUin, kind: 'ipv6' as const,
        owner_id: owner.ownerId, created_at: now };
      if ((await insertIgnoringConflicts(tx, [row])).length === 1) return { ok: true, address };
      after = hostId;
    }
  } catch (error) {
    if (isForeignKeyViolation(error)) return { ok: false, reason: 'subnet-missing' };
    throw error;
  }
}

/** Releases every address (IPv4 and IPv6, every subnet) held by `ownerId`; returns how many. */
export async function releaseByOwner(tx: Kysely<Database>, ownerId: string): Promise<number> {
  const result = await tx.deleteFrom('ip_allocations').where('owner_id', '=', ownerId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Releases one address of a subnet; false when it was not allocated. */
/** A backup address becomes its owner's primary one. */
export async function markPrimary(tx: Kysely<Database>, subnetId: string, address: string): Promise<void> {
  await tx.updateTable('ip_allocations').set({ kind: 'primary' }).where('subnet_id', '=', subnetId).where('address', '=', address).execute();
}

export async function releaseAddress(tx: Kysely<Database>, subnetId: string, address: string): Promise<boolean> {
  const result = await tx.deleteFrom('ip_allocations').where('subnet_id', '=', subnetId).where('address', '=', address).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Allocated addresses per subnet, IPv4 and IPv6 apart; subnets without any are absent. */
export async function countBySubnet(db: Kysely<Database>, subnetIds: readonly string[]): Promise<Map<string, { ipv4: number; ipv6: number }>> {
  const counts = new Map<string, { ipv4: number; ipv6: number }>();
  if (subnetIds.length === 0) return counts;
  const rows = await db
    .selectFrom('ip_allocations')
    .select((eb) => ['subnet_id', 'kind', eb.fn.countAll<number | string | bigint>().as('n')])
    .where('subnet_id', 'in', subnetIds)
    .groupBy(['subnet_id', 'kind'])
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.subnet_id) ?? { ipv4: 0, ipv6: 0 };
    if (row.kind === 'ipv6') entry.ipv6 += Number(row.n);
    else entry.ipv4 += Number(row.n);
    counts.set(row.subnet_id, entry);
  }
  return counts;
}

/** Every address held by `ownerId`, IPv4 first in ascending order, then IPv6. */
export async function listByOwner(db: Kysely<Database>, ownerId: string): Promise<IpAllocation[]> {
  const rows = await db.selectFrom('ip_allocations').selectAll().where('owner_id', '=', ownerId).execute();
  return rows.map(toAllocation).sort((a, b) => rank(a) - rank(b) || order(a) - order(b) || a.subnetId.localeCompare(b.subnetId));
}

const rank = (a: IpAllocation) => (a.kind === 'ipv6' ? 1 : 0);
/** IPv4: the address number; IPv6: the interface id (stored negated). */
const order = (a: IpAllocation) => (a.kind === 'ipv6' ? -a.addressNum : a.addressNum);

async function takenNumbers(db: Kysely<Database>, subnetId: string, from: number, to: number): Promise<number[]> {
  const rows = await db
    .selectFrom('ip_allocations')
    .select('address_num')
    .where('subnet_id', '=', subnetId)
    .where('address_num', '>=', from)
    .where('address_num', '<=', to)
    .execute();
  return rows.map((r) => Number(r.address_num));
}

async function countIpv4(db: Kysely<Database>, subnetId: string, range: UsableRange): Promise<number> {
  const row = await db
    .selectFrom('ip_allocations')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('subnet_id', '=', subnetId)
    .where('address_num', '>=', range.first)
    .where('address_num', '<=', range.last)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts the rows that are free, in the given order; returns those it inserted. */
async function insertIgnoringConflicts(tx: Kysely<Database>, rows: IpAllocationsTable[]): Promise<Array<{ address_num: number }>> {
  if (rows.length === 0) return [];
  const inserted = await tx
    .insertInto('ip_allocations')
    .values(rows)
    .onConflict((oc) => oc.columns(['subnet_id', 'address']).doNothing())
    .returning('address_num')
    .execute();
  return inserted.map((r) => ({ address_num: Number(r.address_num) }));
}

async function deleteNumbers(tx: Kysely<Database>, subnetId: string, numbers: readonly number[]): Promise<void> {
  if (numbers.length === 0) return;
  await tx.deleteFrom('ip_allocations').where('subnet_id', '=', subnetId).where('address_num', 'in', numbers).execute();
}

function mustParseCidr(text: string) {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`stored subnet CIDR is invalid: ${text}`);
  return parsed.cidr;
}

function toAllocation(row: Selectable<IpAllocationsTable>): IpAllocation {
  return {
    subnetId: row.subnet_id,
    address: row.address,
    addressNum: Number(row.address_num),
    accountUin: row.account_uin,
    kind: row.kind,
    ownerId: row.owner_id,
    createdAt: row.created_at,
  };
}
