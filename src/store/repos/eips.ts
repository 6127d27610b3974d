/**
 * Elastic public IPs: the operator's pool (`eip_pool`) and the tenants' EIPs (`eips`).
 *
 * The pool holds every public address an operator gave the region, with its line (ISP). An
 * EIP is a pool address allocated to an account; it may be bound to one private address of one
 * instance. An address is free exactly when no EIP row names it.
 *
 * Allocation is race-free on SQLite and on any number of PostgreSQL nodes for the same reason
 * IPAM is (see ip-allocations.ts): the UNIQUE(address) constraint of `eips` is the whole
 * concurrency story. An allocator reads free pool addresses of the line, INSERTs one EIP per
 * candidate with `ON CONFLICT (address) DO NOTHING … RETURNING id`, keeps the rows that come
 * back, and retries the EIPs that did not with the next candidates. It never catches a unique
 * violation — on PostgreSQL a failed statement aborts the whole transaction. Candidates are
 * taken in ascending address order and each retry looks only above the last candidate tried,
 * so two allocators wait on each other in one order and cannot deadlock. A failed allocation
 * deletes what it had inserted, leaving the caller's transaction as it was.
 *
 * Binding is a conditional UPDATE (`… WHERE instance_id IS NULL`), so two requests binding the
 * same EIP cannot both win. Every tenant-facing read takes the account and region: another
 * tenant's EIP simply does not exist for the query.
 */
import type { Kysely, Selectable } from 'kysely';
import { forgetDeletedResources } from './resource-tags.ts';
import type { Database, EipsTable } from '../schema.ts';

export const ISPS = ['CTCC', 'CUCC', 'CMCC', 'BGP'] as const;
export type Isp = (typeof ISPS)[number];

export interface Eip {
  id: string;
  accountUin: string;
  region: string;
  address: string;
  isp: string;
  name: string;
  bandwidth: number;
  /** The bound instance and the private address the EIP maps to; both null when unbound. */
  instanceId: string | null;
  privateIp: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EipScope {
  accountUin: string;
  region: string;
}

/** One EIP to create: its id and name, and what to bind it to at once (RunInstances). */
export interface EipSpec {
  id: string;
  name: string;
  binding?: { instanceId: string; privateIp: string };
}

export interface EipRequest {
  scope: EipScope;
  isp: string;
  bandwidth: number;
  eips: readonly EipSpec[];
  now: number;
}

export type EipAllocation =
  | { ok: true; eips: Eip[] }
  /** Fewer free addresses of the line than EIPs wanted (`free` of them). */
  | { ok: false; reason: 'exhausted'; isp: string; wanted: number; free: number };

/** Allocates one pool address of the line per spec, all or none, in the caller's transaction. */
export async function allocateEips(tx: Kysely<Database>, r: EipRequest): Promise<EipAllocation> {
  let pending = [...r.eips];
  const mine: string[] = [];
  let after = '';
  while (pending.length > 0) {
    const candidates = await freeAddresses(tx, r.scope.region, r.isp, after, pending.length);
    if (candidates.length === 0) break;
    const rows = candidates.map((address, i) => rowOf(r, pending[i]!, address));
    const inserted = new Set((await tx.insertInto('eips').values(rows).onConflict((oc) => oc.column('address').doNothing())
      .returning('id').execute()).map((row) => row.id));
    mine.push(...inserted);
    pending = pending.filter((spec) => !inserted.has(spec.id));
    after = candidates[candidates.length - 1]!;
  }
  if (pending.length > 0) {
    if (mine.length > 0) await tx.deleteFrom('eips').where('id', 'in', mine).execute();
    return { ok: false, reason: 'exhausted', isp: r.isp, wanted: r.eips.length, free: await countFree(tx, r.scope.region, r.isp) };
  }
  const rows = await tx.selectFrom('eips').selectAll().where('id', 'in', mine).execute();
  const byId = new Map(rows.map((row) => [row.id, toEip(row)]));
  return { ok: true, eips: r.eips.map((spec) => byId.get(spec.id)!) };
}

function rowOf(r: EipRequest, spec: EipSpec, address: string): EipsTable {
  return {
    id: spec.id, account_uin: r.scope.accountUin, region: r.scope.region, address, isp: r.isp, name: spec.name, bandwidth: r.bandwidth,
    instance_id: spec.binding?.instanceId ?? null, private_ip: spec.binding?.privateIp ?? null, created_at: r.now, updated_at: r.now,
  };
}

/** Up to `limit` free pool addresses of the line above `after`, in ascending (text) order. */
async function freeAddresses(db: Kysely<Database>, region: string, isp: string, after: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('eip_pool as p').select('p.address')
    .where('p.region', '=', region).where('p.isp', '=', isp).where('p.address', '>', after)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('eips as e').select('e.id').whereRef('e.address', '=', 'p.address'))))
    .orderBy('p.address').limit(limit).execute();
  return rows.map((row) => row.address);
}

