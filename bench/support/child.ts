/**
 * Bench support: each server under test runs in a child process, driven over IPC.
 *
 * The load generator (autocannon, in the parent) must never share an event loop with the
 * server it measures, so a bench forks itself with a role argument and the child starts one
 * server. The parent then asks the child for work with `ask(child, type, args)` — seed rows,
 * report memory, switch the access log — and the child answers each question through the
 * handlers it gave `serveParent`. `stopChild` asks it to close and waits for the exit (which
 * is also when `--cpu-prof` writes its profile). A child whose parent disappears cleans up
 * and exits, so an interrupted bench leaves no server behind.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Credentials } from './signed-api.ts';

/** What a child says once its server listens. */
export interface Ready {
  type: 'ready';
  host: string;
  port: number;
  credentials?: Credentials & { accountUin?: string };
}

interface Question { id: number; type: string; args?: unknown }
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface Child {
  role: string;
  process: ChildProcess;
  ready: Ready;
}

export interface ChildOptions {
  /** Extra environment of the child (added to the parent's). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  execArgv?: string[];
}

/** Forks `file` with `role` as its argument; resolves when the child reports `ready`. */
export function startChild(file: string, role: string, opts: ChildOptions = {}): Promise<Child> {
  const child = fork(file, [role], {
    execArgv: [...process.execArgv, ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env },
  });
  return new Promise((done, fail) => {
    const onExit = (code: number | null) => fail(new Error(`the ${role} child exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (msg: Ready) => {
      child.off('exit', onExit);
      if (msg.type === 'ready') done({ role, process: child, ready: msg });
      else fail(new Error(`the ${role} child sent ${JSON.stringify(msg)} before ready`));
    });
  });
}

let nextId = 1;

/** Asks the child a question; resolves with its answer, rejects with its error or when it exits. */
export function ask<T = unknown>(child: Child, type: string, args?: unknown): Promise<T> {
  return new Promise((done, fail) => {
    if (child.process.exitCode !== null || !child.process.connected) return fail(new Error(`the ${child.role} child is gone`));
    const id = nextId++;
    const onMessage = (msg: Answer) => {
      if (msg.id !== id) return;
      cleanup();
      if (msg.ok) done(msg.value as T);
      else fail(new Error(`${child.role} child, ${type}: ${msg.error}`));
    };
    const onExit = (code: number | null) => {
      cleanup();
      fail(new Error(`the ${child.role} child exited (code ${code}) while answering ${type}`));
    };
    const cleanup = () => {
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
    };
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
    child.process.send({ id, type, args } satisfies Question);
  });
}

/** Asks the child to stop and waits until it has exited (harmless if it is already gone). */
export function stopChild(child: Child | undefined): Promise<void> {
  return new Promise((done) => {
    if (!child || child.process.exitCode !== null || !child.process.connected) return done();
    child.process.once('exit', () => done());
    child.process.send({ id: 0, type: 'stop' } satisfies Question);
  });
}

export type Handlers = Record<string, (args: never) => unknown>;

/**
 * Child side: announces `ready`, then answers the parent's questions with `handlers`. On
 * "stop" runs `stop` and exits 0; when the parent goes away runs `orphaned` and exits 1.
 */
export function serveParent(ready: Omit<Ready, 'type'>, handlers: Handlers, lifecycle: { stop(): Promise<void>; orphaned(): void }): void {
  process.on('message', (msg: Question) => {
    if (msg.type === 'stop') {
      void lifecycle.stop().finally(() => process.exit(0));
      return;
    }
    const handler = handlers[msg.type];
    // With a callback, a parent gone meanwhile is an ignored error, not an uncaught EPIPE that
    // would skip the clean-up below.
    const answer = (a: Answer) => process.connected && process.send!(a, undefined, undefined, () => {});
    if (!handler) {
      answer({ id: msg.id, ok: false, error: `unknown question "${msg.type}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (value) => answer({ id: msg.id, ok: true, value: value ?? null }),
        (e: unknown) => answer({ id: msg.id, ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
      );
  });
  process.on('disconnect', () => {
    lifecycle.orphaned();
    process.exit(1);
  });
  process.send!({ type: 'ready', ...ready } satisfies Ready);
}

/** Node flags that make a child write a V8 CPU profile into `dir` when it exits. */
export const cpuProfileFlags = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`];

/**
 * A bench file's entry point: run as a child in one of its server roles (argv[2]), or as the
 * parent that measures — printing a failure plainly and exiting non-zero.
 */
export async function runBench(roles: Record<string, () => Promise<void>>, main: () => Promise<void>): Promise<void> {
  const serve = roles[process.argv[2] ?? ''];
  if (serve) return serve();
  try {
    await main();
  } catch (e) {
    console.error('\nBENCHMARK FAILED:', e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
