/**
 * Listing accounts of one kind for the operator (DescribeTenants): a page of tenant accounts,
 * optionally only those with given uins (an empty list means no filter), and the exact total before paging.
 */
import type { Kysely } from 'kysely';
import type { AccountKind, Database } from '../schema.ts';
import type { Account } from './accounts.ts';

export async function listAccountsOfKind(
  db: Kysely<Database>, kind: AccountKind, q: { uins?: string[]; offset: number; limit: number },
): Promise<{ total: number; items: Account[] }> {
  let base = db.selectFrom('accounts').where('kind', '=', kind);
  if (q.uins && q.uins.length > 0) base = base.where('uin', 'in', q.uins);
  const { total } = await base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at').orderBy('uin').limit(q.limit).offset(q.offset).execute();
  return {
    total: Number(total),
    items: rows.map((r) => ({ uin: r.uin, appId: Number(r.app_id), uuid: r.uuid, name: r.name, kind: r.kind, createdAt: Number(r.created_at) })),
  };
}
