/**
 * Switch ports: the heartbeat VLAN applied to each server's heartbeat port, as recorded by the
 * flows that configure the switch.
 *
 * A row exists once BMS has touched a server's heartbeat port; `heartbeat_vlan` is the VLAN
 * the switch last confirmed (null = the default VLAN). The row is written *before* the first
 * switch call (as null, if it did not exist) and updated after each call succeeds, so a port
 * that may have left the default VLAN always has a row — a return resets every server that
 * has one, and a server without one needs nothing.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SwitchPort {
  serverId: string;
  sn: string;
  zone: string;
  switchId: string;
  switchName: string;
  rackId: string;
  rackName: string;
  rackUnit: number;
  /** null: the default VLAN. */
  heartbeatVlan: number | null;
  instanceId: string | null;
  /** The heartbeat group the server's instance belongs to (what the port should carry). */
  heartbeatId: string | null;
  groupVlan: number | null;
  /** When the port was last configured; null when BMS never touched it. */
  updatedAt: number | null;
}

/** The recorded port of a server, or undefined when BMS never touched it. */
export async function getPort(db: Kysely<Database>, serverId: string): Promise<{ heartbeatVlan: number | null } | undefined> {
  const row = await db.selectFrom('switch_ports').select('heartbeat_vlan').where('server_id', '=', serverId).executeTakeFirst();
  return row && { heartbeatVlan: row.heartbeat_vlan === null ? null : Number(row.heartbeat_vlan) };
}

/** Makes sure the server has a port row (a new one says "default VLAN") before its port is touched. */
export async function ensurePort(db: Kysely<Database>, serverId: string, now: number): Promise<void> {
  await db.insertInto('switch_ports').values({ server_id: serverId, heartbeat_vlan: null, updated_at: now })
    .onConflict((oc) => oc.column('server_id').doNothing()).execute();
}

/** Records the VLAN the switch confirmed for the server's heartbeat port. */
export async function recordPort(db: Kysely<Database>, serverId: string, vlan: number | null, now: number): Promise<void> {
  await db.insertInto('switch_ports').values({ server_id: serverId, heartbeat_vlan: vlan, updated_at: now })
    .onConflict((oc) => oc.column('server_id').doUpdateSet({ heartbeat_vlan: vlan, updated_at: now })).execute();
}

/** Which ports to list: servers of `zones`, optionally by ids, switches and applied VLANs. */
export interface PortQuery {
  zones: readonly string[];
  serverIds?: readonly string[];
  switchIds?: ReadonlyArray<readonly string[]>;
  vlans?: ReadonlyArray<readonly number[]>;
}

/** One page of ports, by zone, switch, rack and unit, and the total before paging. */
export async function listPorts(
  db: Kysely<Database>, query: PortQuery, page: { offset: number; limit: number },
): Promise<{ total: number; items: SwitchPort[] }> {
  const lists = [query.zones, query.serverIds, ...(query.switchIds ?? []), ...(query.vlans ?? [])];
  if (lists.some((l) => l !== undefined && l.length === 0)) return { total: 0, items: [] };
  let base = db.selectFrom('servers').leftJoin('switch_ports as p', 'p.server_id', 'servers.id').where('servers.zone', 'in', query.zones);
  if (query.serverIds) base = base.where('servers.id', 'in', query.serverIds);
  for (const ids of query.switchIds ?? []) base = base.where('servers.switch_id', 'in', ids);
  for (const vlans of query.vlans ?? []) base = base.where('p.heartbeat_vlan', 'in', vlans);
  const counted = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .innerJoin('switches', 'switches.id', 'servers.switch_id')
    .innerJoin('racks', 'racks.id', 'servers.rack_id')
    .leftJoin('heartbeat_members as m', 'm.instance_id', 'servers.instance_id')
    .leftJoin('heartbeat_groups as g', 'g.id', 'm.group_id')
    .select([
      'servers.id', 'servers.sn', 'servers.zone', 'servers.switch_id', 'switches.name as switch_name', 'servers.rack_id',
      'racks.name as rack_name', 'servers.rack_unit', 'p.heartbeat_vlan', 'p.updated_at', 'servers.instance_id', 'g.id as group_id',
      'g.vlan_id as group_vlan',
    ])
    .orderBy('servers.zone').orderBy('switches.name').orderBy('racks.name').orderBy('servers.rack_unit').orderBy('servers.id')
    .offset(page.offset).limit(page.limit)
    .execute();
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    total: Number(counted.n),
    items: rows.map((r) => ({
      serverId: r.id, sn: r.sn, zone: r.zone, switchId: r.switch_id, switchName: r.switch_name, rackId: r.rack_id, rackName: r.rack_name,
      rackUnit: Number(r.rack_unit), heartbeatVlan: num(r.heartbeat_vlan), instanceId: r.instance_id, heartbeatId: r.group_id ?? null,
      groupVlan: num(r.group_vlan), updatedAt: num(r.updated_at),
    })),
  };
}
