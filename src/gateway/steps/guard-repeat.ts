/**
 * Step: a repeat answers instead of failing — and is never executed twice.
 *
 * TC3 has no nonce and a one-second timestamp, so a quick legitimate retry of a mutating call
 * (DeleteVpc, ModifyAddressesBandwidth, TerminateInstances) carries exactly the signature of
 * the first. So does a captured request replayed by someone else. Both get the same treatment:
 * a mutating request whose signature already *succeeded* for the same service, action and
 * region within the timestamp window is not executed again; it gets the first execution's
 * answer (with its own RequestId), and the audit trail and access log name the RequestId it
 * repeats (`repeatOf`). A copy arriving while the first still runs waits for it: it gets the
 * answer if the first succeeds, and is judged anew (claims and executes) if the first fails.
 *
 * A request that fails — refused before execution (authentication, validation, rate limit,
 * authorization: those steps run before this one, so nothing is recorded) or by the business
 * rules (ResourceInUse, a state that does not allow it: the claim is released) — is not
 * remembered, so the same request after the cause was fixed is judged anew.
 *
 * The record lives in the store (store/repos/request-repeats.ts), claimed with one atomic
 * statement, so it holds across server processes on one database. A claim whose process died
 * mid-execution lapses after LEASE_MS and is taken over. Requests carrying a ClientToken are
 * left to its own, longer-lived idempotency (RunInstances), whatever their signature; reads
 * are never recorded.
 */
import type { GatewayDeps } from '../deps.ts';
import type { Exchange } from '../exchange.ts';
import { TIMESTAMP_WINDOW_SECONDS } from './authenticate.ts';

/** How long a running claim holds without an answer before a copy may take it over. */
export const LEASE_MS = 60_000;
/** How often a copy waiting on a claim held by another process looks again (ms, growing). */
const POLL_MS = [5, 10, 20, 40, 80, 100] as const;

/** Claims in flight in this process, so a local copy wakes the moment its first settles. */
const settled = new Map<string, { promise: Promise<void>; resolve: () => void }>();

export function guardRepeat(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  if (!ex.action!.mutating || !ex.signature) return; // reads are not recorded: stay synchronous
  if (typeof ex.input?.ClientToken === 'string' && ex.input.ClientToken !== '') return;
  return claim(ex, deps);
}

export function repeatKey(ex: Exchange): string {
  const { serviceName, name } = ex.action!;
  return `${ex.signature}/${serviceName}/${name}/${ex.common!.region}`;
}

async function claim(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const key = repeatKey(ex);
  const expiresAt = (Number(ex.common!.timestamp) + TIMESTAMP_WINDOW_SECONDS + 1) * 1000;
  for (let round = 0; ; round++) {
    const record = await deps.repeats.claim(key, ex.requestId, expiresAt, deps.clock() + LEASE_MS);
    if (record.state === 'claimed') {
      ex.repeat = { key };
      if (!settled.has(key)) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        settled.set(key, { promise, resolve });
      }
      return;
    }
    if (record.state === 'done') {
      ex.repeatOf = record.requestId;
      ex.result = JSON.parse(record.answer) as Record<string, unknown>;
      return;
    }
    // Running elsewhere: wait for it to settle, then look again.
    const local = settled.get(key)?.promise;
    const pause = new Promise<void>((r) => setTimeout(r, POLL_MS[Math.min(round, POLL_MS.length - 1)]));
    await (local ? Promise.race([local, pause]) : pause);
  }
}

/** After a successful dispatch: keep the answer for the copies (before the caller hears it). */
export async function completeRepeat(ex: Exchange, deps: GatewayDeps): Promise<void> {
  if (!ex.repeat) return;
  try {
    await deps.repeats.complete(ex.repeat.key, ex.requestId, JSON.stringify(ex.result ?? {}));
  } catch (err) {
    // The call has happened; its copies will wait for the lease and then be judged anew.
    deps.logger.error({ requestId: ex.requestId, err }, 'keeping the answer for repeats failed');
  } finally {
    wake(ex.repeat.key);
  }
}

/** After a failure: forget the claim, so the same request is judged anew. */
export async function releaseRepeat(ex: Exchange, deps: GatewayDeps): Promise<void> {
  if (!ex.repeat) return;
  try {
    await deps.repeats.release(ex.repeat.key, ex.requestId);
  } catch (err) {
    deps.logger.error({ requestId: ex.requestId, err }, 'releasing a failed request\'s claim failed');
  } finally {
    wake(ex.repeat.key);
  }
}

function wake(key: string): void {
  const waiter = settled.get(key);
  settled.delete(key);
  waiter?.resolve();
}
