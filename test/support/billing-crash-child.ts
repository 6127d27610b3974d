/**
 * Child for the billing kill -9 test (test/billing-crash.test.ts): one biller process.
 *
 * It opens the store the way a server does (BMS_DATABASE_URL, or the SQLite file in
 * BMS_DATA_DIR), takes the cadence from the configuration (BMS_BILLING_PUSH_PERIOD_S,
 * BMS_BILLING_DEDUCT_DELAY_S — the lab cadence), prints `ready`, and runs the biller at each
 * simulated time from argv[2] to argv[3] in steps of argv[4] (epoch ms: the test's clock, not
 * the wall clock), BILLING_BATCH records per transaction, then prints `done` and exits 0.
 *
 * With BILLING_KILL_AFTER=n it SIGKILLs itself right after its n-th SQL statement returned —
 * inside a transaction or between two — having written one line to stderr saying where:
 * `killed after <statement> (in a transaction|between transactions)`. The test picks n from its
 * seed, so a failure reproduces. (The test also kills some children from outside.)
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { createBiller } from '../../src/billing/biller.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

const [from, to, step] = process.argv.slice(2).map(Number) as [number, number, number];
const config = loadConfig(process.env);
const killAfter = Number(process.env['BILLING_KILL_AFTER'] ?? 0);

let statements = 0;
let inTransaction = false;
/** What a statement does, for the kill report: "InsertQuery billing_ledger", "SelectQuery billing_records"… */
function describe(node: RootOperationNode): string {
  const target = (node as { into?: unknown; table?: unknown; from?: unknown });
  const table = /"name":"(\w+)"/.exec(JSON.stringify(target.into ?? target.table ?? target.from ?? {}))?.[1] ?? '';
  return `${node.kind.replace(/Node$/, '')} ${table}`.trim();
}
const statementOf = new WeakMap<object, string>();
const killer: KyselyPlugin = {
  transformQuery(args) {
    statementOf.set(args.queryId, describe(args.node));
    return args.node;
  },
  async transformResult(args) {
    statements += 1;
    if (killAfter > 0 && statements >= killAfter) {
      const kind = statementOf.get(args.queryId) ?? '?';
      process.stderr.write(`killed after ${kind} #${statements} (${inTransaction ? 'in a transaction' : 'between transactions'})\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    return args.result;
  },
};

const opened = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
const store: Store = {
  ...opened,
  db: opened.db.withPlugin(killer),
  transaction: (fn) => opened.transaction(async (tx) => {
    inTransaction = true;
    try {
      return await fn(tx.withPlugin(killer));
    } finally {
      inTransaction = false;
    }
  }),
};
const biller = createBiller({ store, periodMs: config.billing.periodMs, deductDelayMs: config.billing.deductDelayMs, batch: Number(process.env['BILLING_BATCH'] ?? 3) });
process.stdout.write('ready\n');
for (let t = from; t <= to; t += step) await biller.runOnce(t);
await opened.close();
process.stdout.write(`done ${statements}\n`);
