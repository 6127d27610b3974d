/**
 * Master key rotation: re-seal every stored secret under a new master key, without downtime.
 *
 * Secrets at rest are sealed as `v1.<keyId>.…` (secret-box.ts); the key id says which master key
 * opens a value, so old and new values can coexist while a rotation runs. In order:
 *
 *   1. The new key is written to `master.key.next` (mode 0600) — or taken from
 *      `BMS_NEW_MASTER_KEY` — before anything is sealed with it, so a crash never loses it. A
 *      `master.key.next` left by an interrupted run is reused: the run resumes.
 *   2. Every sealed column is re-sealed row by row, in small transactions, each row only if it
 *      still holds the value that was read (a concurrent change wins and is picked up by the
 *      next sweep). Rows already under the new key are skipped, so re-running is cheap.
 *      Running servers open the new values as soon as they meet one: they re-read the key
 *      files when a secret names a key they have not loaded (master-key.ts).
 *   3. The files are swapped: the old key is appended to `master.key.previous`, then
 *      `master.key.next` is renamed over `master.key` (atomic). Servers notice within
 *      `BMS_MASTER_KEY_RELOAD_MS` and seal with the new key from then on.
 *   4. After that settling time, a final sweep re-seals what servers sealed with the old key in
 *      between. Afterwards every secret opens with the new key alone; the old one stays in
 *      `master.key.previous` until the operator removes it.
 *
 * With `BMS_MASTER_KEY` (keys from a secret manager, not files) the new key must come from
 * `BMS_NEW_MASTER_KEY`; steps 1 and 3 are the operator's: give running servers the new key in
 * BMS_PREVIOUS_MASTER_KEYS first, run this, then restart them with BMS_MASTER_KEY=<new> and
 * BMS_PREVIOUS_MASTER_KEYS=<old>.
 *
 * Which columns: every column named `*_enc` in the database, each with the column its seal is
 * bound to (the AAD context). An `*_enc` column missing from SEALED_COLUMNS stops the rotation
 * before anything changes — a secret we do not know how to open must not be left behind.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock, releaseLock } from '../store/repos/locks.ts';
import { encColumns, replaceSealedValue, sealedRowsNotUnder, SEALED_COLUMNS, type SealedColumn, type SealedRow } from '../store/repos/sealed-columns.ts';
import type { Store, Tx } from '../store/store.ts';
import { KEY_FILES, loadMasterKeys, writeKeyFile, type MasterKeySettings } from './master-key.ts';
import { masterKeyFrom, SecretBox, type MasterKey } from './secret-box.ts';

export { encColumns, SEALED_COLUMNS, type SealedColumn };

const LOCK = 'master-key-rotation';
const LOCK_TTL_MS = 60_000;

export interface RotationOptions extends MasterKeySettings {
  store: Store;
  /** BMS_NEW_MASTER_KEY; absent → a new random key (file mode only). */
  newMasterKey: string | undefined;
  /** How long servers may take to notice the swapped key files (their reload interval, plus margin). */
  settleMs: number;
  batchSize?: number;
  log?: (line: string) => void;
}

export interface RotationReport {
  oldKeyId: string;
  newKeyId: string;
  /** Rows re-sealed, per `table.column`. */
  resealed: Record<string, number>;
  swapped: boolean;
}

export async function rotateMasterKey(o: RotationOptions): Promise<RotationReport> {
  const log = o.log ?? (() => {});
  await checkSealedColumns(o.store);
  const owner = randomUUID();
  if (!(await acquireLock(o.store.db, LOCK, owner, Date.now(), LOCK_TTL_MS))) {
    throw new Error('another master key rotation is running (store lock "master-key-rotation"); wait for it to finish');
  }
  try {
    const plan = planRotation(o);
    log(`rotating secrets from master key ${plan.old.id} to ${plan.next.id}`);
    const box = new SecretBox(plan.next, [plan.old, ...loadMasterKeys(o).previous]);
    const resealed = await sweep(o.store, box, o.batchSize ?? 100, owner, log);
    if (plan.swap) {
      plan.swap();
      log(`swapped key files; waiting ${o.settleMs} ms for running servers to load the new key`);
      await sleep(o.settleMs);
      const late = await sweep(o.store, box, o.batchSize ?? 100, owner, log);
      for (const [k, n] of Object.entries(late)) resealed[k] = (resealed[k] ?? 0) + n;
    }
    return { oldKeyId: plan.old.id, newKeyId: plan.next.id, resealed, swapped: plan.swap !== undefined };
  } finally {
    await releaseLock(o.store.db, LOCK, owner);
  }
}

