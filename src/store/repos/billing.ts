/**
 * Billing rows (migration 0050): usage records, the ledger, balances, cursors and prices.
 *
 * Every write here is keyed so that doing it twice — a crash and a restart, two server
 * processes racing — leaves one row: records by `record_key`, ledger entries by `entry_key`.
 * A balance moves only in the transaction that inserts its ledger row, and only when that insert
 * actually inserted. The callers in src/billing decide what to write; this file only stores it.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { BillingLedgerTable, BillingRecordsTable, Database, InstanceStateHistoryTable } from '../schema.ts';
import { executeInsert, executeWithKeys } from './compiled-chunks.ts';
import { resourceKey, tagsOfResources } from './resource-tags.ts';

export type BillingRecordRow = BillingRecordsTable;
export type LedgerRow = BillingLedgerTable;

/** Inserts the records not already present; returns the keys actually inserted. */
export async function insertRecords(db: Kysely<Database>, rows: BillingRecordRow[]): Promise<string[]> {
  const inserted: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const got = await executeInsert(db, chunk, (rs) => db.insertInto('billing_records').values([...rs])
      .onConflict((oc) => oc.column('record_key').doNothing()).returning('record_key'));
    for (const g of got) inserted.push(g.record_key);
  }
  return inserted;
}

export async function upsertCursors(db: Kysely<Database>, rows: Array<{ resourceId: string; pushedUntil: number; closed: boolean }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ resource_id: r.resourceId, pushed_until: r.pushedUntil, closed: r.closed ? 1 as const : 0 as const }));
    await executeInsert(db, chunk, (rs) => db.insertInto('billing_cursors').values([...rs]).onConflict((oc) => oc.column('resource_id').doUpdateSet({
      // never move a cursor back (a slower process finishing after a faster one)
      pushed_until: sql`case when excluded.pushed_until > billing_cursors.pushed_until then excluded.pushed_until else billing_cursors.pushed_until end`,
      closed: sql`case when excluded.closed > billing_cursors.closed then excluded.closed else billing_cursors.closed end`,
    })));
  }
}

/**
 * The billable spans (first RUNNING → first TERMINATING, from the lifecycle journal) that may have
 * something to push: not closed, and either never pushed, pushed no later than `pushedBy` (a
 * period may have ended since), or with their return begun — each with how far it was pushed.
 * The journal and the cursors are joined and filtered in the database, so a run reads the few
 * instances due rather than every instance and every cursor.
 */
export async function spansToPush(
  db: Kysely<Database>, pushedBy: number,
): Promise<Array<{ instanceId: string; accountUin: string; from: number; until: number | null; pushedUntil: number | null }>> {
  // One pass over the journal's RUNNING rows in the order of its covering index (migration 0090),
  // each instance's cursor looked up by key, its return (first TERMINATING) by the same index.
  const returned = (eb: ExpressionBuilder<Database & { h: InstanceStateHistoryTable }, 'h'>) => eb.selectFrom('instance_state_history as t')
    .select((e) => e.fn.min('t.at').as('at')).where('t.to_status', '=', 'TERMINATING').whereRef('t.instance_id', '=', 'h.instance_id');
  const rows = await db.selectFrom('instance_state_history as h')
    .leftJoin('billing_cursors as c', (j) => j.on(sql<boolean>`c.resource_id = 'bms:' || h.instance_id`))
    .select((eb) => ['h.instance_id', 'h.account_uin', eb.fn.max('c.pushed_until').as('pushed_until'), eb.fn.min('h.at').as('first_running'), returned(eb).as('first_terminating')])
    .where('h.to_status', '=', 'RUNNING')
    .where((eb) => eb.or([eb('c.closed', 'is', null), eb('c.closed', '=', 0)]))
    .groupBy(['h.instance_id', 'h.account_uin'])
    .having((eb) => eb.or([eb(eb.fn.max('c.pushed_until'), 'is', null), eb(eb.fn.max('c.pushed_until'), '<=', pushedBy), eb.exists(eb.selectFrom('instance_state_history as r')
      .select(sql`1`.as('one')).where('r.to_status', '=', 'TERMINATING').whereRef('r.instance_id', '=', 'h.instance_id'))]))
    .orderBy('h.instance_id').orderBy('h.account_uin')
    .execute();
  return rows.map((r) => ({
    instanceId: r.instance_id, accountUin: r.account_uin, from: Number(r.first_running),
    until: r.first_terminating === null ? null : Number(r.first_terminating), pushedUntil: r.pushed_until === null ? null : Number(r.pushed_until),
  }));
}

