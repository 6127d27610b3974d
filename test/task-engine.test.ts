/**
 * The durable task engine on its own: ordered steps with persisted progress, retries with
 * backoff, rescue steps after a final failure, a timeout per step, one task per server at a
 * time, and resumption by another worker after the first one died holding the lease.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { insertTasks, getTask } from '../src/store/repos/tasks.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { TaskEngine } from '../src/tasks/engine.ts';
import type { Flow } from '../src/tasks/flow.ts';
import { waitFor } from './support/cloud.ts';

let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'bms-engine-'));
before(async () => {
  store = await openStore({ dataDir: dir });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Deps { log: string[]; fail: Map<string, number>; block?: Promise<void>; active: Map<string, number>; overlap: number }
let nextId = 1;
const newDeps = (): Deps => ({ log: [], fail: new Map(), active: new Map(), overlap: 0 });

function step(name: string, timeoutMs = 60_000) {
  return {
    name, timeoutMs, retries: 2,
    async run(ctx: { task: { id: number; serverId: string | null }; deps: Deps }) {
      const { deps, task } = ctx;
      const server = task.serverId ?? '';
      deps.active.set(server, (deps.active.get(server) ?? 0) + 1);
      if (server && deps.active.get(server)! > 1) deps.overlap += 1;
      try {
        deps.log.push(`${task.id}:${name}`);
        if (name === 'block' && deps.block) await deps.block;
        await new Promise((r) => setTimeout(r, 2));
        const failures = deps.fail.get(name) ?? 0;
        if (failures > 0) {
          deps.fail.set(name, failures - 1);
          throw new Error(`${name} failed`);
        }
      } finally {
        deps.active.set(server, deps.active.get(server)! - 1);
      }
    },
  };
}

const flows: Record<string, Flow<Deps>> = {
  three: { name: 'three', steps: [step('a'), step('b'), step('c')], rescue: [step('undo')] },
  blocking: { name: 'blocking', steps: [step('a'), step('block'), step('c')] },
};

async function addTask(flow: string, serverId: string | null = null): Promise<number> {
  const id = nextId++;
  await insertTasks(store.db, [{ id, accountUin: '1', action: 'Test', flow, instanceId: null, serverId, context: {}, stepNames: flows[flow]!.steps.map((s) => s.name) }], Date.now());
  return id;
}

function engine(deps: Deps, leaseMs = 5_000) {
  return new TaskEngine<Deps>({ store, flows, deps, leaseMs, pollMs: 20, timeScale: 0, minStepTimeoutMs: 500 });
}

const finished = (id: number) => waitFor(`task ${id}`, () => getTask(store.db, id), (t) => t!.status !== 'RUNNING', 20_000, 10);

describe('task engine', () => {
  it('runs steps in order and records each as DONE', async () => {
    const deps = newDeps();
    const e = engine(deps);
    e.start();
    const id = await addTask('three');
    e.poke();
    const t = (await finished(id))!;
    await e.stop();
    assert.equal(t.status, 'SUCCESS');
    assert.deepEqual(deps.log, [`${id}:a`, `${id}:b`, `${id}:c`]);
    assert.deepEqual(t.steps.map((s) => [s.name, s.status, s.attempts]), [['a', 'DONE', 1], ['b', 'DONE', 1], ['c', 'DONE', 1]]);
  });

  it('retries a failing step and carries on when it recovers', async () => {
    const deps = newDeps();
    deps.fail.set('b', 2);
    const e = engine(deps);
    e.start();
    const id = await addTask('three');
    const t = (await finished(id))!;
    await e.stop();
    assert.equal(t.status, 'SUCCESS');
    assert.equal(t.steps[1]!.attempts, 3);
  });

  it('after the last retry, runs the rescue steps and ends FAILED with the error', async () => {
    const deps = newDeps();
    deps.fail.set('b', 99);
    const e = engine(deps);
    e.start();
    const id = await addTask('three');
    const t = (await finished(id))!;
    await e.stop();
    assert.equal(t.status, 'FAILED');
    assert.match(t.error!, /^b: b failed/);
    assert.deepEqual(t.steps.map((s) => [s.name, s.status]), [['a', 'DONE'], ['b', 'FAILED'], ['undo', 'DONE']]);
    assert.ok(!deps.log.includes(`${id}:c`));
  });

  it('never runs two tasks of one server at once', async () => {
    const deps = newDeps();
    const e = engine(deps);
    e.start();
    const ids = await Promise.all(Array.from({ length: 6 }, () => addTask('three', 'srv-1')));
    for (const id of ids) assert.equal((await finished(id))!.status, 'SUCCESS');
    await e.stop();
    assert.equal(deps.overlap, 0);
  });

  it('a task whose worker died resumes at its unfinished step on another worker once the lease expires', async () => {
    const dead = newDeps();
    let release!: () => void;
    dead.block = new Promise((r) => (release = r));
    const a = engine(dead, 300);
    a.start();
    const id = await addTask('blocking', 'srv-2');
    await waitFor('step block started', async () => dead.log, (l) => l.includes(`${id}:block`), 5_000, 10);
    // Worker A "dies": it stops renewing and never finishes (its step is blocked forever).
    (a as unknown as { stopped: boolean }).stopped = true;
    clearInterval((a as unknown as { timer: NodeJS.Timeout }).timer);
    const living = newDeps();
    const b = engine(living, 300);
    b.start();
    const t = (await finished(id))!;
    await b.stop();
    release();
    assert.equal(t.status, 'SUCCESS');
    assert.deepEqual(living.log, [`${id}:block`, `${id}:c`], 'B resumed at the unfinished step, not from the start');
  });

  it('a step that exceeds its timeout fails and is retried', async () => {
    const deps = newDeps();
    deps.block = new Promise(() => {}); // never resolves
    const e = new TaskEngine<Deps>({ store, flows, deps, pollMs: 20, timeScale: 0, minStepTimeoutMs: 50 });
    e.start();
    const id = await addTask('blocking');
    const t = (await finished(id))!;
    await e.stop();
    assert.equal(t.status, 'FAILED');
    assert.match(t.error!, /block: timed out/);
    assert.equal(t.steps[1]!.attempts, 3);
  });
});
