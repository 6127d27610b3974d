/**
 * Where the master key comes from: `BMS_MASTER_KEY`, or a key file in the data folder.
 *
 * On first start without `BMS_MASTER_KEY`, 32 random bytes are written to
 * `<dataDir>/master.key` with mode 0600. Losing that file makes every stored secret
 * unreadable: operators should back it up, or supply the key from their secret manager.
 *
 * Keys that only open (never seal) — what a master key rotation needs, see rotate-master-key.ts:
 *   - `BMS_PREVIOUS_MASTER_KEYS` (comma-separated key material),
 *   - `<dataDir>/master.key.previous` (one key per line: the keys rotated away from),
 *   - `<dataDir>/master.key.next` (the key a rotation in progress re-seals secrets with).
 * A running server re-reads the files when they change (`keepMasterKeysFresh`) and whenever it
 * meets a secret sealed with a key it has not loaded, so it keeps opening every secret while a
 * rotation runs beside it, and seals with the new key once `master.key` is swapped.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { masterKeyFrom, type MasterKey, type SecretBox } from './secret-box.ts';

export const KEY_FILES = { current: 'master.key', previous: 'master.key.previous', next: 'master.key.next' } as const;

export function loadMasterKey(dataDir: string, fromEnv: string | undefined): { key: MasterKey; source: string } {
  if (fromEnv && fromEnv.trim() !== '') return { key: masterKeyFrom(fromEnv), source: 'BMS_MASTER_KEY' };
  const file = join(dataDir, KEY_FILES.current);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return { key: masterKeyFrom(readFileSync(file, 'utf8')), source: file };
}

export interface MasterKeySettings {
  dataDir: string;
  /** BMS_MASTER_KEY */
  masterKey: string | undefined;
  /** BMS_PREVIOUS_MASTER_KEYS, comma-separated */
  previousMasterKeys: string | undefined;
}

export interface LoadedKeys {
  current: MasterKey;
  /** Open-only keys, without the current one and without repeats. */
  previous: MasterKey[];
}

/** The sealing key and every open-only key the settings and key files name. */
export function loadMasterKeys(s: MasterKeySettings): LoadedKeys {
  const { key: current } = loadMasterKey(s.dataDir, s.masterKey);
  const others = [
    ...splitKeys(s.previousMasterKeys ?? '', ','),
    ...readKeyFile(join(s.dataDir, KEY_FILES.previous)),
    ...readKeyFile(join(s.dataDir, KEY_FILES.next)),
  ];
  const seen = new Set([current.id]);
  const previous = others.filter((k) => !seen.has(k.id) && seen.add(k.id));
  return { current, previous };
}

/** The keys of a key file, one per line; none when the file does not exist. */
export function readKeyFile(path: string): MasterKey[] {
  if (!existsSync(path)) return [];
  return splitKeys(readFileSync(path, 'utf8'), '\n');
}

function splitKeys(text: string, separator: string): MasterKey[] {
  return text.split(separator).map((t) => t.trim()).filter((t) => t !== '').map(masterKeyFrom);
}

/** Writes a key file atomically (a temporary file renamed over it, mode 0600): readers see the old or the new content. */
export function writeKeyFile(path: string, keys: string[]): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${keys.join('\n')}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * Keeps `box` in step with the key files: re-reads them every `intervalMs` when one changed,
 * and at once when a secret names a key that is not loaded (at most every 200 ms while the
 * files stay as they were last read).
 */
export function keepMasterKeysFresh(box: SecretBox, s: MasterKeySettings, intervalMs: number, onError: (err: unknown) => void): { stop(): void } {
  let stamp = fileStamp(s.dataDir);
  let lastMissReload = 0;
  const reload = () => {
    try {
      // The files are read one after the other while a rotation may be swapping them (old key
      // appended to .previous, .next renamed over master.key): a read that straddles the swap
      // can miss the new key. Read until the files did not change during the read.
      for (let attempt = 1; ; attempt++) {
        const before = fileStamp(s.dataDir);
        const { current, previous } = loadMasterKeys(s);
        const after = fileStamp(s.dataDir);
        if (before === after || attempt === 5) {
          stamp = after;
          box.rekey(current, previous);
          return;
        }
      }
    } catch (err) {
      onError(err);
    }
  };
  box.onUnknownKey = () => {
    // At most every 200 ms — unless the files changed since the last read.
    if (Date.now() - lastMissReload < 200 && fileStamp(s.dataDir) === stamp) return;
    lastMissReload = Date.now();
    reload();
  };
  const timer = intervalMs > 0 ? setInterval(() => fileStamp(s.dataDir) !== stamp && reload(), intervalMs) : undefined;
  timer?.unref();
  return {
    stop() {
      if (timer) clearInterval(timer);
      box.onUnknownKey = undefined;
    },
  };
}

/** A cheap fingerprint of the key files: their modification times and sizes. */
function fileStamp(dataDir: string): string {
  return Object.values(KEY_FILES).map((f) => {
    try {
      const st = statSync(join(dataDir, f));
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return '-';
    }
  }).join('|');
}