/** What rating needs of each instance — name, flavor, zone — by id (those that exist). */
export async function instancesToRate(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, { name: string; flavorId: string; zone: string }>> {
  const out = new Map<string, { name: string; flavorId: string; zone: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await executeWithKeys(db, ids.slice(i, i + 500), (ks) => db.selectFrom('instances').select(['id', 'name', 'flavor_id', 'zone']).where('id', 'in', [...ks]));
    for (const r of rows) out.set(r.id, { name: r.name, flavorId: r.flavor_id, zone: r.zone });
  }
  return out;
}

/** Each zone's region, and each flavor's catalogue hourly price (a decimal string): what a record names and, without a price history, charges. */
export async function ratingCatalogue(db: Kysely<Database>): Promise<{ regionOf: Map<string, string>; flavorHourlyPrice: Map<string, string> }> {
  const zones = await db.selectFrom('zones').select(['zone', 'region']).execute();
  const flavors = await db.selectFrom('flavors').select(['id', 'hourly_price']).execute();
  return { regionOf: new Map(zones.map((z) => [z.zone, z.region])), flavorHourlyPrice: new Map(flavors.map((f) => [f.id, f.hourly_price])) };
}

/** Each EIP with metered traffic and its first metered hour. */
export async function trafficFirstHours(db: Kysely<Database>): Promise<Array<{ eipId: string; first: number }>> {
  const rows = await db.selectFrom('eip_traffic_hours').select(['eip_id', (eb) => eb.fn.min('hour_start').as('first')]).groupBy('eip_id').execute();
  return rows.map((r) => ({ eipId: r.eip_id, first: Number(r.first) }));
}

export async function loadCursors(db: Kysely<Database>, prefix: string): Promise<Map<string, { pushedUntil: number; closed: boolean }>> {
  // a key range rather than LIKE, which SQLite cannot serve from the primary key (case-insensitive by default)
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const rows = await db.selectFrom('billing_cursors').selectAll().where('resource_id', '>=', prefix).where('resource_id', '<', end).execute();
  return new Map(rows.map((r) => [r.resource_id, { pushedUntil: Number(r.pushed_until), closed: Number(r.closed) === 1 }]));
}

/** What a deduction needs of its record. */
export type DueDeduction = Pick<BillingRecordRow, 'record_key' | 'account_uin' | 'product' | 'resource_id' | 'period_start' | 'period_end' | 'amount_cents' | 'deduct_due_at'>;

/** Records whose deduction is due at `now` and not yet made, oldest due first. */
export async function dueDeductions(db: Kysely<Database>, now: number, limit: number, keys?: string[]): Promise<DueDeduction[]> {
  let q = db.selectFrom('billing_records')
    .select(['record_key', 'account_uin', 'product', 'resource_id', 'period_start', 'period_end', 'amount_cents', 'deduct_due_at'])
    .where('deducted_at', 'is', null).where('deduct_due_at', '<=', now);
  if (keys) q = q.where('record_key', 'in', keys);
  return (await q.orderBy('deduct_due_at').orderBy('record_key').limit(limit).execute()).map((r) => ({
    record_key: r.record_key, account_uin: r.account_uin, product: r.product, resource_id: r.resource_id, period_start: Number(r.period_start),
    period_end: Number(r.period_end), amount_cents: Number(r.amount_cents), deduct_due_at: Number(r.deduct_due_at),
  }));
}

export async function ensureBillingAccounts(db: Kysely<Database>, uins: string[], now: number): Promise<void> {
  if (uins.length === 0) return;
  await db.insertInto('billing_accounts').values(uins.map((u) => ({ account_uin: u, balance_cents: 0, warn_status: 0, warn_threshold_cents: 0, warned_at: null, updated_at: now })))
    .onConflict((oc) => oc.column('account_uin').doNothing()).execute();
}

export interface BillingAccount {
  accountUin: string; balanceCents: number; warnStatus: number; warnThresholdCents: number; warnedAt: number | null; updatedAt: number;
}

/** Accounts' billing rows; `lock` takes row locks on PostgreSQL (SQLite's write transaction is already exclusive). */
export async function getBillingAccounts(db: Kysely<Database>, uins: string[], lock = false): Promise<Map<string, BillingAccount>> {
  if (uins.length === 0) return new Map();
  let q = db.selectFrom('billing_accounts').selectAll().where('account_uin', 'in', [...uins].sort()).orderBy('account_uin');
  if (lock) q = q.forUpdate();
  return new Map((await q.execute()).map((r) => [r.account_uin, toAccount(r)]));
}

export async function listBillingAccounts(db: Kysely<Database>): Promise<BillingAccount[]> {
  return (await db.selectFrom('billing_accounts').selectAll().orderBy('account_uin').execute()).map(toAccount);
}

function toAccount(r: Database['billing_accounts']): BillingAccount {
  return {
    accountUin: r.account_uin, balanceCents: Number(r.balance_cents), warnStatus: Number(r.warn_status),
    warnThresholdCents: Number(r.warn_threshold_cents), warnedAt: r.warned_at === null ? null : Number(r.warned_at), updatedAt: Number(r.updated_at),
  };
}

export async function setBalance(db: Kysely<Database>, uin: string, balanceCents: number, now: number): Promise<void> {
  await db.updateTable('billing_accounts').set({ balance_cents: balanceCents, updated_at: now }).where('account_uin', '=', uin).execute();
}

export async function setWarning(db: Kysely<Database>, uin: string, w: { status?: number; thresholdCents?: number; warnedAt?: number | null }): Promise<void> {
  await db.updateTable('billing_accounts').set({
    ...(w.status === undefined ? {} : { warn_status: w.status }),
    ...(w.thresholdCents === undefined ? {} : { warn_threshold_cents: w.thresholdCents }),
    ...(w.warnedAt === undefined ? {} : { warned_at: w.warnedAt }),
  }).where('account_uin', '=', uin).execute();
}

export async function insertNotification(db: Kysely<Database>, n: { accountUin: string; at: number; balanceCents: number; thresholdCents: number }): Promise<void> {
  await db.insertInto('billing_notifications').values({ account_uin: n.accountUin, at: n.at, balance_cents: n.balanceCents, threshold_cents: n.thresholdCents })
    .onConflict((oc) => oc.columns(['account_uin', 'at']).doNothing()).execute();
}

export async function listNotifications(db: Kysely<Database>, uin: string): Promise<Array<{ at: number; balanceCents: number; thresholdCents: number }>> {
  const rows = await db.selectFrom('billing_notifications').selectAll().where('account_uin', '=', uin).orderBy('at').execute();
  return rows.map((r) => ({ at: Number(r.at), balanceCents: Number(r.balance_cents), thresholdCents: Number(r.threshold_cents) }));
}

/** Inserts ledger rows not already present; returns the keys actually inserted. */
export async function insertLedger(db: Kysely<Database>, rows: LedgerRow[]): Promise<string[]> {
  const inserted: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const got = await executeInsert(db, rows.slice(i, i + 500), (rs) => db.insertInto('billing_ledger').values([...rs])
      .onConflict((oc) => oc.column('entry_key').doNothing()).returning('entry_key'));
    for (const g of got) inserted.push(g.entry_key);
  }
  return inserted;
}

