/**
 * DescribeInstances: a tenant's instances, by ids or by filters, with an exact TotalCount.
 *
 * Values of one filter are OR-ed, filters AND-ed. Every filter maps to an indexed column
 * scoped by account (instances_account_uin_* indexes), so a selective filter stays fast at
 * 100k instances. Tag filters (`tag:<key>`, `tag-key`, `tag-value`) are an extension.
 * The page's addresses, tags and public addresses are fetched in three batched queries; the
 * account's Uuid/AppId are remembered. A request naming at most 100 instances (by id, or by
 * address) is read in one query and paged here; otherwise the page is one query and the exact
 * TotalCount another — skipped when the page itself shows where the list ends, and read from
 * the store's per-account count when nothing is filtered.
 */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { DescribeInstancesRequest } from '../../generated/bms.ts';
import { invalidParameter } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { containsIgnoringCase } from '../../store/repos/list-conditions.ts';
import { resourceTagged, tagsOfResources } from '../../store/repos/resource-tags.ts';
import type { Database, InstancesTable } from '../../store/schema.ts';
import type { Handler } from '../types.ts';
import type { InstanceServiceDeps } from './deps.ts';
import { instanceView } from './views.ts';

type Eb = ExpressionBuilder<Database, 'instances'>;

const COLUMN_FILTERS: Record<string, keyof InstancesTable> = {
  zone: 'zone', 'instance-state': 'status', 'vpc-id': 'vpc_id', 'subnet-id': 'subnet_id', groupId: 'group_id',
  cpuArch: 'cpu_arch', 'operating-system-type': 'os_type', 'flavor-id': 'flavor_id',
};
const ID_FILTERS = new Set(['instance-id', 'vpc-id', 'subnet-id', 'groupId']);

function condition(eb: Eb, name: string, values: string[]) {
  const column = COLUMN_FILTERS[name];
  if (column) return eb(column, 'in', ID_FILTERS.has(name) ? values.map(normalizeId) : values);
  if (name === 'instance-id') return eb('id', 'in', values.map(normalizeId));
  if (name === 'instance-name') return eb.or(values.map((v) => containsIgnoringCase('instances.name', v)));
  if (name === 'tag-key') return resourceTagged('instance', 'instances.id', { keys: values });
  if (name === 'tag-value') return resourceTagged('instance', 'instances.id', { values });
  return resourceTagged('instance', 'instances.id', { keys: [name.slice('tag:'.length)], values });
}

/** Requests that name at most this many instances are read whole and paged here (one query, no count). */
const FEW = 100;

export function describeInstances(deps: InstanceServiceDeps): Handler {
  const identities = accountIdentities(deps);
  return async (ctx, params) => {
    const p = params as unknown as DescribeInstancesRequest;
    if (p.InstanceIds?.length && p.Filters?.length) {
      throw invalidParameter('InstanceIds', 'given without Filters (the two cannot be combined)', '不能与 Filters 同时指定');
    }
    const db = deps.store.db;
    const offset = p.Offset ?? 0;
    const limit = p.Limit ?? 20;
    // Instances named outright (InstanceIds, or addresses resolved to their holders) are few.
    let named = p.InstanceIds?.length ? p.InstanceIds.map(normalizeId) : undefined;
    let base = db.selectFrom('instances').where('account_uin', '=', ctx.principal.accountUin).where('deleted_at', 'is', null);
    for (const f of p.Filters ?? []) {
      if (f.Name === 'private-ip-address') {
        const holders = await holdersOf(db, f.Values ?? []);
        named = named ? named.filter((id) => holders.includes(id)) : holders;
      } else {
        base = base.where((eb) => condition(eb, f.Name, f.Values ?? []));
      }
    }
    const direction = p.OrderDirection === 'ASC' ? 'asc' : 'desc';
    const ordered = (q: typeof base) => q.selectAll().orderBy('created_at', direction).orderBy('id', direction);
    let total: number;
    let rows: Array<Selectable<InstancesTable>>;
    if (named && named.length <= FEW) {
      const all = named.length === 0 ? [] : await ordered(base.where('id', 'in', named)).execute();
      total = all.length;
      rows = all.slice(offset, offset + limit);
    } else {
      if (named) base = base.where('id', 'in', named);
      rows = await ordered(base).offset(offset).limit(limit).execute();
      // A page that is not full and not past the end tells the total without counting; the
      // whole list's total is kept per account by the store (instance_counts, migration 0013).
      const unfiltered = !named && !p.Filters?.length;
      total = rows.length < limit && (rows.length > 0 || offset === 0)
        ? offset + rows.length
        : unfiltered
          ? await liveInstances(db, ctx.principal.accountUin)
          : Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    }
    return { TotalCount: total, InstanceSet: await views(db, await identities(ctx.principal.accountUin), rows) };
  };
}

