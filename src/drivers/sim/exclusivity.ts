/**
 * The one-operation-per-BMC check.
 *
 * BMS promises that two workers never drive the same BMC at once (a DB-held lock per server).
 * Real BMCs punish a broken promise quietly — a second reset queued behind a first, a power
 * reading taken mid-reboot — so the lab watches for it: every call is registered while in
 * flight, and a call that starts while another is in flight on the same server is recorded as
 * a violation (server, the operation already running, the one that started). The call is still
 * performed, as real hardware would; the orchestration's tests assert the count stays zero.
 *
 * Two reads at once (power state, inventory) are harmless and not recorded; anything overlapping
 * a call that drives the machine is. A call that hangs (an injected `hang`) leaves the set when
 * it starts hanging: its caller's timeout has given up on it, and the next attempt is legitimate.
 *
 * The record is per process: several server processes on one database each see their own calls.
 */
import { OPERATIONS, type SimOperation } from './operations.ts';
import type { Clock } from './timing.ts';

export interface ConcurrencyViolation {
  serverId: string;
  /** The operation that was in flight. */
  inFlight: SimOperation;
  /** The operation that started during it. */
  started: SimOperation;
  at: number;
}

export interface ConcurrencyReport {
  /** Every violation since the driver was created. */
  count: number;
  /** The most recent ones (at most `KEPT`), oldest first. */
  recent: ConcurrencyViolation[];
}

const KEPT = 1000;

export class InFlightCalls {
  private readonly calls = new Map<string, Set<{ operation: SimOperation }>>();
  private readonly kept: ConcurrencyViolation[] = [];
  private count = 0;

  constructor(private readonly clock: Clock) {}

  /** Registers a call; returns the function that ends it (calling that twice is harmless). */
  enter(serverId: string, operation: SimOperation): () => void {
    const running = this.calls.get(serverId) ?? new Set();
    const clash = [...running].find((c) => OPERATIONS[c.operation].drives || OPERATIONS[operation].drives);
    if (clash) this.record({ serverId, inFlight: clash.operation, started: operation, at: this.clock() });
    const call = { operation };
    running.add(call);
    this.calls.set(serverId, running);
    return () => {
      running.delete(call);
      if (running.size === 0 && this.calls.get(serverId) === running) this.calls.delete(serverId);
    };
  }

  /** The operations in flight on `serverId`. */
  inFlight(serverId: string): SimOperation[] {
    return [...(this.calls.get(serverId) ?? [])].map((c) => c.operation);
  }

  report(): ConcurrencyReport {
    return { count: this.count, recent: this.kept.map((v) => ({ ...v })) };
  }

  private record(violation: ConcurrencyViolation): void {
    this.count += 1;
    this.kept.push(violation);
    if (this.kept.length > KEPT) this.kept.shift();
  }
}