interface Plan {
  old: MasterKey;
  next: MasterKey;
  /** Installs the new key as `master.key` (file mode, when it differs from the current one). */
  swap?: () => void;
}

function planRotation(o: RotationOptions): Plan {
  const current = loadMasterKeys(o).current;
  if (o.masterKey && o.masterKey.trim() !== '') {
    if (!o.newMasterKey) throw new Error('BMS_MASTER_KEY is set: give the new key in BMS_NEW_MASTER_KEY (key files are not used)');
    return { old: current, next: masterKeyFrom(o.newMasterKey) };
  }
  const nextFile = join(o.dataDir, KEY_FILES.next);
  const currentFile = join(o.dataDir, KEY_FILES.current);
  let material: string;
  if (existsSync(nextFile)) material = readFileSync(nextFile, 'utf8').trim();
  else {
    material = o.newMasterKey?.trim() || randomBytes(32).toString('base64');
    if (masterKeyFrom(material).id === current.id) return { old: current, next: current };
    writeKeyFile(nextFile, [material]);
  }
  const next = masterKeyFrom(material);
  return {
    old: current, next,
    swap: () => {
      const previousFile = join(o.dataDir, KEY_FILES.previous);
      const kept = existsSync(previousFile) ? readFileSync(previousFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [];
      const oldMaterial = readFileSync(currentFile, 'utf8').trim();
      const all = [oldMaterial, ...kept].filter((m, i, list) => list.findIndex((x) => masterKeyFrom(x).id === masterKeyFrom(m).id) === i);
      writeKeyFile(previousFile, all.filter((m) => masterKeyFrom(m).id !== next.id));
      renameSync(nextFile, currentFile);
    },
  };
}

/** Re-seals every row not yet under `box.current`; returns how many per column. */
async function sweep(store: Store, box: SecretBox, batchSize: number, owner: string, log: (l: string) => void): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const col of SEALED_COLUMNS) {
    const n = await resealColumn(store, box, col, batchSize, owner);
    counts[`${col.table}.${col.column}`] = n;
    if (n > 0) log(`  ${col.table}.${col.column}: re-sealed ${n} row(s)`);
  }
  return counts;
}


async function resealColumn(store: Store, box: SecretBox, c: SealedColumn, batchSize: number, owner: string): Promise<number> {
  const prefix = `v1.${box.current.id}.`;
  let after = '';
  let total = 0;
  for (;;) {
    const rows = await sealedRowsNotUnder(store.db, c, prefix, after, batchSize);
    if (rows.length === 0) return total;
    total += await store.transaction((tx) => resealRows(tx, box, c, rows));
    after = rows.at(-1)!.k;
    await acquireLock(store.db, LOCK, owner, Date.now(), LOCK_TTL_MS); // renew
  }
}

async function resealRows(tx: Tx, box: SecretBox, c: SealedColumn, rows: SealedRow[]): Promise<number> {
  let n = 0;
  for (const row of rows) {
    let resealed: string;
    try {
      resealed = box.seal(box.open(row.v, row.ctx), row.ctx);
    } catch (e) {
      throw new Error(`${c.table}.${c.column} of ${row.k} cannot be opened with any loaded master key (${(e as Error).message}); ` +
        'add the key that sealed it to BMS_PREVIOUS_MASTER_KEYS and run again', { cause: e });
    }
    if (await replaceSealedValue(tx, c, row.k, row.v, resealed)) n += 1;
  }
  return n;
}

/** Every `*_enc` column of the database must be one we know how to re-seal. */
export async function checkSealedColumns(store: Store): Promise<void> {
  const found = await encColumns(store);
  const known = new Set(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`));
  const unknown = found.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new Error(`sealed columns without a rotation rule: ${unknown.join(', ')}; add them to SEALED_COLUMNS in src/store/repos/sealed-columns.ts`);
  }
}
