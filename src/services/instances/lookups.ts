/**
 * Finding a tenant's own instances: another tenant's id answers exactly like an id that never
 * existed (ResourceNotFound), and a batch is checked whole before anything changes.
 */
import type { Kysely, Selectable } from 'kysely';
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import type { Database, InstancesTable } from '../../store/schema.ts';

export function instanceNotFound(id: string): ApiError {
  return new ApiError('ResourceNotFound', { en: `The instance ${id} does not exist.`, zh: `实例 ${id} 不存在。` });
}

/** Normalized ids, refusing duplicates (`path` names the parameter). */
export function distinctIds(path: string, ids: string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((raw, i) => {
    const id = normalizeId(raw);
    const before = seen.get(id);
    if (before !== undefined) throw invalidParameterValue(`${path}.${i}`, `${raw} is listed twice (also at ${path}.${before})`, `${raw} 重复出现（与 ${path}.${before} 相同）`);
    seen.set(id, i);
    return id;
  });
}

export async function ownInstances(db: Kysely<Database>, accountUin: string, ids: string[]): Promise<Array<Selectable<InstancesTable>>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('instances').selectAll().where('account_uin', '=', accountUin)
    .where('id', 'in', ids).where('deleted_at', 'is', null).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (!row) throw instanceNotFound(id);
    return row;
  });
}
