/**
 * The front door of every simulated server: what happens before an operation does anything.
 *
 * A call to a real server goes through its BMC, and the BMC can refuse it in several ways. The
 * lab checks them in the order a real call meets them:
 *
 * 1. the call is registered as in flight (the one-operation-per-BMC check, `exclusivity.ts`);
 * 2. is the server cabled at all? No state → nothing answers → `unreachable`;
 * 3. does a BMC answer at that address? A wrong address in the store → `unreachable`;
 * 4. injected faults that strike every call: `bmc-unreachable`, then `hang`;
 * 5. authentication: the target's credentials must be those of an account (`failed`,
 *    'BMC authentication failed'), whose role allows the operation, on the server with the
 *    expected serial number — so wrong credentials or a mixed-up SN in the store are caught
 *    as on real hardware. Switch operations skip this step: the switch does not know the BMC.
 *
 * Then the operation's body runs with a `SimCall`: the state as admitted, a way to let time
 * pass, to ask whether an operation-specific fault fires, and to change the state.
 */
import { DriverError, type ServerTarget } from '../interfaces/hardware.ts';
import { fire, strikes, type SimFaultKind } from './faults.ts';
import type { HungCalls } from './hangs.ts';
import type { InFlightCalls } from './exclusivity.ts';
import { mayPerform, OPERATIONS, type SimOperation } from './operations.ts';
import { passwordMatches, type SimServerState } from './state.ts';
import type { SimRecord, SimStateStore } from './state-store.ts';
import type { SimStep, SimTiming } from './timing.ts';

/** What an operation's body works with. */
export interface SimCall {
  readonly serverId: string;
  readonly operation: SimOperation;
  /** The state when the call was admitted. */
  readonly state: Readonly<SimServerState>;
  /** Lets `step` (or `fraction` of it) elapse, scaled. */
  pass(step: SimStep, fraction?: number): Promise<void>;
  /**
   * Whether a fault of `kind` strikes this call (a counted fault is used up). Faults are those
   * of the server when the call was admitted: one injected later strikes the next call.
   */
  faultFires(kind: SimFaultKind): Promise<boolean>;
  /** Applies `change` to the current state and saves it; returns the new state. */
  change(change: (state: SimServerState) => void): Promise<SimServerState>;
  /** The current state (re-read only if time has passed since it was last read or changed). */
  current(): Promise<SimServerState>;
  /** A DriverError `failed` for this call. */
  failure(message: string): DriverError;
}

export interface SimBmcDeps {
  store: SimStateStore;
  timing: SimTiming;
  inFlight: InFlightCalls;
  hangs: HungCalls;
}

export class SimBmc {
  constructor(private readonly deps: SimBmcDeps) {}

  /** Runs `body` as `operation` on the server of `target`, behind the checks above. */
  async call<T>(target: ServerTarget, operation: SimOperation, body: (call: SimCall) => Promise<T>): Promise<T> {
    const leave = this.deps.inFlight.enter(target.serverId, operation);
    try {
      const record = await this.admit(target, operation, leave);
      return await body(this.callOn(target.serverId, operation, record));
    } finally {
      leave();
    }
  }

  private async admit(target: ServerTarget, operation: SimOperation, leave: () => void): Promise<SimRecord> {
    const { serverId } = target;
    const record = await this.deps.store.load(serverId);
    if (!record) throw new DriverError('unreachable', operation, `no BMC answers for server ${serverId}: it is not cabled`);
    const { state } = record;
    if (state.bmc.address !== target.bmc.address) {
      throw new DriverError('unreachable', operation, `no BMC of server ${serverId} answers at ${target.bmc.address}`);
    }
    if (await this.fires(record, serverId, 'bmc-unreachable', operation)) {
      throw new DriverError('unreachable', operation, `the BMC of server ${serverId} at ${state.bmc.address} does not answer`);
    }
    if (await this.fires(record, serverId, 'hang', operation)) {
      leave();
      return this.deps.hangs.hang(serverId, operation);
    }
    if (OPERATIONS[operation].privilege !== null) authenticate(state, target, operation);
    return record;
  }

  /** Fires a fault of `kind` for `operation`, writing only when the loaded record has one that could. */
  private async fires(record: SimRecord, serverId: string, kind: SimFaultKind, operation: SimOperation): Promise<boolean> {
    if (!record.faults.some((f) => f.kind === kind && strikes(f, operation))) return false;
    let fired = false;
    await this.deps.store.updateFaults(serverId, (faults) => {
      const outcome = fire(faults, kind, operation);
      fired = outcome.fired;
      return outcome.rest;
    });
    return fired;
  }

  private callOn(serverId: string, operation: SimOperation, record: SimRecord): SimCall {
    const { store, timing } = this.deps;
    let latest = record.state;
    let stale = false; // time has passed since `latest` was read: someone may have pressed a button
    const gone = () => new DriverError('unreachable', operation, `server ${serverId} was un-cabled during ${operation}`);
    const known = (state: SimServerState | undefined) => {
      if (!state) throw gone();
      stale = false;
      return (latest = state);
    };
    return {
      serverId,
      operation,
      state: record.state,
      pass: async (step, fraction) => {
        stale ||= timing.durationOf(step, fraction) > 0;
        await timing.pass(step, fraction);
      },
      faultFires: (kind) => this.fires(record, serverId, kind, operation),
      change: async (change) => known(await store.updateState(serverId, change)),
      current: async () => (stale ? known((await store.load(serverId))?.state) : latest),
      failure: (message) => new DriverError('failed', operation, message),
    };
  }
}

function authenticate(state: SimServerState, target: ServerTarget, operation: SimOperation): void {
  const account = state.bmc.accounts.find((a) => a.username === target.bmc.username);
  if (!account || !passwordMatches(account, target.bmc.password)) {
    throw new DriverError('failed', operation, 'BMC authentication failed');
  }
  if (!mayPerform(account.role, operation)) {
    throw new DriverError('failed', operation, `BMC account ${account.username} (${account.role}) may not perform ${operation}`);
  }
  if (state.inventory.sn !== target.sn) {
    throw new DriverError('failed', operation, `the BMC at ${state.bmc.address} reports serial number ${state.inventory.sn}, not ${target.sn}`);
  }
}
