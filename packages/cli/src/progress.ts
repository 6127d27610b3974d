/**
 * --wait's progress display. On a terminal: one line per instance, redrawn in place — status,
 * a bar, the current step (n/m), elapsed time and ETA. Elsewhere (a pipe, a log file, CI): a
 * plain line whenever an instance's status or step changes, nothing redrawn.
 */
import type { InstanceProgress } from '../../sdk/src/waiters.ts';

const clock = (ms: number | undefined) => {
  if (ms === undefined) return '--:--';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function describe(p: InstanceProgress, tty: boolean): string {
  const t = p.task;
  const parts = [p.instanceId.padEnd(12), p.status.padEnd(11)];
  if (t) {
    const pct = Math.max(0, Math.min(100, t.progress));
    if (tty) parts.push(`[${'#'.repeat(Math.round(pct / 5)).padEnd(20, '.')}] ${String(pct).padStart(3)}%`);
    else parts.push(`${pct}%`);
    if (t.step) parts.push(`step ${t.stepIndex}/${t.steps} ${t.step}`);
    parts.push(`elapsed ${clock(t.elapsedMs)}`, `ETA ${p.done ? '0:00' : clock(t.etaMs)}`);
    if (t.error) parts.push(`error: ${t.error}`);
  }
  if (p.done) parts.push('done');
  return parts.join('  ');
}

export interface ProgressView {
  update(progress: InstanceProgress[]): void;
  finish(): void;
}

export function progressView(stream: NodeJS.WriteStream, label: string): ProgressView {
  const tty = !!stream.isTTY;
  let drawn = 0;
  const last = new Map<string, string>();
  stream.write(`${label}\n`);
  return {
    update(progress) {
      if (tty) {
        const lines = progress.map((p) => describe(p, true).slice(0, Math.max(20, (stream.columns || 120) - 1)));
        let out = drawn > 0 ? `\x1b[${drawn}A` : '';
        for (const l of lines) out += `\r\x1b[2K${l}\n`;
        stream.write(out);
        drawn = lines.length;
        return;
      }
      for (const p of progress) {
        const key = `${p.status}|${p.task?.step ?? ''}|${p.done}`;
        if (last.get(p.instanceId) === key) continue;
        last.set(p.instanceId, key);
        stream.write(`${describe(p, false)}\n`);
      }
    },
    finish() {},
  };
}
