/**
 * The simulated datacenter's in-band metrics: every RUNNING instance on a simulated server
 * reports a sample every 10 s through the same ingest path as a real agent — a daily pattern
 * (busier in the Beijing afternoon), noise, and load bursts of ten minutes now and then, sized
 * by the server's memory; WAN traffic only for instances with an EIP. A STOPPED instance
 * reports nothing. The values are a pure function of (instance, time), so a replayed slot
 * produces the same sample and a restart continues the same curve.
 */
import type { Store } from '../store/store.ts';
import { ingest, type IncomingBatch, type IncomingSample } from './ingest.ts';
import { seededUnit as unit } from '../shared/seeded-random.ts';
import { LAB_HARDWARE_TYPE } from '../drivers/lab.ts';
import { runningInstancesOn } from '../store/repos/instances.ts';

export interface SimInstance {
  id: string;
  memoryGb: number;
  cpuCores: number;
  hasEip: boolean;
}

export function simSample(inst: SimInstance, tsS: number): IncomingSample {
  const slot = Math.floor(tsS / 10);
  const character = unit(inst.id, 0); // how busy this machine is in general
  const hourBeijing = ((tsS / 3600) + 8) % 24;
  const daily = 0.5 + 0.5 * Math.sin(((hourBeijing - 9) / 24) * 2 * Math.PI); // peak mid afternoon
  const burst = unit(inst.id, Math.floor(tsS / 600) + 1e6) < 0.06 ? 1 + 2 * unit(inst.id, Math.floor(tsS / 600) + 2e6) : 1;
  const noise = (k: number) => unit(inst.id, slot * 16 + k) - 0.5;
  const cpu = clamp((8 + 30 * character + 25 * daily) * burst + 6 * noise(1), 0.5, 100);
  const totalMb = inst.memoryGb * 1024;
  const memPct = clamp(25 + 35 * character + 10 * daily + (burst > 1 ? 8 : 0) + 1.5 * noise(2), 3, 98);
  const lanIn = Math.max(0, (20 + 400 * character * daily) * burst * (1 + 0.3 * noise(3)));
  const lanOut = Math.max(0, lanIn * (0.6 + 0.2 * unit(inst.id, 7)) * (1 + 0.3 * noise(4)));
  const values: Record<string, number> = {
    CpuUsage: round(cpu, 2),
    MemUsage: round(memPct, 2),
    MemUsed: Math.round((memPct / 100) * totalMb),
    LanIntraffic: round(lanIn, 3),
    LanOuttraffic: round(lanOut, 3),
    LanInpkg: round((lanIn * 1e6) / 8 / 900, 1),
    LanOutpkg: round((lanOut * 1e6) / 8 / 900, 1),
    TcpCurrEstab: Math.round((40 + 900 * character * daily) * burst * (1 + 0.2 * noise(5))),
  };
  if (inst.hasEip) {
    values.WanIntraffic = round(Math.max(0, (1 + 8 * daily) * burst * (1 + 0.4 * noise(6))), 3);
    values.WanOuttraffic = round(Math.max(0, (2 + 15 * daily * character) * burst * (1 + 0.4 * noise(7))), 3);
  }
  return { ts: slot * 10, values };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

export async function runningSimInstances(store: Store): Promise<SimInstance[]> {
  return runningInstancesOn(store.db, LAB_HARDWARE_TYPE);
}

export interface SimSource {
  /**
   * Pushes the sample of the current 10 s slot for every running simulated instance (or of the
   * slot at `atMs`, still judged by the clock's now — a test filling the past hours).
   */
  runOnce(atMs?: number): Promise<number>;
  stop(): void;
}

export function startSimSource(o: { store: Store; clock: () => number; logger: { warn(o: object, m?: string): void }; intervalMs?: number }): SimSource {
  const runOnce = async (atMs?: number) => {
    const now = o.clock();
    const at = Math.floor((atMs ?? now) / 1000);
    const instances = await runningSimInstances(o.store);
    const batches: IncomingBatch[] = instances.map((inst) => ({ instanceId: inst.id, source: 'agent', samples: [simSample(inst, at)] }));
    if (batches.length === 0) return 0;
    return (await ingest(o.store, batches, now)).accepted;
  };
  const every = o.intervalMs ?? 10_000;
  const timer = every > 0 ? setInterval(() => void runOnce().catch((err) => o.logger.warn({ err }, 'simulated metrics failed')), every) : undefined;
  timer?.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
