/**
 * How long the simulated hardware takes.
 *
 * Each step lasts what it lasts on a real server (`REAL_SECONDS`: a power-on with POST is
 * ~20 s, an OS install ~20 min), multiplied by the lab's time scale: 1 is real time, 1/60
 * turns a ~25 min provisioning into ~25 s, and 0 removes every delay — not even a
 * `setTimeout(0)` is scheduled, so a zero-delay lab provisions hundreds of servers a second.
 *
 * `sleep` and `clock` are injected so tests can observe the waits without waiting. A step may
 * be cut short (`fraction`): a failing install gives up half-way, after writing to the disks.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Real-hardware durations, in seconds. */
export const REAL_SECONDS = {
  readPowerState: 0.5,
  readSensors: 0.5,
  powerOn: 20,
  powerOff: 20,
  reboot: 60,
  setBootDevice: 2,
  bmcAccount: 2,
  readInventory: 5,
  buildRaid: 120,
  installOs: 1200,
  wipeAll: 300,
  wipeSystem: 60,
  setVlan: 1,
} as const;

export type SimStep = keyof typeof REAL_SECONDS;

export type Sleep = (ms: number) => Promise<void>;
export type Clock = () => number;

export interface TimingOptions {
  /** Multiplier of the real durations; 0 = no delay at all. Default 1 (real time). */
  timeScale?: number;
  /** Waits `ms` milliseconds (default: a timer). Never called for a zero wait. */
  sleep?: Sleep;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: Clock;
}

export class SimTiming {
  readonly scale: number;
  readonly now: Clock;
  private readonly sleep: Sleep;

  constructor(options: TimingOptions = {}) {
    const scale = options.timeScale ?? 1;
    if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`timeScale must be a finite number ≥ 0, got ${scale}`);
    this.scale = scale;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.now = options.clock ?? Date.now;
  }

  /** The scaled duration of `step` (or of `fraction` of it), in milliseconds. */
  durationOf(step: SimStep, fraction = 1): number {
    return REAL_SECONDS[step] * 1000 * fraction * this.scale;
  }

  /** Lets `step` (or `fraction` of it) elapse. Resolves without scheduling anything at scale 0. */
  async pass(step: SimStep, fraction = 1): Promise<void> {
    const ms = this.durationOf(step, fraction);
    if (ms > 0) await this.sleep(ms);
  }
}