/** Marks records deducted, dated by their schedule (deducted_at = deduct_due_at). */
export async function markDeducted(db: Kysely<Database>, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    await executeWithKeys(db, keys.slice(i, i + 500), (ks) => db.updateTable('billing_records').set((eb) => ({ deducted_at: eb.ref('deduct_due_at') }))
      .where('record_key', 'in', [...ks]).where('deducted_at', 'is', null));
  }
}

export async function ledgerEntry(db: Kysely<Database>, key: string): Promise<LedgerRow | undefined> {
  const r = await db.selectFrom('billing_ledger').selectAll().where('entry_key', '=', key).executeTakeFirst();
  return r && numericLedger(r);
}

/** An account's ledger in [from, to), in the order it was written. */
export async function listLedger(db: Kysely<Database>, q: { accountUin?: string; from: number; to: number; kind?: string }): Promise<LedgerRow[]> {
  let s = db.selectFrom('billing_ledger').selectAll().where('created_at', '>=', q.from).where('created_at', '<', q.to);
  if (q.accountUin !== undefined) s = s.where('account_uin', '=', q.accountUin);
  if (q.kind !== undefined) s = s.where('kind', '=', q.kind as LedgerRow['kind']);
  return (await s.orderBy('created_at').orderBy('entry_key').execute()).map(numericLedger);
}

