/**
 * Benchmark: how fast BMS provisions and returns bare-metal instances when the hardware takes
 * no time at all.
 *
 * What is measured, per round:
 *   provision  from the first RunInstances call until every launched instance is RUNNING →
 *              instances per second reaching RUNNING end to end (the signed API calls, the
 *              launch transactions, and each instance's provisioning task: power-off →
 *              build-raid → install-os → power-on → mark-running on the simulated hardware);
 *              also how long the RunInstances calls themselves took (first sent → last answered);
 *   return     from the first TerminateInstances call until none of them is listed any more →
 *              returns per second (power-off → wipe-disks → release, which gives the server
 *              back to the pool, so every round starts from the same fleet).
 * The launch fills the demo fleet: every free server of the standard flavors (378 of the 384;
 * the rest are the demo tenant's user-defined GPU flavor), in RunInstances calls of at most 100
 * instances of one flavor in one zone, in the demo VPC's BMS subnets (another /24 is created
 * through the vpc API when a zone's subnets lack addresses). All calls of a phase are sent at
 * once, as a client filling a fleet would. BENCH_INSTANCES caps how many are launched.
 *
 * Target (SPEC §12, "hundreds of provisionings per second at zero simulated delay"): at least
 * 50 instances per second provisioned end to end. Measured with the task engine at
 * BMS_WORKERS 64 (the default) and 128 (BENCH_WORKERS, default "64,128"), each on a fresh BMS.
 * There is no same-run baseline for provisioning: OpenStack Ironic's figure (SPEC §12: 100
 * nodes deployed with fake drivers in ≈ 26–31 s on a machine like ours) is printed beside
 * ours as a reference, NOT measured here.
 *
 * How: BMS runs in a child process (SQLite in a temporary folder, the demo cloud,
 * BMS_SIM_TIME_SCALE=0 so the simulated datacenter never waits, access log off, per-account
 * rate limits raised to 100,000/s by operator override); this process makes the signed API calls
 * and asks the child over IPC, every 25 ms, how many of the launched instances are in which
 * state (one indexed query). BENCH_ROUNDS rounds (default 3); the MEDIAN is reported.
 *
 * Run: `npm run bench:provision`. BENCH_CPU_PROF=1 writes a V8 CPU profile of each BMS process
 * and prints its hottest functions. This is a measurement, not a test: it exits 0 whether the
 * target is met or not.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, cpuProfileFlags, serveParent, startChild, stopChild, type Child } from './support/child.ts';
import { startBenchBms } from './support/bms-servers.ts';
import { printHotFunctions, profileOf } from './support/cpu-profile.ts';
import { MAX_PER_CALL, planLaunch, type FreeServers, type LaunchPlan } from './support/launch-plan.ts';
import { BMS_API, callApi, closeApiConnections } from './support/signed-api.ts';
import { fmt, mb, median, positiveInt, positiveInts, sleep, verdict } from './support/stats.ts';

const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const WORKERS = positiveInts('BENCH_WORKERS', [64, 128]);
const LIMIT = positiveInt('BENCH_INSTANCES', 100_000);
const TARGET_PER_SECOND = 50;
const PHASE_TIMEOUT_MS = 180_000;
const POLL_MS = 25;
const NAME = 'bench-provision';
const PASSWORD = 'Bench#2026pw';
const PROFILE = process.env.BENCH_CPU_PROF === '1';
const PROFILE_DIR = join(tmpdir(), 'bms-bench-profiles');
const IRONIC = { nodes: 100, seconds: [26, 31] };

// ---------------------------------------------------------------------------------------------
// The BMS child.

type Progress = Record<string, number>;

async function serveBms(): Promise<void> {
  const { bms, stop, orphaned } = await startBenchBms({ BMS_DEMO: '1', BMS_SIM_TIME_SCALE: '0', BMS_WORKERS: process.env.BMS_WORKERS });
  const db = bms.store.db;
  const { SecretId, SecretKey, Region, accountUin } = bms.credentials.demo;
  serveParent({ ...bms.edge.address, credentials: { SecretId, SecretKey, Region } }, {
    /** Waits until no task is running (nor holding a server lock). */
    settle: async () => {
      for (let i = 0; i < PHASE_TIMEOUT_MS / 50; i++) {
        const [task, lock] = await Promise.all([
          db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').limit(1).execute(),
          db.selectFrom('locks').select('name').limit(1).execute(),
        ]);
        if (task.length === 0 && lock.length === 0) return;
        await sleep(50);
      }
      throw new Error('tasks still running');
    },
    /** Free servers of each standard flavor per zone. */
    pool: async (): Promise<FreeServers[]> => (await db.selectFrom('servers').innerJoin('flavors', 'flavors.id', 'servers.flavor_id')
      .select(['servers.zone', 'servers.flavor_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('servers.state', '=', 'available').where('flavors.user_defined', '=', 0)
      .groupBy(['servers.zone', 'servers.flavor_id']).execute()).map((r) => ({ zone: r.zone, flavorId: r.flavor_id!, free: Number(r.n) })),
    /** How many of the bench's listed instances are in each state. */
    progress: async (): Promise<Progress> => Object.fromEntries((await db.selectFrom('instances')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('account_uin', '=', accountUin).where('name', '=', NAME).where('deleted_at', 'is', null)
      .groupBy('status').execute()).map((r) => [r.status, Number(r.n)])),
    memory: () => process.memoryUsage(),
  }, { stop, orphaned });
}

