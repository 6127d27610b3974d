/**
 * Benchmark: the `redfish` driver against the lab's Redfish face at zero simulated delay.
 *
 * What is measured, per round (BENCH_ROUNDS, default 5; medians reported):
 *   power-ons   100 servers powered on at once through the redfish driver (each: read the
 *               system, POST ComputerSystem.Reset On, read until On) — target ≤ 1 s
 *               (Ironic's fake driver: ~7 s, SPEC §12; a reference, not measured here);
 *   reads       1,000 power-state reads (10 × the 100 servers, 100 at a time), with the CPU
 *               time this process (the driver side only) spent on them;
 *   baseline    the same 100 power-ons and 1,000 reads through the sim driver directly (no
 *               HTTP, no Redfish), in this process, in the same run: the ratio is the cost of
 *               speaking Redfish.
 * From the reads' CPU: the driver-side cost of a power sync of 10,000 servers every
 * BMS_POWER_SYNC_MS (10 s) as % of one core — target < 2 %. (The sync loop's own database work
 * per server is not part of this figure.)
 *
 * How: the face and its simulated datacenter run in a child process (so their CPU is not
 * counted here), in memory, BMS_SIM_TIME_SCALE 0. Run: `npm run bench:redfish`. A measurement,
 * not a test: it exits 0 whether the targets are met or not.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerTarget } from '../src/drivers/interfaces/hardware.ts';
import { createRedfishDriver } from '../src/drivers/redfish/index.ts';
import { createSimDriver, type SimDriver } from '../src/drivers/sim/index.ts';
import { RedfishFace } from '../src/drivers/sim/redfish-face.ts';

const SERVERS = 100;
const ADMIN = { username: 'admin' };

async function rackAll(sim: SimDriver): Promise<Array<{ id: string; sn: string; password: string }>> {
  const out = [];
  for (let i = 0; i < SERVERS; i += 1) {
    const id = `srv-b${String(i).padStart(7, '0')}`;
    const sn = `BENCH${i}`;
    const password = `Bench-pass-${i}`;
    await sim.lab.addServer(id, {
      inventory: { sn, cpuModel: 'Bench CPU', cpuCores: 32, cpuArch: 'X86', memoryGb: 256, disks: [{ type: 'SSD', sizeGb: 960 }], nicPorts: 2 },
      bmc: { address: `bmc-${id}.lab`, username: ADMIN.username, password },
    });
    out.push({ id, sn, password });
  }
  return out;
}

async function child(): Promise<void> {
  const sim = createSimDriver({ timeScale: 0 });
  await rackAll(sim);
  const face = await new RedfishFace({ sim, sessionLimit: 1000 }).start();
  process.send!({ address: face.address });
  process.on('message', async (m: { off?: boolean }) => {
    if (m.off) for (const id of await sim.lab.listServers()) await sim.lab.pressPowerButton(id, 'off');
    process.send!({ ok: true });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function parent(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const proc = fork(fileURLToPath(import.meta.url), ['child'], { stdio: 'inherit' });
  const next = () => new Promise<Record<string, unknown>>((r) => proc.once('message', (m) => r(m as Record<string, unknown>)));
  const { address } = (await next()) as { address: string };
  const ask = async (m: object) => {
    const reply = next();
    proc.send(m);
    await reply;
  };
  const driver = createRedfishDriver({ overrides: { pollMs: 1 } });
  const servers = Array.from({ length: SERVERS }, (_, i) => ({ id: `srv-b${String(i).padStart(7, '0')}`, sn: `BENCH${i}`, password: `Bench-pass-${i}` }));
  const targets: ServerTarget[] = servers.map((s) => ({ serverId: s.id, sn: s.sn, bmc: { address: `${address}/redfish/v1/Systems/${s.id}`, username: ADMIN.username, password: s.password } }));
  // The in-process baseline: the same hardware through the sim driver, no HTTP.
  const sim = createSimDriver({ timeScale: 0 });
  await rackAll(sim);
  const simTargets: ServerTarget[] = servers.map((s) => ({ serverId: s.id, sn: s.sn, bmc: { address: `bmc-${s.id}.lab`, username: ADMIN.username, password: s.password } }));

  await Promise.all(targets.map((t) => driver.power.getPowerState(t))); // sessions and discovery, once
  const results = { on: [] as number[], reads: [] as number[], cpuPerReadUs: [] as number[], simOn: [] as number[], simReads: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    await ask({ off: true });
    let t0 = process.hrtime.bigint();
    await Promise.all(targets.map((t) => driver.power.setPowerState(t, 'on')));
    results.on.push(ms(t0));
    const cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    for (let i = 0; i < 10; i += 1) await Promise.all(targets.map((t) => driver.power.getPowerState(t)));
    results.reads.push(ms(t0));
    const cpu = process.cpuUsage(cpu0);
    results.cpuPerReadUs.push((cpu.user + cpu.system) / 1000);

    for (const s of servers) await sim.lab.pressPowerButton(s.id, 'off');
    t0 = process.hrtime.bigint();
    await Promise.all(simTargets.map((t) => sim.power.setPowerState(t, 'on')));
    results.simOn.push(ms(t0));
    t0 = process.hrtime.bigint();
    for (let i = 0; i < 10; i += 1) await Promise.all(simTargets.map((t) => sim.power.getPowerState(t)));
    results.simReads.push(ms(t0));
  }
  const on = median(results.on);
  const reads = median(results.reads);
  const perRead = median(results.cpuPerReadUs);
  const syncPct = (perRead * 10_000) / (10_000 * 1000) * 100; // µs per read × 10k reads per 10 s
  const f = (n: number) => n.toFixed(1);
  console.log(`redfish driver against the lab Redfish face, zero delay, ${rounds} rounds (medians)`);
  console.log(`  100 power-ons          ${f(on)} ms   (target ≤ 1000 ms; sim driver in-process ${f(median(results.simOn))} ms, ratio ${f(on / median(results.simOn))}×; Ironic fake driver ~7000 ms, reference)`);
  console.log(`  1,000 power reads      ${f(reads)} ms   (${f((1000 / reads) * 1000)} reads/s; sim in-process ${f(median(results.simReads))} ms, ratio ${f(reads / median(results.simReads))}×)`);
  console.log(`  driver CPU per read    ${f(perRead)} µs`);
  console.log(`  power sync, 10,000 servers every 10 s: ${syncPct.toFixed(2)} % of a core on the driver side (target < 2 %)`);
  driver.close();
  sim.close();
  proc.kill('SIGTERM');
}

if (process.argv[2] === 'child') void child();
else void parent();
