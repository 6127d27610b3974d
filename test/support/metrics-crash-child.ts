/**
 * Child for the kill -9 rollup test: opens the SQLite store in argv[2], compacts the instances
 * listed in argv[4..] (cutoff argv[3]) one transaction each, and SIGKILLs itself inside the
 * transaction of the instance named by BMS_KILL_AT — after its chunks and rollups were written,
 * before the commit.
 */
import { openStore } from '../../src/store/open-store.ts';
import { compactInstance } from '../../src/store/repos/metrics.ts';

const [dir, cutoff, ...ids] = process.argv.slice(2);
const store = await openStore({ dataDir: dir! });
for (const id of ids) {
  await store.transaction(async (tx) => {
    await compactInstance(tx, id, Number(cutoff), { nowMs: Date.now() });
    if (id === process.env['BMS_KILL_AT']) process.kill(process.pid, 'SIGKILL');
  });
}
await store.close();
