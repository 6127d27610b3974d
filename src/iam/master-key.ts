/**
 * Where the master key comes from: `BMS_MASTER_KEY`, or a key file in the data folder.
 *
 * On first start without `BMS_MASTER_KEY`, 32 random bytes are written to
 * `<dataDir>/master.key` with mode 0600. Losing that file makes every stored secret
 * unreadable: operators should back it up, or supply the key from their secret manager.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { masterKeyFrom, type MasterKey } from './secret-box.ts';

export function loadMasterKey(dataDir: string, fromEnv: string | undefined): { key: MasterKey; source: string } {
  if (fromEnv && fromEnv.trim() !== '') return { key: masterKeyFrom(fromEnv), source: 'BMS_MASTER_KEY' };
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return { key: masterKeyFrom(readFileSync(file, 'utf8')), source: file };
}
