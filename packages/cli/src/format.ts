/**
 * --output json | table | text, after --filter (JMESPath) has picked what to show.
 *
 * json: indented JSON. table: a list of objects (or the one list inside an answer) as columns of
 * its scalar fields, anything else as key/value rows. text: tab-separated, one line per item —
 * for `cut`, `awk` and `while read`.
 */
type Json = unknown;

const scalar = (v: Json) => v === null || typeof v !== 'object';

function cell(v: Json): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return Array.isArray(v) && v.every(scalar) ? v.join(',') : JSON.stringify(v);
  return String(v);
}

/** The one array worth tabulating: the value itself, or the single array member of an answer. */
function rowsOf(v: Json): Json[] | undefined {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') {
    const arrays = Object.entries(v).filter(([k, x]) => Array.isArray(x) && k !== 'RequestId');
    if (arrays.length === 1 && (arrays[0]![1] as Json[]).every((x) => x && typeof x === 'object' && !Array.isArray(x))) return arrays[0]![1] as Json[];
  }
  return undefined;
}

const width = (s: string) => {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
};
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return [rule, line(header), rule, ...rows.map(line), rule].join('\n');
}

export function table(v: Json): string {
  const rows = rowsOf(v);
  if (rows && rows.length > 0 && rows.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
    const cols: string[] = [];
    for (const r of rows) for (const [k, x] of Object.entries(r as object)) if (!cols.includes(k) && (scalar(x) || (Array.isArray(x) && x.every(scalar)))) cols.push(k);
    return grid(cols, rows.map((r) => cols.map((c) => cell((r as Record<string, Json>)[c]))));
  }
  if (rows) return rows.length === 0 ? '(none)' : grid(['Value'], rows.map((r) => [cell(r)]));
  if (v && typeof v === 'object') return grid(['Field', 'Value'], Object.entries(v).map(([k, x]) => [k, cell(x)]));
  return cell(v);
}

export function text(v: Json): string {
  const rows = rowsOf(v);
  if (rows) return rows.map((r) => (Array.isArray(r) ? r.map(cell).join('\t') : r && typeof r === 'object' ? Object.values(r).map(cell).join('\t') : cell(r))).join('\n');
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}\t${cell(x)}`).join('\n');
  return cell(v);
}

export function render(v: Json, output: string): string {
  if (output === 'table') return table(v);
  if (output === 'text') return text(v);
  return JSON.stringify(v, null, 2);
}
