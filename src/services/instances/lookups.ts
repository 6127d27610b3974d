/**
 * Finding a tenant's own instances: another tenant's id answers exactly like an id that never
 * existed (ResourceNotFound), and a batch is checked whole before anything changes.
 */
import { ApiError, invalidParameterValue } from '../../shared/errors.ts';
import { normalizeId } from '../../shared/ids.ts';
import { ownLiveInstanceRows, type InstanceRow } from '../../store/repos/instances.ts';
import type { Tx } from '../../store/store.ts';

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

export async function ownInstances(db: Tx, accountUin: string, ids: string[]): Promise<InstanceRow[]> {
  if (ids.length === 0) return [];
  const rows = await ownLiveInstanceRows(db, accountUin, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (!row) throw instanceNotFound(id);
    return row;
  });
}