/** Records of an account (or all) whose period started in [from, to), in a stable order. */
export async function listRecords(db: Kysely<Database>, q: { accountUin?: string; from: number; to: number; resourceId?: string }): Promise<BillingRecordRow[]> {
  let s = db.selectFrom('billing_records').selectAll().where('period_start', '>=', q.from).where('period_start', '<', q.to);
  if (q.accountUin !== undefined) s = s.where('account_uin', '=', q.accountUin);
  if (q.resourceId !== undefined) s = s.where('resource_id', '=', q.resourceId);
  return (await s.orderBy('period_start').orderBy('record_key').execute()).map(numericRecord);
}

export async function recordsOfResource(db: Kysely<Database>, resourceId: string): Promise<BillingRecordRow[]> {
  return (await db.selectFrom('billing_records').selectAll().where('resource_id', '=', resourceId).orderBy('period_start').execute()).map(numericRecord);
}

function numericRecord(r: BillingRecordRow): BillingRecordRow {
  return {
    ...r, period_start: Number(r.period_start), period_end: Number(r.period_end), quantity: Number(r.quantity),
    unit_price_cents: Number(r.unit_price_cents), amount_cents: Number(r.amount_cents), final: Number(r.final) === 1 ? 1 : 0,
    pushed_at: Number(r.pushed_at), deduct_due_at: Number(r.deduct_due_at), deducted_at: r.deducted_at === null ? null : Number(r.deducted_at),
  };
}

function numericLedger(r: LedgerRow): LedgerRow {
  return { ...r, amount_cents: Number(r.amount_cents), balance_after_cents: Number(r.balance_after_cents), created_at: Number(r.created_at) };
}

/** Price history of every product, each list sorted by when it takes effect. */
export async function loadPrices(db: Kysely<Database>): Promise<Map<string, Array<{ from: number; cents: number }>>> {
  const rows = await db.selectFrom('billing_prices').selectAll().orderBy('product').orderBy('price_key').orderBy('effective_from').execute();
  const out = new Map<string, Array<{ from: number; cents: number }>>();
  for (const r of rows) {
    const k = `${r.product}:${r.price_key}`;
    out.set(k, [...(out.get(k) ?? []), { from: Number(r.effective_from), cents: Number(r.price_cents) }]);
  }
  return out;
}

/**
 * Records that `product`/`key` costs `cents` from `from` on. When it had no history yet, `previousCents`
 * (what it cost until now) is recorded as in force since the beginning, so earlier periods keep it.
 */
export async function setPrice(
  db: Kysely<Database>, p: { product: 'flavor' | 'traffic'; key: string; from: number; cents: number; previousCents?: number },
): Promise<void> {
  if (p.previousCents !== undefined) {
    const any = await db.selectFrom('billing_prices').select('effective_from').where('product', '=', p.product).where('price_key', '=', p.key).executeTakeFirst();
    if (!any) await db.insertInto('billing_prices').values({ product: p.product, price_key: p.key, effective_from: 0, price_cents: p.previousCents }).execute();
  }
  await db.insertInto('billing_prices').values({ product: p.product, price_key: p.key, effective_from: p.from, price_cents: p.cents })
    .onConflict((oc) => oc.columns(['product', 'price_key', 'effective_from']).doUpdateSet({ price_cents: p.cents })).execute();
}

export async function listTrafficPrices(db: Kysely<Database>): Promise<Array<{ isp: string; from: number; cents: number }>> {
  const rows = await db.selectFrom('billing_prices').selectAll().where('product', '=', 'traffic').orderBy('price_key').orderBy('effective_from').execute();
  return rows.map((r) => ({ isp: r.price_key, from: Number(r.effective_from), cents: Number(r.price_cents) }));
}

/** Bytes out per (EIP, period) for hours in [from, to), periods anchored at the epoch. */
export async function trafficByPeriod(
  db: Kysely<Database>, from: number, to: number, periodMs: number,
): Promise<Array<{ eipId: string; accountUin: string; region: string; isp: string; address: string; periodStart: number; bytes: number }>> {
  const rows = await db.selectFrom('eip_traffic_hours')
    .select(['eip_id', 'account_uin', 'region', 'isp', 'address', 'hour_start', 'bytes_out'])
    .where('hour_start', '>=', from).where('hour_start', '<', to).orderBy('eip_id').orderBy('hour_start').execute();
  const out = new Map<string, { eipId: string; accountUin: string; region: string; isp: string; address: string; periodStart: number; bytes: number }>();
  for (const r of rows) {
    const hour = Number(r.hour_start);
    const periodStart = hour - (hour % periodMs);
    const k = `${r.eip_id}:${periodStart}`;
    const e = out.get(k) ?? { eipId: r.eip_id, accountUin: r.account_uin, region: r.region, isp: r.isp, address: r.address, periodStart, bytes: 0 };
    e.bytes += Number(r.bytes_out);
    out.set(k, e);
  }
  return [...out.values()];
}