async function liveInstances(db: Kysely<Database>, accountUin: string): Promise<number> {
  const row = await db.selectFrom('instance_counts').select('live').where('account_uin', '=', accountUin).executeTakeFirst();
  return Number(row?.live ?? 0);
}

interface AccountIdentity { uuid: string; appId: number }

/** An account's Uuid and AppId never change once created: read once per account, then remembered. */
function accountIdentities(deps: InstanceServiceDeps): (accountUin: string) => Promise<AccountIdentity> {
  const known = new Map<string, AccountIdentity>();
  return async (accountUin) => {
    const hit = known.get(accountUin);
    if (hit) return hit;
    const row = await deps.store.db.selectFrom('accounts').select(['uuid', 'app_id']).where('uin', '=', accountUin).executeTakeFirstOrThrow();
    const identity = { uuid: row.uuid, appId: Number(row.app_id) };
    if (known.size >= 10_000) known.clear();
    known.set(accountUin, identity);
    return identity;
  };
}

/**
 * Primary and backup addresses are IPAM rows: an indexed lookup by address gives the instance
 * ids, and filtering by id lets the planner start from those few rows instead of the tenant's
 * whole list (SQLite will not turn an IN-subquery around on its own).
 */
async function holdersOf(db: Kysely<Database>, addresses: string[]): Promise<string[]> {
  if (addresses.length === 0) return [];
  const rows = await db.selectFrom('ip_allocations').select('owner_id').where('address', 'in', addresses)
    .where('kind', 'in', ['primary', 'backup']).where('owner_id', 'is not', null).execute();
  return [...new Set(rows.map((r) => r.owner_id!))];
}

async function views(db: Kysely<Database>, account: AccountIdentity, rows: Array<Selectable<InstancesTable>>) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const accountUin = rows[0]!.account_uin;
  const [addresses, tags, eips] = await Promise.all([
    db.selectFrom('ip_allocations').select(['owner_id', 'address', 'kind']).where('owner_id', 'in', ids)
      .where('kind', 'in', ['primary', 'backup', 'ipv6']).orderBy('address_num').execute(),
    tagsOfResources(db, accountUin, ids.map((id) => ({ kind: 'instance' as const, id }))),
    db.selectFrom('eips').select(['instance_id', 'address']).where('instance_id', 'in', ids).orderBy('address').execute(),
  ]);
  const addressesOf = groupBy(addresses, (a) => a.owner_id!);
  const eipsOf = groupBy(eips, (e) => e.instance_id!);
  return rows.map((r) => {
    const mine = addressesOf.get(r.id) ?? [];
    const ordered = [...mine.filter((a) => a.kind === 'primary'), ...mine.filter((a) => a.kind === 'backup')].map((a) => a.address);
    return instanceView(r, {
      addresses: ordered.length > 0 ? ordered : r.private_ip ? [r.private_ip] : [],
      tags: tags.get(`instance/${r.id}`) ?? [],
      uuid: account.uuid, appId: account.appId, publicIps: (eipsOf.get(r.id) ?? []).map((e) => e.address),
      ipv6Addresses: mine.filter((a) => a.kind === 'ipv6').map((a) => a.address),
    });
  });
}

/** Rows by key, each group in the rows' order. */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
