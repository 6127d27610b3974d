/**
 * The lifecycle journal (migration 0050): every committed status change of every instance.
 *
 * Only the lifecycle gate appends, inside the transaction that changes the status, after its
 * conditional UPDATE of the instance row — that row lock orders concurrent changes of one
 * instance, so `seq` (1, 2, 3… per instance) is gap-free and never taken twice. Billing reads
 * the journal to know when an instance became billable and when its return began.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface StateChange {
  instanceId: string;
  accountUin: string;
  from: string;
  /** null: the instance is gone. */
  to: string | null;
  event: string;
  at: number;
}

export async function appendStateHistory(db: Kysely<Database>, changes: StateChange[]): Promise<void> {
  if (changes.length === 0) return;
  const ids = [...new Set(changes.map((c) => c.instanceId))];
  const last = await db.selectFrom('instance_state_history').select(['instance_id', (eb) => eb.fn.max('seq').as('seq')])
    .where('instance_id', 'in', ids).groupBy('instance_id').execute();
  const next = new Map(last.map((r) => [r.instance_id, Number(r.seq) + 1]));
  const values = changes.map((c) => {
    const seq = next.get(c.instanceId) ?? 1;
    next.set(c.instanceId, seq + 1);
    return { instance_id: c.instanceId, seq, account_uin: c.accountUin, from_status: c.from, to_status: c.to, event: c.event, at: c.at };
  });
  await db.insertInto('instance_state_history').values(values).execute();
}

/** One instance's journal, oldest first. */
export async function stateHistoryOf(db: Kysely<Database>, instanceId: string): Promise<StateChange[]> {
  const rows = await db.selectFrom('instance_state_history').selectAll().where('instance_id', '=', instanceId).orderBy('seq').execute();
  return rows.map((r) => ({ instanceId: r.instance_id, accountUin: r.account_uin, from: r.from_status, to: r.to_status, event: r.event, at: Number(r.at) }));
}

/**
 * Each instance's billable interval as the journal states it: when it first reached RUNNING and,
 * if it has, when its return began (first TERMINATING). Instances that never ran are absent.
 */
export interface BillableSpan { instanceId: string; accountUin: string; from: number; until: number | null }

export async function billableSpans(db: Kysely<Database>, opts: { instanceIds?: string[] } = {}): Promise<BillableSpan[]> {
  let q = db.selectFrom('instance_state_history')
    .select(['instance_id', 'account_uin', 'to_status', (eb) => eb.fn.min('at').as('at')])
    // grouped in the order of the covering index (migration 0090), so SQLite reads it once, sorting nothing
    .where('to_status', 'in', ['RUNNING', 'TERMINATING']).groupBy(['to_status', 'instance_id', 'account_uin']);
  if (opts.instanceIds) {
    if (opts.instanceIds.length === 0) return [];
    q = q.where('instance_id', 'in', opts.instanceIds);
  }
  const rows = await q.execute();
  const spans = new Map<string, { accountUin: string; from?: number; until?: number }>();
  for (const r of rows) {
    const s = spans.get(r.instance_id) ?? { accountUin: r.account_uin };
    if (r.to_status === 'RUNNING') s.from = Number(r.at); else s.until = Number(r.at);
    spans.set(r.instance_id, s);
  }
  const out: BillableSpan[] = [];
  for (const [instanceId, s] of spans) {
    if (s.from === undefined) continue; // terminated without ever running (CREATE_FAILED): never billed
    out.push({ instanceId, accountUin: s.accountUin, from: s.from, until: s.until ?? null });
  }
  return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
}