/** How many addresses of the line are free in the region. */
export async function countFree(db: Kysely<Database>, region: string, isp: string): Promise<number> {
  const row = await db.selectFrom('eip_pool as p')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('p.region', '=', region).where('p.isp', '=', isp)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('eips as e').select('e.id').whereRef('e.address', '=', 'p.address'))))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- the tenants' EIPs ------------------------------------------------------------------------

/**
 * A listing condition: the column equals one of `values`; `bound` keeps EIPs that are bound
 * (true) or unbound (false).
 */
export type EipCondition =
  | { column: 'id' | 'name' | 'address' | 'isp' | 'instance_id' | 'private_ip'; values: readonly string[] }
  | { bound: readonly boolean[] };

/** One page of the account's EIPs in the region satisfying every condition, oldest first, with the total before paging. */
export async function listEips(
  db: Kysely<Database>, scope: EipScope, conditions: readonly EipCondition[], page: { offset: number; limit: number },
): Promise<{ total: number; items: Eip[] }> {
  let base = db.selectFrom('eips').where('account_uin', '=', scope.accountUin).where('region', '=', scope.region);
  for (const c of conditions) {
    if ('bound' in c) {
      const wanted = new Set(c.bound);
      if (wanted.size === 0) return { total: 0, items: [] };
      if (wanted.size === 1) base = base.where('instance_id', wanted.has(true) ? 'is not' : 'is', null);
      continue;
    }
    if (c.values.length === 0) return { total: 0, items: [] };
    base = base.where(c.column, 'in', c.values);
  }
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').offset(page.offset).limit(page.limit).execute();
  return { total: Number(counted.n), items: rows.map(toEip) };
}

/** The account's EIPs among `ids` in the region (missing ones are simply absent). */
export async function getEips(db: Kysely<Database>, scope: EipScope, ids: readonly string[]): Promise<Eip[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('eips').selectAll().where('account_uin', '=', scope.accountUin).where('region', '=', scope.region)
    .where('id', 'in', ids).execute();
  return rows.map(toEip);
}

/**
 * Holds the EIPs' row locks until the transaction ends (a no-op UPDATE: PostgreSQL row locks,
 * SQLite's writer lock), then reads them; only the account's EIPs in the region are touched.
 */
export async function lockEips(tx: Kysely<Database>, scope: EipScope, ids: readonly string[]): Promise<Eip[]> {
  for (const id of [...new Set(ids)].sort()) { // one by one, in one order: concurrent lockers cannot deadlock
    await tx.updateTable('eips').set((eb) => ({ name: eb.ref('name') }))
      .where('account_uin', '=', scope.accountUin).where('region', '=', scope.region).where('id', '=', id).execute();
  }
  return getEips(tx, scope, ids);
}

/** The EIP bound to this private address of the instance, if any. */
export async function eipOnAddress(db: Kysely<Database>, instanceId: string, privateIp: string): Promise<Eip | undefined> {
  const row = await db.selectFrom('eips').selectAll().where('instance_id', '=', instanceId).where('private_ip', '=', privateIp).executeTakeFirst();
  return row && toEip(row);
}

