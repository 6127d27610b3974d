/**
 * Reading the placement actions' parameters beyond what the spec's validator checks: group IDs
 * must look like one (matched case-insensitively, so normalised first), names must not be
 * blank, and a request's scope is the caller's account in the request's region.
 */
import { normalizeId } from '../../shared/ids.ts';
import type { GroupScope } from '../../store/repos/placement-groups.ts';
import { distinctIds } from '../instances/lookups.ts';
import type { CallContext } from '../types.ts';
import { blankName, malformedGroupId } from './errors.ts';

const GROUP_ID = /^ps-[0-9a-z]{8}$/;

export function scopeOf(ctx: CallContext): GroupScope {
  return { accountUin: ctx.principal.accountUin, region: ctx.region };
}

/** A group ID in canonical (lower-case) form; InvalidParameterValue when it is not `ps-xxxxxxxx`. */
export function groupIdParam(path: string, raw: string): string {
  const id = normalizeId(raw);
  if (!GROUP_ID.test(id)) throw malformedGroupId(path, raw);
  return id;
}

/** Group IDs in canonical form, each well-formed and listed once. */
export function groupIdsParam(path: string, raw: readonly string[]): string[] {
  return distinctIds(path, raw.map((id, i) => groupIdParam(`${path}.${i}`, id)));
}

/** A group name (length 1–60 is the validator's); whitespace alone is not a name. */
export function nameParam(path: string, raw: string): string {
  if (raw.trim() === '') throw blankName(path);
  return raw;
}
