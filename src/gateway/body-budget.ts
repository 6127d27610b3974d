/**
 * A cap on the request-body bytes the edge holds in memory at once, all connections together.
 *
 * Each request may carry up to 10 MB, and until its signature is checked any client can send
 * one: sixteen connections sending 10 MB of junk would make the process hold 160 MB. So a body
 * larger than `smallBytes` first reserves its size (Content-Length, or the protocol's limit for
 * a chunked body) from the budget; while the budget is spent its socket is simply not read
 * (TCP pushes back on the sender) until earlier requests are answered and give theirs back.
 * A reservation is all-or-nothing, so no two half-read bodies can wait on each other; one
 * larger than the whole budget is let through alone. Small bodies — every ordinary API call —
 * never wait.
 */
export interface BodyBudget {
  /** Resolves once `bytes` are reserved; call the returned function to give them back (once). */
  reserve(bytes: number): Promise<() => void> | (() => void);
  /** Bytes reserved now (for tests and benchmarks). */
  inUse(): number;
}

const NOTHING = () => {};

export function bodyBudget(maxBytes: number, smallBytes = 64 * 1024): BodyBudget {
  let used = 0;
  const waiting: Array<{ bytes: number; grant: (release: () => void) => void }> = [];
  const take = (bytes: number) => {
    used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      used -= bytes;
      while (waiting.length > 0 && fits(waiting[0]!.bytes)) {
        const next = waiting.shift()!;
        next.grant(take(next.bytes));
      }
    };
  };
  const fits = (bytes: number) => used === 0 || used + bytes <= maxBytes;
  return {
    reserve(bytes) {
      if (bytes <= smallBytes) return NOTHING;
      if (waiting.length === 0 && fits(bytes)) return take(bytes);
      return new Promise((grant) => waiting.push({ bytes, grant }));
    },
    inUse: () => used,
  };
}
