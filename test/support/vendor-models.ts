/**
 * Reads the vendor SDK's wire facts (../shared/reference/vendor-sdk/<service>-<version>.md):
 * per action its request and response fields, and the shared structures, each field with its Go
 * JSON type (`string`, `int64`, `uint64`, `bool`, `float64`, `[]X`, or a structure name).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface VendorField { name: string; type: string; note: string }
export interface VendorModel {
  actions: Map<string, { request: VendorField[]; response: VendorField[] }>;
  structures: Map<string, VendorField[]>;
}

export const vendorModelPath = (file: string) => fileURLToPath(new URL(`../../../shared/reference/vendor-sdk/${file}`, import.meta.url));

export function readVendorModel(file: string): VendorModel {
  const text = readFileSync(vendorModelPath(file), 'utf8');
  const actions: VendorModel['actions'] = new Map();
  const structures: VendorModel['structures'] = new Map();
  let section: 'actions' | 'structures' = 'actions';
  let current: VendorField[] | undefined;
  let action: { request: VendorField[]; response: VendorField[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      const title = line.slice(3).trim();
      if (title === 'Structures') { section = 'structures'; current = undefined; continue; }
      action = { request: [], response: [] };
      actions.set(title, action);
      current = undefined;
    } else if (line.startsWith('### ') && section === 'structures') {
      current = [];
      structures.set(line.slice(4).trim(), current);
    } else if (line.startsWith('Request:') && action) {
      current = action.request;
    } else if (line.startsWith('Response:') && action) {
      current = action.response;
    } else if (line.startsWith('| ') && current && !line.startsWith('| field')) {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      if (cells.length >= 2 && cells[0] !== '' && !/^-+$/.test(cells[0]!)) current.push({ name: cells[0]!, type: cells[1]!, note: cells[2] ?? '' });
    }
  }
  return { actions, structures };
}
