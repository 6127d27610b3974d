/**
 * Switches: the top-of-rack switches of a zone, the root of the physical topology.
 *
 * A zone holds switches, a switch holds racks, a rack holds servers. The topology matters to
 * tenants only through spread placement groups ("every member on a different rack and a
 * different switch"), but operators navigate the fleet by it, so a listing carries how many
 * racks and servers hang under each switch — counted live by correlated subqueries, so the
 * numbers can never drift from the rows they count.
 *
 * Names are unique per zone (`switches_zone_name_key`); a clash surfaces as ConflictError.
 */
import type { Kysely, Selectable } from 'kysely';
import { translatingConflicts } from '../errors.ts';
import type { Database, SwitchesTable } from '../schema.ts';

export interface Switch {
  id: string;
  zone: string;
  name: string;
  createdAt: number;
}

export interface SwitchSummary extends Switch {
  rackCount: number;
  serverCount: number;
}

/** Which switches a listing covers: those of `zones`, optionally only `ids`. */
export interface SwitchQuery {
  zones: readonly string[];
  ids?: readonly string[];
}

export interface Page {
  offset: number;
  limit: number;
}

/** Inserts `s`; ConflictError when its zone already has a switch of that name. */
export async function insertSwitch(db: Kysely<Database>, s: Switch): Promise<Switch> {
  await translatingConflicts(db.insertInto('switches').values(toRow(s)).execute());
  return s;
}

/** Inserts many switches in one statement (seeding). */
export async function insertSwitches(db: Kysely<Database>, switches: readonly Switch[]): Promise<void> {
  if (switches.length > 0) await translatingConflicts(db.insertInto('switches').values(switches.map(toRow)).execute());
}

export async function getSwitch(db: Kysely<Database>, id: string): Promise<Switch | undefined> {
  const row = await db.selectFrom('switches').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSwitch(row);
}

export async function findSwitchByName(db: Kysely<Database>, zone: string, name: string): Promise<Switch | undefined> {
  const row = await db.selectFrom('switches').selectAll().where('zone', '=', zone).where('name', '=', name).executeTakeFirst();
  return row && toSwitch(row);
}

/** One page of switches (by zone, then name) with their rack and server counts, and the total before paging. */
export async function listSwitches(db: Kysely<Database>, query: SwitchQuery, page: Page): Promise<{ total: number; items: SwitchSummary[] }> {
  if (query.zones.length === 0 || query.ids?.length === 0) return { total: 0, items: [] };
  let base = db.selectFrom('switches').where('switches.zone', 'in', query.zones);
  if (query.ids) base = base.where('switches.id', 'in', query.ids);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('switches')
    .select((eb) => [
      eb.selectFrom('racks').whereRef('racks.switch_id', '=', 'switches.id')
        .select((e) => e.fn.countAll<number | string | bigint>().as('n')).as('rack_count'),
      eb.selectFrom('servers').whereRef('servers.switch_id', '=', 'switches.id')
        .select((e) => e.fn.countAll<number | string | bigint>().as('n')).as('server_count'),
    ])
    .orderBy('switches.zone').orderBy('switches.name').orderBy('switches.id')
    .offset(page.offset).limit(page.limit)
    .execute();
  return {
    total: Number(counted.n),
    items: rows.map((r) => ({ ...toSwitch(r), rackCount: Number(r.rack_count ?? 0), serverCount: Number(r.server_count ?? 0) })),
  };
}

function toRow(s: Switch): SwitchesTable {
  return { id: s.id, zone: s.zone, name: s.name, created_at: s.createdAt };
}

function toSwitch(row: Selectable<SwitchesTable>): Switch {
  return { id: row.id, zone: row.zone, name: row.name, createdAt: Number(row.created_at) };
}
