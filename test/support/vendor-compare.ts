/**
 * Compares a spec with the vendor's models: every field the vendor's SDK sends or reads must be
 * in the spec, with a type both sides can live with.
 *
 * Request fields (the vendor sends, we accept): a vendor `string` fits our String or Datetime, or
 * an integer member that also accepts numeric strings (`alsoAccepts: ["String"]`); a vendor
 * integer fits our integer types, or a String member that also accepts integers. Response fields
 * (we send, the vendor's strict JSON decoder reads) must have the vendor's own kind of type.
 * Arrays must be arrays on both sides, structures are compared field by field.
 */
import type { Member, ServiceSpec } from '../../src/spec/model.ts';
import type { VendorField, VendorModel } from './vendor-models.ts';

const INTEGERS = new Set(['Int64', 'Uint64', 'Integer']);
const VENDOR_INTEGERS = new Set(['int64', 'uint64', 'int', 'int32', 'uint32', 'uint']);

type Direction = 'request' | 'response';

function scalarFits(vendor: string, m: Member, direction: Direction): boolean {
  const also = new Set(m.alsoAccepts ?? []);
  if (vendor === 'string') return m.type === 'String' || m.type === 'Datetime' || (direction === 'request' && INTEGERS.has(m.type) && also.has('String'));
  if (VENDOR_INTEGERS.has(vendor)) return INTEGERS.has(m.type) || (direction === 'request' && m.type === 'String' && [...also].some((t) => INTEGERS.has(t)));
  if (vendor === 'bool') return m.type === 'Bool' || (direction === 'request' && INTEGERS.has(m.type) && also.has('Bool'));
  if (vendor === 'float64' || vendor === 'float32') return m.type === 'Float' || (direction === 'request' && INTEGERS.has(m.type));
  return false;
}

export function compareWithVendor(spec: ServiceSpec, vendor: VendorModel): string[] {
  const problems: string[] = [];
  const visit = (where: string, ours: Member[], theirs: VendorField[], direction: Direction, seen: Set<string>) => {
    for (const f of theirs) {
      const m = ours.find((x) => x.name === f.name);
      const at = `${where}.${f.name}`;
      if (!m) {
        problems.push(`${at}: missing from the spec (vendor ${f.type})`);
        continue;
      }
      const isArray = f.type.startsWith('[]');
      const base = isArray ? f.type.slice(2) : f.type;
      if (isArray !== (m.array === true)) {
        problems.push(`${at}: vendor ${f.type}, spec ${m.array ? 'array of ' : ''}${m.type}`);
        continue;
      }
      const structure = vendor.structures.get(base);
      if (structure) {
        if (m.type !== 'Object') problems.push(`${at}: vendor structure ${base}, spec ${m.type}`);
        else if (!seen.has(`${m.ref}/${base}/${direction}`)) {
          visit(`${at}(${m.ref})`, spec.objects[m.ref!]?.members ?? [], structure, direction, new Set([...seen, `${m.ref}/${base}/${direction}`]));
        }
        continue;
      }
      if (m.type === 'Object') {
        problems.push(`${at}: vendor ${f.type}, spec structure ${m.ref}`);
        continue;
      }
      if (!scalarFits(base, m, direction)) {
        problems.push(`${at}: vendor ${f.type} does not fit spec ${m.type}${m.alsoAccepts ? ` (also ${m.alsoAccepts.join(', ')})` : ''} in the ${direction}`);
      }
    }
  };
  for (const [name, model] of vendor.actions) {
    const action = spec.actions[name];
    if (!action) {
      problems.push(`${name}: action missing from the spec`);
      continue;
    }
    visit(`${name}.request`, action.input, model.request, 'request', new Set());
    visit(`${name}.response`, action.output, model.response, 'response', new Set());
  }
  return problems;
}
