/**
 * The console's live feed: committed instance and task changes, pushed to open pages as
 * Server-Sent Events.
 *
 * One subscriber on the store's change feed (src/store/changes.ts — fed by the commits that
 * change state, in this process on SQLite and across processes via LISTEN/NOTIFY on
 * PostgreSQL) completes each batch once (a task change that does not name its account is
 * looked up) and hands each open connection the changes of its account that its user may
 * see: a sub-user gets only instances its CAM policies let it describe.
 *
 * Each event carries ids and statuses only; the page refetches the rows it shows. Every 15 s
 * a comment line keeps proxies from closing the stream and re-checks the session: an expired
 * session gets an `expired` event and the stream ends.
 */
import type { ServerResponse } from 'node:http';
import { firstDeniedResource, needsEvaluation } from '../iam/authorization.ts';
import type { Principal } from '../services/types.ts';
import type { Change } from '../store/changes.ts';
import type { Store } from '../store/store.ts';

export interface FeedClient {
  principal: Principal;
  /** False when the session has ended (checked on each keep-alive). */
  stillValid(): Promise<boolean>;
}

const KEEP_ALIVE_MS = 15_000;

export function liveFeed(store: Store, region: string, logger: { error(obj: object, msg?: string): void }) {
  const clients = new Set<{ res: ServerResponse; client: FeedClient }>();
  let unsubscribe: (() => void) | undefined;

  const deliver = async (changes: Change[]) => {
    const missing = changes.filter((c) => c.kind === 'task' && !c.accountUin).map((c) => Number(c.id));
    if (missing.length > 0) {
      const rows = await store.db.selectFrom('tasks').select(['id', 'account_uin', 'instance_id']).where('id', 'in', missing).execute();
      const byId = new Map(rows.map((r) => [String(r.id), r]));
      for (const c of changes) {
        const row = c.kind === 'task' && !c.accountUin ? byId.get(c.id) : undefined;
        if (row) Object.assign(c, { accountUin: row.account_uin, instanceId: row.instance_id });
      }
    }
    for (const { res, client } of clients) {
      const mine = changes.filter((c) => c.accountUin === client.principal.accountUin && visible(client.principal, c, region));
      if (mine.length === 0) continue;
      const events = mine.map((c) => ({ Kind: c.kind, Id: c.id, InstanceId: c.kind === 'instance' ? c.id : (c.instanceId ?? null), Status: c.status ?? null }));
      res.write(`event: change\ndata: ${JSON.stringify(events)}\n\n`);
    }
  };

  const ensureSubscribed = () => {
    unsubscribe ??= store.changes.subscribe((changes) => {
      deliver(changes).catch((err) => logger.error({ err }, 'console feed delivery failed'));
    });
  };

  return {
    listening: () => store.changes.listening(),
    open(res: ServerResponse, client: FeedClient): void {
      ensureSubscribed();
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no',
      });
      res.write(`retry: 2000\nevent: hello\ndata: {}\n\n`);
      const entry = { res, client };
      clients.add(entry);
      const timer = setInterval(() => {
        void client.stillValid().then((ok) => {
          if (ok) res.write(': keep-alive\n\n');
          else {
            res.write('event: expired\ndata: {}\n\n');
            res.end();
          }
        }, () => undefined);
      }, KEEP_ALIVE_MS);
      timer.unref();
      res.on('close', () => {
        clearInterval(timer);
        clients.delete(entry);
      });
    },
    get connections() {
      return clients.size;
    },
    close(): void {
      unsubscribe?.();
      for (const { res } of clients) res.end();
      clients.clear();
    },
  };
}

function visible(principal: Principal, c: Change, region: string): boolean {
  if (!needsEvaluation(principal)) return true;
  const instanceId = c.kind === 'instance' ? c.id : c.instanceId;
  const action = c.kind === 'instance' ? 'DescribeInstances' : 'DescribeTasks';
  const refs = instanceId ? [{ kind: 'instance' as const, id: instanceId }] : [];
  return firstDeniedResource(principal, { service: 'bms', action, region, accountUin: principal.accountUin, refs }) === undefined;
}