/** Binds an unbound EIP; false when it is bound already (or gone). */
export async function bindEip(tx: Kysely<Database>, id: string, binding: { instanceId: string; privateIp: string }, now: number): Promise<boolean> {
  const result = await tx.updateTable('eips').set({ instance_id: binding.instanceId, private_ip: binding.privateIp, updated_at: now })
    .where('id', '=', id).where('instance_id', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Unbinds a bound EIP; false when it was not bound (or is gone). */
export async function unbindEip(tx: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await tx.updateTable('eips').set({ instance_id: null, private_ip: null, updated_at: now })
    .where('id', '=', id).where('instance_id', 'is not', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function setBandwidth(tx: Kysely<Database>, scope: EipScope, ids: readonly string[], bandwidth: number, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await tx.updateTable('eips').set({ bandwidth, updated_at: now })
    .where('account_uin', '=', scope.accountUin).where('region', '=', scope.region).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Gives unbound EIPs back to the pool; returns how many went (a bound one is kept). */
export async function releaseUnbound(tx: Kysely<Database>, scope: EipScope, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const gone = await tx.deleteFrom('eips').where('account_uin', '=', scope.accountUin).where('region', '=', scope.region)
    .where('id', 'in', ids).where('instance_id', 'is', null).returning('id').execute();
  await forgetDeletedResources(tx, gone.map((r) => ({ kind: 'eip', id: r.id })));
  return gone.length;
}

/** Unbinds every EIP of the instance (they stay the account's); returns how many. */
export async function unbindInstance(tx: Kysely<Database>, instanceId: string, now: number): Promise<number> {
  const result = await tx.updateTable('eips').set({ instance_id: null, private_ip: null, updated_at: now })
    .where('instance_id', '=', instanceId).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Gives every EIP bound to the instance back to the pool; returns how many. */
export async function releaseInstanceEips(tx: Kysely<Database>, instanceId: string): Promise<number> {
  const gone = await tx.deleteFrom('eips').where('instance_id', '=', instanceId).returning('id').execute();
  await forgetDeletedResources(tx, gone.map((r) => ({ kind: 'eip', id: r.id })));
  return gone.length;
}

function toEip(row: Selectable<EipsTable>): Eip {
  return {
    id: row.id, accountUin: row.account_uin, region: row.region, address: row.address, isp: row.isp, name: row.name,
    bandwidth: Number(row.bandwidth), instanceId: row.instance_id, privateIp: row.private_ip,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}

// ---- the operator's pool ----------------------------------------------------------------------

export interface PoolAddress {
  address: string;
  region: string;
  isp: string;
  createdAt: number;
  /** The EIP holding it, when allocated. */
  eip: { id: string; accountUin: string; instanceId: string | null } | null;
}

/** Pool rows among `addresses`, in any region (an address is in the pool at most once). */
export async function findPoolAddresses(db: Kysely<Database>, addresses: readonly string[]): Promise<Array<{ address: string; region: string; isp: string }>> {
  if (addresses.length === 0) return [];
  return db.selectFrom('eip_pool').select(['address', 'region', 'isp']).where('address', 'in', addresses).execute();
}

/** Adds addresses to the region's pool; returns those it added (one already there, by a concurrent call, is skipped). */
export async function addPoolAddresses(tx: Kysely<Database>, region: string, isp: string, addresses: readonly string[], now: number): Promise<string[]> {
  const added: string[] = [];
  for (let i = 0; i < addresses.length; i += 500) {
    const rows = addresses.slice(i, i + 500).map((address) => ({ address, region, isp, created_at: now }));
    const inserted = await tx.insertInto('eip_pool').values(rows).onConflict((oc) => oc.column('address').doNothing()).returning('address').execute();
    added.push(...inserted.map((r) => r.address));
  }
  return added;
}

export interface PoolQuery {
  region: string;
  isps?: readonly string[];
  /** Keep free addresses (false) or allocated ones (true); both or absent: every one. */
  allocated?: readonly boolean[];
}

/** One page of the region's pool, in address order, with the total before paging. */
export async function listPool(db: Kysely<Database>, q: PoolQuery, page: { offset: number; limit: number }): Promise<{ total: number; items: PoolAddress[] }> {
  let base = db.selectFrom('eip_pool as p').leftJoin('eips as e', 'e.address', 'p.address').where('p.region', '=', q.region);
  const wanted = new Set(q.allocated ?? []);
  if ((q.isps && q.isps.length === 0) || (q.allocated && wanted.size === 0)) return { total: 0, items: [] };
  if (q.isps) base = base.where('p.isp', 'in', q.isps);
  if (wanted.size === 1) base = base.where('e.id', wanted.has(true) ? 'is not' : 'is', null);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.select(['p.address', 'p.region', 'p.isp', 'p.created_at', 'e.id', 'e.account_uin', 'e.instance_id'])
    .orderBy('p.address').offset(page.offset).limit(page.limit).execute();
  return {
    total: Number(counted.n),
    items: rows.map((r) => ({
      address: r.address, region: r.region, isp: r.isp, createdAt: Number(r.created_at),
      eip: r.id ? { id: r.id, accountUin: r.account_uin!, instanceId: r.instance_id ?? null } : null,
    })),
  };
}

/** Per line: how many addresses the region's pool holds and how many are free. */
export async function poolSummary(db: Kysely<Database>, region: string): Promise<Array<{ isp: string; total: number; free: number }>> {
  const rows = await db.selectFrom('eip_pool as p').leftJoin('eips as e', 'e.address', 'p.address').where('p.region', '=', region)
    .select((eb) => ['p.isp', eb.fn.countAll<number | string | bigint>().as('total'), eb.fn.count<number | string | bigint>('e.id').as('used')])
    .groupBy('p.isp').orderBy('p.isp').execute();
  return rows.map((r) => ({ isp: r.isp, total: Number(r.total), free: Number(r.total) - Number(r.used) }));
}