export async function earliestTrafficHour(db: Kysely<Database>): Promise<number | undefined> {
  const r = await db.selectFrom('eip_traffic_hours').select((eb) => eb.fn.min('hour_start').as('h')).executeTakeFirst();
  return r?.h === null || r?.h === undefined ? undefined : Number(r.h);
}

/** An account's recharged and deducted totals (cents, both ≥ 0), and what was deducted since `since`. */
export async function ledgerTotals(db: Kysely<Database>, accountUin: string, since: number): Promise<{ allIn: number; allOut: number; outSince: number }> {
  const rows = await db.selectFrom('billing_ledger')
    .select(['kind', sql<number>`cast(sum(amount_cents) as bigint)`.as('total'),
      sql<number>`cast(sum(case when created_at >= ${since} then amount_cents else 0 end) as bigint)`.as('recent')])
    .where('account_uin', '=', accountUin).groupBy('kind').execute();
  const of = (k: string) => rows.find((r) => r.kind === k);
  return { allIn: Number(of('recharge')?.total ?? 0), allOut: -Number(of('deduct')?.total ?? 0), outSince: -Number(of('deduct')?.recent ?? 0) };
}

/** Ledger rows of an account in [from, to), optionally of one kind or one entry, a page at a time, with the total count. */
export async function pageLedger(
  db: Kysely<Database>, q: { accountUin: string; from: number; to: number; kind?: 'deduct' | 'recharge'; entryKey?: string; offset: number; limit: number },
): Promise<{ total: number; rows: LedgerRow[] }> {
  let s = db.selectFrom('billing_ledger').where('account_uin', '=', q.accountUin).where('created_at', '>=', q.from).where('created_at', '<', q.to);
  if (q.kind) s = s.where('kind', '=', q.kind);
  if (q.entryKey) s = s.where('entry_key', '=', q.entryKey);
  const count = await s.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await s.selectAll().orderBy('created_at').orderBy('entry_key').offset(q.offset).limit(q.limit).execute();
  return { total: Number(count?.n ?? 0), rows: rows.map(numericLedger) };
}

/**
 * The current value of `tagKey` on each billed resource of the account that has it, by resource
 * id (instances' and EIPs' tags, from `resource_tags`).
 */
export async function tagValues(
  db: Kysely<Database>, accountUin: string, resources: ReadonlyArray<{ product: 'bms' | 'eip'; resourceId: string }>, tagKey: string,
): Promise<Map<string, string>> {
  const tagged = resources.map((r) => ({ kind: r.product === 'eip' ? 'eip' as const : 'instance' as const, id: r.resourceId }));
  const tags = await tagsOfResources(db, accountUin, tagged);
  const out = new Map<string, string>();
  for (const r of tagged) {
    const value = tags.get(resourceKey(r))?.find((t) => t.key === tagKey)?.value;
    if (value !== undefined) out.set(r.id, value);
  }
  return out;
}

/** Which of these days (UTC+8, "YYYY-MM-DD") the daily reconciliation has checked. */
export async function checkedDays(db: Kysely<Database>, days: string[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  return new Set((await db.selectFrom('billing_reconciliations').select('day').where('day', 'in', days).execute()).map((r) => r.day));
}

/** Records a checked day with its findings, unless one is already recorded; true when this call recorded it. */
export async function recordCheckedDay(
  db: Kysely<Database>, c: { day: string; checkedAt: number; toleranceSeconds: number; findings: readonly object[] },
): Promise<boolean> {
  const won = await db.insertInto('billing_reconciliations')
    .values({ day: c.day, checked_at: c.checkedAt, tolerance_seconds: c.toleranceSeconds, finding_count: c.findings.length, findings: JSON.stringify(c.findings) })
    .onConflict((oc) => oc.column('day').doNothing()).returning('day').execute();
  return won.length > 0;
}