// ---------------------------------------------------------------------------------------------
// One round.

interface Round {
  instances: number;
  /** RunInstances: first sent → last answered; then until all RUNNING. */
  launchApiMs: number;
  provisionMs: number;
  terminateApiMs: number;
  returnMs: number;
  failed: number;
}

async function round(bms: Child, plan: LaunchPlan, tag: string): Promise<Round> {
  const creds = bms.ready.credentials!;
  const t0 = performance.now();
  const launched = await Promise.all(plan.batches.map((b, i) =>
    callApi<{ BmsId: string[] }>(bms.ready, creds, BMS_API('RunInstances'), { ...b.params, ClientToken: `${tag}-${i}` })));
  const launchApiMs = performance.now() - t0;
  const ids = launched.flatMap((r) => r.response.BmsId);
  const settled = await waitFor(bms, (p) => (p.RUNNING ?? 0) + (p.CREATE_FAILED ?? 0) >= ids.length, 'every instance RUNNING');
  const provisionMs = performance.now() - t0;
  const failed = settled.CREATE_FAILED ?? 0;

  const t1 = performance.now();
  await Promise.all(chunks(ids, MAX_PER_CALL).map((batch) => callApi(bms.ready, creds, BMS_API('TerminateInstances'), { InstanceIds: batch })));
  const terminateApiMs = performance.now() - t1;
  await waitFor(bms, (p) => Object.values(p).every((n) => n === 0), 'no instance listed');
  const returnMs = performance.now() - t1;
  const listed = await callApi<{ TotalCount: number }>(bms.ready, creds, BMS_API('DescribeInstances'), { Filters: [{ Name: 'instance-name', Values: [NAME] }] });
  if (listed.response.TotalCount !== 0) throw new Error(`DescribeInstances still lists ${listed.response.TotalCount} returned instances`);
  await ask(bms, 'settle');
  return { instances: ids.length, launchApiMs, provisionMs, terminateApiMs, returnMs, failed };
}

