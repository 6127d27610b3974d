/**
 * Bench support: the hottest functions of a V8 CPU profile (`node --cpu-prof`).
 *
 * A `.cpuprofile` is a call tree (nodes with a call frame and children) plus the sampled node
 * of every tick and the time between ticks. Self time of a function is the time of the samples
 * that landed in it; total time also counts every sample with the function anywhere on the
 * stack (once per sample, so recursion is not counted twice). Both are summed over every node
 * of the same function (name, file, line, column).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface HotFunction { name: string; where: string; selfMs: number; totalMs: number; selfShare: number }

/**
 * The main-thread profile written by process `pid` into `dir`, or undefined. (`--cpu-prof` names
 * files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; under tsx the ESM loader runs on
 * thread 1 and writes its own profile, which is not the server's.)
 */
export function profileOf(dir: string, pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const file = readdirSync(dir).find((f) => new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.0\\.\\d+\\.cpuprofile$`).test(f));
    return file ? join(dir, file) : undefined;
  } catch {
    return undefined;
  }
}

export function hotFunctions(file: string, top = 15): { functions: HotFunction[]; sampledMs: number; idleMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${where(f)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampledMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampledMs += ms;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') idleMs += ms;
    self.set(key(frame), (self.get(key(frame)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = key(byId.get(n)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  });
  const busy = Math.max(1e-9, sampledMs - idleMs);
  const functions = [...self.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, ms]) => {
      const [name, at] = k.split('\u0000') as [string, string];
      return { name, where: at, selfMs: ms, totalMs: total.get(k) ?? ms, selfShare: ms / busy };
    });
  return { functions, sampledMs, idleMs };
}

function where(f: CallFrame): string {
  if (!f.url) return '';
  const path = f.url.startsWith('file://') ? relative(process.cwd(), new URL(f.url).pathname) : f.url;
  // Line and column of the code V8 ran: for TypeScript loaded through tsx that is the compiled text, not the source.
  return `${path}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
}

/** Prints the top self-time functions of `file`, one line each. */
export function printHotFunctions(file: string, top = 15): void {
  const { functions, sampledMs, idleMs } = hotFunctions(file, top);
  console.log(`\n  CPU profile ${file}`);
  console.log(`  sampled ${(sampledMs / 1000).toFixed(1)} s, of which idle ${(idleMs / 1000).toFixed(1)} s; hottest functions by self time (share of busy time):`);
  for (const f of functions) {
    console.log(`    ${(100 * f.selfShare).toFixed(1).padStart(5)}%  self ${f.selfMs.toFixed(0).padStart(6)} ms  total ${f.totalMs.toFixed(0).padStart(6)} ms  ${f.name}  ${f.where}`);
  }
}
