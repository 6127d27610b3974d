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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { bmcReadings } from '../src/monitoring/bmc-source.ts';
import { startPowerSync } from '../src/reconcile/power-sync.ts';
import { startBms } from '../src/server/app.ts';
import { serverAccess } from '../src/server/server-access.ts';

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
  process.on('message', async (m: { off?: boolean; rack?: Array<{ id: string; password: string }> }) => {
    if (m.off) for (const id of await sim.lab.listServers()) await sim.lab.pressPowerButton(id, 'off');
    for (const s of m.rack ?? []) {
      await sim.lab.addServer(s.id, {
        inventory: { sn: `SYNC-${s.id}`, cpuModel: 'Bench CPU', cpuCores: 32, cpuArch: 'X86', memoryGb: 256, disks: [{ type: 'SSD', sizeGb: 960 }], nicPorts: 2 },
        bmc: { address: `bmc-${s.id}.lab`, username: ADMIN.username, password: s.password },
      });
      await sim.lab.pressPowerButton(s.id, 'on');
    }
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
  await wholeSync(ask, address, rounds);
  proc.kill('SIGTERM');
}

/**
 * The whole power-state sync, as the service runs it: the lab's servers of a real BMS (SQLite)
 * re-pointed at the Redfish face in the child, each under a RUNNING instance, read by the real
 * sync loop through the service's own redfish driver (sessions in the store), with its store
 * writes (schedule, locks, observations) and, in the second variant, the BMC sensors stored as
 * metrics. CPU of this process per server visit; from it, the share of a core that 10,000
 * servers take at a given period.
 */
async function wholeSync(ask: (m: object) => Promise<void>, address: string, rounds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bms-bench-sync-'));
  const config = loadConfig({ BMS_PORT: '0', BMS_DATA_DIR: dir, BMS_SIM_TIME_SCALE: '0', BMS_POWER_SYNC_MS: '3600000', BMS_SIM_METRICS_MS: '0', BMS_ALARM_EVAL_MS: '0', BMS_METRICS_ROLLUP_MS: '3600000' });
  const bms = await startBms(config, { logger: pino({ level: 'silent' }) });
  try {
    const db = bms.store.db;
    const free = await db.selectFrom('servers').select(['id', 'zone', 'flavor_id']).where('state', '=', 'available').where('flavor_id', 'is not', null).orderBy('id').execute();
    const account = bms.credentials.demo.accountUin;
    const now = Date.now();
    const rack = free.map((f, i) => ({ id: f.id, password: `Sync-pass-${i}` }));
    await bms.store.transaction(async (tx) => {
      for (const [i, f] of free.entries()) {
        const iid = `bms-sy${String(i).padStart(6, '0')}`;
        await tx.insertInto('instances').values({
          id: iid, account_uin: account, zone: f.zone, flavor_id: f.flavor_id!, server_id: f.id, name: iid, host_name: iid, os_type: 'Linux', os_name: 'CentOS 7.9',
          cpu_arch: 'x86_64', raid_type: 'RAID0', status: 'RUNNING', vpc_id: 'vpc-sync', subnet_id: 'subnet-sync', private_ip: null, password_hash: null,
          enhanced_service: '{}', user_defined: 0, group_id: null, error: null, created_at: now, updated_at: now, deleted_at: null,
        }).execute();
        await tx.updateTable('servers').set({
          state: 'allocated', instance_id: iid, power_state: 'on', hardware_type: 'redfish', bmc_address: `${address}/redfish/v1/Systems/${f.id}`,
          bmc_username: ADMIN.username, bmc_password_enc: bms.box.seal(rack[i]!.password, f.id),
        }).where('id', '=', f.id).execute();
      }
    });
    await ask({ rack });
    const servers = serverAccess(bms.store, bms.box, { sim: bms.sim, redfish: bms.redfish });
    const clock = { ms: Date.now() };
    const variants = [
      { name: 'power state only      ', onReadings: undefined },
      { name: 'power state + sensors ', onReadings: bmcReadings(bms.store) },
    ];
    console.log(`\nwhole power sync (store, locks, schedule, observations; redfish driver → the face), ${free.length} servers, ${rounds} rounds (medians)`);
    for (const v of variants) {
      const sync = startPowerSync({ store: bms.store, servers, owner: 'bench', clock: () => clock.ms, logger: pino({ level: 'silent' }), intervalMs: 10_000, ...(v.onReadings ? { onReadings: v.onReadings } : {}) });
      clock.ms += 10_000;
      await sync.runOnce(); // sessions and discovery, once
      const perVisit: number[] = [];
      const wall: number[] = [];
      for (let r = 0; r < rounds; r += 1) {
        clock.ms += 10_000;
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await sync.runOnce();
        wall.push(ms(t0));
        const c = process.cpuUsage(cpu0);
        perVisit.push((c.user + c.system) / free.length);
      }
      sync.stop();
      const us = median(perVisit);
      const share = (periodS: number) => ((10_000 / periodS) * us) / 1e6 * 100;
      console.log(`  ${v.name} ${us.toFixed(0)} µs CPU per server (pass of ${free.length}: ${median(wall).toFixed(0)} ms) → 10,000 servers: ${share(10).toFixed(1)} % of a core every 10 s, ${share(60).toFixed(1)} % every 60 s, ${share(300).toFixed(2)} % every 300 s (target < 2 %)`);
    }
  } finally {
    await bms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') void child();
else void parent();
