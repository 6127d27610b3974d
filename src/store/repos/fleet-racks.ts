/**
 * Racks: the cabinets under a top-of-rack switch, holding the servers.
 *
 * A rack has no zone of its own choosing: it takes its switch's, and the column is a copy kept
 * so that zone-scoped reads need no join. Names are unique per zone (`racks_zone_name_key`);
 * a clash surfaces as ConflictError. Listings carry the switch's name and a live count of the
 * servers in each rack.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, RacksTable } from '../schema.ts';
import type { Page } from './fleet-switches.ts';

export interface Rack {
  id: string;
  zone: string;
  switchId: string;
  name: string;
  createdAt: number;
}

export interface RackSummary extends Rack {
  switchName: string;
  serverCount: number;
}

/** Which racks a listing covers: those of `zones`, optionally only `ids` and/or one switch's. */
export interface RackQuery {
  zones: readonly string[];
  ids?: readonly string[];
  switchId?: string;
}

/** Inserts `r`; ConflictError when its zone already has a rack of that name. */
export async function insertRack(db: Kysely<Database>, r: Rack): Promise<Rack> {
  await translatingConflicts(db.insertInto('racks').values(toRow(r)).execute());
  return r;
}

/** Inserts many racks in one statement (seeding). */
export async function insertRacks(db: Kysely<Database>, racks: readonly Rack[]): Promise<void> {
  if (racks.length > 0) await translatingConflicts(db.insertInto('racks').values(racks.map(toRow)).execute());
}

export async function findRackByName(db: Kysely<Database>, zone: string, name: string): Promise<Rack | undefined> {
  const row = await db.selectFrom('racks').selectAll().where('zone', '=', zone).where('name', '=', name).executeTakeFirst();
  return row && toRack(row);
}

/** The racks among `ids` that exist (in no particular order). */
export async function getRacks(db: Kysely<Database>, ids: readonly string[]): Promise<Rack[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('racks').selectAll().where('id', 'in', ids).execute();
  return rows.map(toRack);
}

/** One page of racks (by zone, switch name, rack name) with switch names and server counts, and the total. */
export async function listRacks(db: Kysely<Database>, query: RackQuery, page: Page): Promise<{ total: number; items: RackSummary[] }> {
  if (query.zones.length === 0 || query.ids?.length === 0) return { total: 0, items: [] };
  let base = db.selectFrom('racks').innerJoin('switches', 'switches.id', 'racks.switch_id').where('racks.zone', 'in', query.zones);
  if (query.ids) base = base.where('racks.id', 'in', query.ids);
  if (query.switchId !== undefined) base = base.where('racks.switch_id', '=', query.switchId);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('racks')
    .select('switches.name as switch_name')
    .select((eb) => eb.selectFrom('servers').whereRef('servers.rack_id', '=', 'racks.id')
      .select((e) => e.fn.countAll<number | string | bigint>().as('n')).as('server_count'))
    .orderBy('racks.zone').orderBy('switches.name').orderBy('racks.name').orderBy('racks.id')
    .offset(page.offset).limit(page.limit)
    .execute();
  return {
    total: Number(counted.n),
    items: rows.map((r) => ({ ...toRack(r), switchName: r.switch_name, serverCount: Number(r.server_count ?? 0) })),
  };
}

function toRow(r: Rack): RacksTable {
  return { id: r.id, zone: r.zone, switch_id: r.switchId, name: r.name, created_at: r.createdAt };
}

function toRack(row: Selectable<RacksTable>): Rack {
  return { id: row.id, zone: row.zone, switchId: row.switch_id, name: row.name, createdAt: Number(row.created_at) };
}
