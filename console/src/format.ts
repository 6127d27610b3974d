import type { Lang } from './i18n.ts';

export const TRANSIENT = new Set(['PENDING', 'STOPPING', 'STARTING', 'REBOOTING', 'RESETTING', 'TERMINATING']);
/** Expected durations on real hardware (minutes): past these a transient status is reported as stuck. */
export const EXPECTED_MINUTES: Record<string, number> = { PENDING: 30, STOPPING: 10, STARTING: 10, REBOOTING: 10, RESETTING: 30, TERMINATING: 30 };

export const STATUS_COLOR: Record<string, string> = {
  RUNNING: '#2ba471', STOPPED: '#6b7280', LAUNCH_FAILED: '#c9353f', FAILED: '#c9353f', SUCCESS: '#2ba471',
};

export function formatTime(iso: string | undefined | null, lang: Lang): string {
  if (!iso) return '-';
  const d = new Date(iso.includes('T') ? iso : iso.replace(' ', 'T') + (iso.endsWith('Z') ? '' : 'Z'));
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang, { hour12: false });
}

export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
