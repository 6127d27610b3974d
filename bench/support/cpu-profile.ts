/**
 * Bench support: the hottest functions of a V8 CPU profile (`node --cpu-prof`).
 *
 * A `.cpuprofile` is a call tree (nodes with a call frame and children) plus the sampled node
 * of every tick and the time between ticks. Self time of a function is the time of the samples
 * that landed in it; total time also counts every sample with the function anywhere on the
 * stack (once per sample, so recursion is not counted twice). Both are summed over every node
 * of the same function (name, file, line).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface HotFunction { name: string; where: string; selfMs: number; totalMs: number; selfShare: number }

/** The newest `.cpuprofile` in `dir` written after `since` (ms), or undefined. */
export function newestProfile(dir: string, since: number): string | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  } catch {
    return undefined;
  }
  return files.filter((f) => statSync(f).mtimeMs >= since).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
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
  return `${path}:${f.lineNumber + 1}`;
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
