/**
 * Calls that hang: an injected `hang` fault makes a BMC stop answering mid-call.
 *
 * A hung call never completes on its own — the caller's step timeout must cut it, as it would
 * against a real BMC that accepted a connection and went silent. The interfaces carry no
 * cancellation, so the lab keeps each hung call here, and ends them (with DriverError
 * `timeout`) when the faults of their server are cleared, the server is removed, or the driver
 * is closed. No timer is held, so a hung call neither keeps the process alive nor costs
 * anything while it waits.
 */
import { DriverError } from '../interfaces/hardware.ts';
import type { SimOperation } from './operations.ts';

export class HungCalls {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** A call that never answers until released; then it rejects with DriverError `timeout`. */
  hang(serverId: string, operation: SimOperation): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      const calls = this.waiting.get(serverId) ?? new Set();
      calls.add(() => reject(new DriverError('timeout', operation, `${operation} on ${serverId}: the BMC never answered`)));
      this.waiting.set(serverId, calls);
    });
  }

  /** How many calls hang on `serverId`. */
  count(serverId: string): number {
    return this.waiting.get(serverId)?.size ?? 0;
  }

  /** Ends the hung calls of `serverId`; returns how many. */
  release(serverId: string): number {
    const calls = this.waiting.get(serverId);
    this.waiting.delete(serverId);
    for (const end of calls ?? []) end();
    return calls?.size ?? 0;
  }

  /** Ends every hung call. */
  releaseAll(): void {
    for (const serverId of [...this.waiting.keys()]) this.release(serverId);
  }
}