async function waitFor(bms: Child, done: (p: Progress) => boolean, what: string): Promise<Progress> {
  const deadline = performance.now() + PHASE_TIMEOUT_MS;
  for (;;) {
    const p = await ask<Progress>(bms, 'progress');
    if (done(p)) return p;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(p)}`);
    await sleep(POLL_MS);
  }
}

const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

// ---------------------------------------------------------------------------------------------
// One worker setting: a fresh BMS, ROUNDS rounds.

interface Setting { workers: number; plan: LaunchPlan; rounds: Round[]; rss: number }

async function measureSetting(workers: number): Promise<Setting> {
  const started = Date.now();
  const bms = await startChild(fileURLToPath(import.meta.url), 'bms', {
    env: { BMS_WORKERS: String(workers) }, execArgv: PROFILE ? cpuProfileFlags(PROFILE_DIR) : [],
  });
  try {
    await ask(bms, 'settle'); // the demo hand-over
    const pool = await ask<FreeServers[]>(bms, 'pool');
    const plan = await planLaunch(bms.ready, bms.ready.credentials!, pool, { limit: LIMIT, name: NAME, password: PASSWORD });
    console.log(`\nBMS_WORKERS=${workers}: ${plan.instances} instances in ${plan.batches.length} RunInstances calls`
      + (plan.createdSubnets.length ? ` (created BMS subnets ${plan.createdSubnets.join(', ')})` : ' (the demo BMS subnets have room)'));
    const rounds: Round[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const x = await round(bms, plan, `bench-w${workers}-r${r}-${started}`);
      rounds.push(x);
      console.log(`  round ${r}  provision: API ${fmt(x.launchApiMs, 0)} ms, all RUNNING after ${fmt(x.provisionMs / 1000, 2)} s = ${fmt(perSecond(x.instances, x.provisionMs))}/s`
        + `   return: API ${fmt(x.terminateApiMs, 0)} ms, none listed after ${fmt(x.returnMs / 1000, 2)} s = ${fmt(perSecond(x.instances, x.returnMs))}/s`
        + (x.failed ? `   CREATE_FAILED ${x.failed}` : ''));
    }
    const { rss } = await ask<NodeJS.MemoryUsage>(bms, 'memory');
    return { workers, plan, rounds, rss };
  } finally {
    await stopChild(bms);
    const profile = PROFILE ? profileOf(PROFILE_DIR, bms.process.pid) : undefined;
    if (profile) printHotFunctions(profile);
  }
}

const perSecond = (n: number, ms: number) => (1000 * n) / ms;

// ---------------------------------------------------------------------------------------------
// Reporting.

function report(settings: Setting[]): void {
  console.log(`\nMedian of ${ROUNDS} round(s), SQLite, BMS_SIM_TIME_SCALE=0, rate limits raised to 100,000/s:\n`);
  console.log(`  ${'workers'.padEnd(9)}${'instances'.padStart(10)}${'launch API ms'.padStart(15)}${'to RUNNING s'.padStart(14)}${'provisioned/s'.padStart(15)}`
    + `${'return API ms'.padStart(15)}${'to gone s'.padStart(11)}${'returned/s'.padStart(12)}${'failed'.padStart(8)}${'RSS'.padStart(10)}`);
  for (const s of settings) {
    const m = (f: (r: Round) => number) => median(s.rounds.map(f));
    console.log(`  ${String(s.workers).padEnd(9)}${String(s.plan.instances).padStart(10)}${fmt(m((r) => r.launchApiMs), 0).padStart(15)}`
      + `${fmt(m((r) => r.provisionMs) / 1000, 2).padStart(14)}${fmt(m((r) => perSecond(r.instances, r.provisionMs))).padStart(15)}`
      + `${fmt(m((r) => r.terminateApiMs), 0).padStart(15)}${fmt(m((r) => r.returnMs) / 1000, 2).padStart(11)}`
      + `${fmt(m((r) => perSecond(r.instances, r.returnMs))).padStart(12)}${String(s.rounds.reduce((n, r) => n + r.failed, 0)).padStart(8)}${mb(s.rss).padStart(10)}`);
  }
  const [lo, hi] = IRONIC.seconds as [number, number];
  console.log(`\n  reference, NOT measured here: OpenStack Ironic (SPEC §12) deploys ${IRONIC.nodes} nodes with fake drivers in ≈ ${lo}–${hi} s`
    + ` ≈ ${fmt(IRONIC.nodes / hi)}–${fmt(IRONIC.nodes / lo)} nodes/s\n`);
  for (const s of settings) {
    const rate = median(s.rounds.map((r) => perSecond(r.instances, r.provisionMs)));
    const failed = s.rounds.reduce((n, r) => n + r.failed, 0);
    console.log(`  BMS_WORKERS=${String(s.workers).padEnd(4)} provisioned end to end ≥ ${TARGET_PER_SECOND}/s: ${verdict(rate >= TARGET_PER_SECOND)} (${fmt(rate)}/s)`
      + `   no CREATE_FAILED: ${verdict(failed === 0)}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`provisioning benchmark: RunInstances → RUNNING → TerminateInstances → gone, demo fleet, zero simulated delay, `
    + `BMS_WORKERS ${WORKERS.join(' and ')}, ${ROUNDS} round(s); rate limits raised to 100,000/s by operator override`);
  const settings: Setting[] = [];
  try {
    for (const w of WORKERS) settings.push(await measureSetting(w));
  } finally {
    closeApiConnections();
  }
  report(settings);
}

if (process.argv[2] === 'bms') await serveBms();
else {
  try {
    await main();
  } catch (e) {
    console.error('\nBENCHMARK FAILED:', e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
