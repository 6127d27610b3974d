/**
 * Reading the operator actions' parameters beyond what the spec's validator checks.
 *
 * The gateway has already checked names, types, lengths, ranges and enums against
 * src/spec/bmsops.json and filled in defaults. What remains is meaning: an ID must look like
 * one (input IDs are case-insensitive, so they are normalised first), a zone must be a zone of
 * the request's region, a price must be a decimal, a filter's values must be values it knows.
 *
 * The operator sees one region at a time — the request's — just as tenants do: everything
 * zoned (switches, racks, servers, flavors) is looked up only among that region's zones, and a
 * resource of another region simply does not exist for the request. OS images are global.
 */
import type { Tx } from '../../store/store.ts';
import { normalizeId } from '../../shared/ids.ts';
import { listZones } from '../../store/repos/regions.ts';
import { badFilterValue, badName, badPrice, malformedId, unknownZone } from './errors.ts';

export type IdPrefix = 'sw' | 'rack' | 'srv' | 'flavor' | 'img';

/** A resource ID in canonical (lower-case) form; InvalidParameterValue when it is not `<prefix>-xxxxxxxx`. */
export function idParam(path: string, raw: string, prefix: IdPrefix): string {
  const id = normalizeId(raw.trim());
  if (!new RegExp(`^${prefix}-[0-9a-z]{8}$`).test(id)) throw malformedId(path, raw, prefix);
  return id;
}

/** IDs of a list parameter, canonical and without repeats (first occurrence kept). */
export function idListParam(path: string, raw: readonly string[], prefix: IdPrefix): string[] {
  return [...new Set(raw.map((id, i) => idParam(`${path}.${i}`, id, prefix)))];
}

/** IDs in a filter: canonical, not checked (a malformed one simply matches nothing). */
export const filterIds = (values: readonly string[]) => values.map((v) => normalizeId(v.trim()));

/** The zones of the request's region. */
export async function regionZones(db: Tx, region: string): Promise<string[]> {
  return (await listZones(db, region)).map((z) => z.zone);
}

/** `zone` when it is a zone of `region`; InvalidParameterValue naming `path` otherwise. */
export async function zoneParam(db: Tx, path: string, zone: string, region: string): Promise<string> {
  const zones = await regionZones(db, region);
  if (!zones.includes(zone)) throw unknownZone(path, zone, region);
  return zone;
}

/** Filter values that must be booleans ("true"/"false", any case). */
export function booleanValues(path: string, values: readonly string[]): boolean[] {
  return values.map((v, i) => {
    const s = v.trim().toLowerCase();
    if (s !== 'true' && s !== 'false') throw badFilterValue(`${path}.${i}`, v, ['true', 'false']);
    return s === 'true';
  });
}

/** Filter values that must be one of `allowed` (compared ignoring case; returned as `allowed` spells them). */
export function enumValues<T extends string>(path: string, values: readonly string[], allowed: readonly T[]): T[] {
  return values.map((v, i) => {
    const found = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (found === undefined) throw badFilterValue(`${path}.${i}`, v, allowed);
    return found;
  });
}

const PRICE = /^(\d{1,7})(?:\.(\d{1,2}))?$/;

/** A price as stored: a decimal string with exactly two decimals ("12" → "12.00"). */
export function priceParam(path: string, raw: string): string {
  const match = PRICE.exec(raw.trim());
  if (!match) throw badPrice(path, raw);
  return `${Number(match[1])}.${(match[2] ?? '').padEnd(2, '0')}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A resource name of letters, digits, ".", "-" and "_" (lengths are the spec's). */
export function nameParam(path: string, raw: string): string {
  const name = raw.trim();
  if (!NAME.test(name)) throw badName(path, raw);
  return name;
}

/** Offset and Limit, already validated and defaulted by the gateway. */
export function pageOf(p: { Offset?: number; Limit?: number }): { offset: number; limit: number } {
  return { offset: p.Offset ?? 0, limit: p.Limit ?? 20 };
}
