/**
 * `npm run rotate-master-key`: re-seal every stored secret under a new master key while BMS
 * keeps running (see src/iam/rotate-master-key.ts for the steps and their guarantees).
 *
 * Reads the same environment as `npm start` (BMS_DATA_DIR, BMS_DATABASE_URL, BMS_MASTER_KEY,
 * BMS_PREVIOUS_MASTER_KEYS) plus BMS_NEW_MASTER_KEY (absent: a random key is generated into
 * `<dataDir>/master.key.next`). Safe to interrupt and run again: it resumes.
 */
import { loadConfig } from '../src/config/config.ts';
import { rotateMasterKey } from '../src/iam/rotate-master-key.ts';
import { openStore } from '../src/store/open-store.ts';

const config = loadConfig(process.env);
const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
try {
  const report = await rotateMasterKey({
    store, dataDir: config.dataDir, masterKey: config.masterKey, previousMasterKeys: config.previousMasterKeys,
    newMasterKey: config.newMasterKey, settleMs: 2 * config.masterKeyReloadMs + 1_000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const total = Object.values(report.resealed).reduce((a, b) => a + b, 0);
  process.stdout.write(`done: ${total} secret(s) re-sealed under master key ${report.newKeyId}` +
    (report.swapped ? `; ${config.dataDir}/master.key now holds it and the old key is in master.key.previous\n` : '\n'));
  if (config.masterKey) {
    process.stdout.write('BMS_MASTER_KEY is in use: restart the servers with BMS_MASTER_KEY=<the new key> and BMS_PREVIOUS_MASTER_KEYS=<the old key>\n');
  }
} catch (err) {
  process.stderr.write(`rotate-master-key: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
