/**
 * The change feed: what changed, announced by the very transaction that changed it.
 *
 * Code that changes state the console shows live (an instance's status, a task's progress)
 * calls `announce(tx, change)` inside its transaction. Nothing is published before the
 * transaction commits, and nothing at all when it rolls back:
 *   - SQLite (one process owns the file's writes that matter): the changes are kept with the
 *     transaction and handed to this process's listeners once the commit has returned;
 *   - PostgreSQL (several server processes): the changes are sent with `pg_notify` inside the
 *     transaction, which PostgreSQL delivers to every listening session only at commit — each
 *     process (this one included) LISTENs on one dedicated connection and hands them on.
 * An announcement on a handle outside any transaction (autocommit) is published after the
 * current statement, the same way.
 *
 * A change names the row; listeners read the row again if they need more (the console's feed
 * forwards ids and status, the page refetches what it shows).
 */
import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface Change {
  kind: 'instance' | 'task';
  /** Instance id, or task id as a string. */
  id: string;
  /** The account the row belongs to, when the writer knows it (listeners look it up otherwise). */
  accountUin?: string;
  /** For a task: the instance it works on. */
  instanceId?: string | null;
  /** The row's new status, when it changed. */
  status?: string;
}

export type ChangeListener = (changes: Change[]) => void;

export interface ChangeFeed {
  /** Calls `listener` with each committed batch; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  /** Resolves once changes of other processes reach the listeners (PostgreSQL: LISTEN is active). */
  listening(): Promise<void>;
}

/** Per open store: how its announcements travel. */
interface FeedRoute {
  dialect: 'sqlite' | 'postgres';
  channel: string;
  emitter: EventEmitter;
}

const routes = new WeakMap<object, FeedRoute>();
/** Changes of open transactions, by transaction handle. */
const pending = new WeakMap<object, { route: FeedRoute; changes: Change[] }>();

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7_000;

export function announce(db: Kysely<Database>, change: Change): void {
  const open = pending.get(db);
  if (open) {
    open.changes.push(change);
    return;
  }
  const route = routes.get(db);
  if (!route) return; // a handle of no store we opened (e.g. a migration's own connection)
  if (route.dialect === 'sqlite') queueMicrotask(() => route.emitter.emit('changes', [change]));
  else void notify(db, route.channel, [change]).catch(() => undefined);
}

/** Binds announcements on `db` (and its transactions, via `transaction`) to a feed. */
export function changeRoute(db: Kysely<Database>, dialect: 'sqlite' | 'postgres', channel: string): FeedRoute {
  const route: FeedRoute = { dialect, channel, emitter: new EventEmitter() };
  route.emitter.setMaxListeners(0);
  routes.set(db, route);
  return route;
}

/**
 * Runs a transaction body so that its announcements are published on commit only. On
 * PostgreSQL the NOTIFY is the body's last statement; on SQLite `afterCommit` publishes.
 */
export async function withAnnouncements<T>(
  route: FeedRoute, tx: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>,
): Promise<{ result: T; changes: Change[] }> {
  const open = { route, changes: [] as Change[] };
  pending.set(tx, open);
  try {
    const result = await fn(tx);
    if (route.dialect === 'postgres' && open.changes.length > 0) await notify(tx, route.channel, open.changes);
    return { result, changes: open.changes };
  } finally {
    pending.delete(tx);
  }
}

export function publishLocally(route: FeedRoute, changes: Change[]): void {
  if (route.dialect === 'sqlite' && changes.length > 0) route.emitter.emit('changes', changes);
}

async function notify(db: Kysely<Database>, channel: string, changes: Change[]): Promise<void> {
  let batch: string[] = [];
  let size = 2;
  const flush = async () => {
    if (batch.length === 0) return;
    await sql`select pg_notify(${channel}, ${`[${batch.join(',')}]`})`.execute(db);
    batch = [];
    size = 2;
  };
  for (const change of changes) {
    const text = JSON.stringify(change);
    if (size + text.length + 1 > MAX_PAYLOAD) await flush();
    batch.push(text);
    size += text.length + 1;
  }
  await flush();
}

/** Parses one NOTIFY payload; malformed ones (not ours) are ignored. */
export function parsePayload(payload: string | undefined): Change[] {
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    return Array.isArray(parsed) ? parsed.filter((c): c is Change => typeof c?.kind === 'string' && typeof c?.id === 'string') : [];
  } catch {
    return [];
  }
}

export function feedOf(route: FeedRoute, start: () => Promise<void> | undefined): ChangeFeed {
  return {
    listening: () => start() ?? Promise.resolve(),
    subscribe(listener) {
      void start();
      route.emitter.on('changes', listener);
      return () => route.emitter.off('changes', listener);
    },
  };
}
