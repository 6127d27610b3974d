/**
 * Reading the vpc actions' parameters beyond what the spec's validator checks.
 *
 * The gateway has already checked names, types, lengths and enums against src/spec/vpc.json.
 * What remains is meaning: an ID must look like one (input IDs are case-insensitive, so they
 * are normalised first), a CIDR must parse, and Offset/Limit — which Tencent's VPC API types as
 * *Strings* — must hold decimal numbers in range.
 */
import {
  checkVpcCidr, checkVpcIpv6Cidr, formatCidr, formatIpv6Cidr, parseCidr, parseIpv6Cidr, type Cidr,
} from '../../network/ipam.ts';
import { normalizeId } from '../../shared/ids.ts';
import type { CallContext } from '../types.ts';
import { badCidr, badIpv6Cidr, badPaging, badVpcCidr, malformedId, notABoolean } from './errors.ts';

export const MAX_LIMIT = 100;

/** The caller's slice of the world: its own account, the request's region. */
export function scopeOf(ctx: CallContext) {
  return { accountUin: ctx.principal.accountUin, region: ctx.region };
}

/** A resource ID in canonical (lower-case) form; InvalidParameterValue when it is not `<prefix>-xxxxxxxx`. */
export function idParam(path: string, raw: string, prefix: 'vpc' | 'subnet'): string {
  const id = normalizeId(raw.trim());
  if (!new RegExp(`^${prefix}-[0-9a-z]{8}$`).test(id)) throw malformedId(path, raw, prefix);
  return id;
}

export function idListParam(path: string, raw: readonly string[], prefix: 'vpc' | 'subnet'): string[] {
  return raw.map((id, i) => idParam(`${path}.${i}`, id, prefix));
}

/** Offset and Limit from their decimal-string wire form (defaults come from the spec). */
export function pagingParams(offset = '0', limit = '20'): { offset: number; limit: number } {
  if (!/^\d{1,9}$/.test(offset)) throw badPaging('Offset', offset, 'a non-negative integer', '非负整数');
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
    throw badPaging('Limit', limit, `an integer from 1 to ${MAX_LIMIT}`, ` 1 到 ${MAX_LIMIT} 之间的整数`);
  }
  return { offset: Number(offset), limit: Number(limit) };
}

/** Filter values that must be booleans ("true"/"false", any case). */
export function booleanValues(path: string, values: readonly string[]): boolean[] {
  return values.map((v, i) => {
    const s = v.trim().toLowerCase();
    if (s !== 'true' && s !== 'false') throw notABoolean(`${path}.${i}`, v);
    return s === 'true';
  });
}

/** Any IPv4 block, parsed (the caller checks what kind of block it must be). */
export function cidrParam(path: string, text: string): Cidr {
  const parsed = parseCidr(text.trim());
  if (!parsed.ok) throw badCidr(path, text, parsed);
  return parsed.cidr;
}

/** A VPC's IPv4 block, in canonical text. */
export function vpcCidrParam(text: string): string {
  const cidr = cidrParam('CidrBlock', text);
  const problem = checkVpcCidr(cidr);
  if (problem) throw badVpcCidr(text, problem);
  return formatCidr(cidr);
}

/** A VPC's IPv6 block, in canonical text (RFC 5952). */
export function vpcIpv6Param(text: string): string {
  const parsed = parseIpv6Cidr(text.trim());
  if (!parsed.ok) throw badCidr('Ipv6CidrBlock', text, parsed, 'fd00:0:0:100::/56');
  const problem = checkVpcIpv6Cidr(parsed.cidr);
  if (problem) throw badIpv6Cidr(text, problem);
  return formatIpv6Cidr(parsed.cidr);
}
