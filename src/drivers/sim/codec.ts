/**
 * The stored form of a simulated server: JSON text, checked against the schema when read.
 *
 * The store keeps `state` and `faults` as opaque strings (`src/store/repos/sim-hardware.ts`);
 * the driver owns their meaning, so it writes and reads them here. A row that no longer
 * matches the schema is a corrupted lab, reported by server id rather than half-used.
 */
import { z } from 'zod';
import { simFaultSchema, type SimFault } from './faults.ts';
import { simServerStateSchema, type SimServerState } from './state.ts';

const faultListSchema = z.array(simFaultSchema);

export function encodeState(state: SimServerState): string {
  return JSON.stringify(state);
}

export function encodeFaults(faults: readonly SimFault[]): string {
  return JSON.stringify(faults);
}

export function decodeState(serverId: string, text: string): SimServerState {
  return decode(serverId, 'state', text, simServerStateSchema);
}

export function decodeFaults(serverId: string, text: string): SimFault[] {
  return decode(serverId, 'faults', text, faultListSchema);
}

function decode<T>(serverId: string, what: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`sim hardware of ${serverId}: stored ${what} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`sim hardware of ${serverId}: stored ${what} does not match its schema: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
