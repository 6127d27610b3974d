/**
 * A Redfish conversation with one BMC on behalf of one operation.
 *
 * - **One deadline per operation.** `RedfishClient.operation(target, class, fn)` starts the
 *   clock of the operation's class (from the vendor profile); every request inside it is cut
 *   when the deadline passes (`DriverError` `timeout`), polls and retries included.
 * - **Sessions.** A BMC with a SessionService is driven through one session per BMC and
 *   account (origin, user and credential digest), shared by every BMS process through the `SessionPort` (the `redfish_sessions`
 *   table): reused while it works, created again when the BMC says 401, never more than one
 *   at a time (the port's `exclusive` serialises creation across processes). Only a BMC
 *   without a SessionService is sent HTTP basic auth.
 * - **Bounded retries** of transient failures only: 503 / 502 / 504 (Retry-After honoured), a
 *   dropped connection on a read, a refused connection (the request never arrived), a
 *   session limit reached (after closing nothing of ours — we hold one). Each ends after
 *   `profile.attempts` with the BMC's own message.
 * - **Errors carry the BMC's words**: `@Message.ExtendedInfo[].MessageId` and `Message` are
 *   put into the DriverError's message (`Base.1.8.PropertyValueNotInList: …`), which is what
 *   DescribeTasks and the operator's server view show.
 * - **ETags**: `patch()` sends `If-Match` with the ETag of the resource as read, and on 412
 *   reads it again and retries (bounded).
 * - **Task monitors**: a 202 with a `Location` is followed until the task ends, waiting what
 *   `Retry-After` says.
 */
import { createHash } from 'node:crypto';
import { DriverError, type ServerTarget } from '../interfaces/hardware.ts';
import { BmcAddressError, parseBmcAddress, type BmcAddress } from './address.ts';
import { profileFor, type BmcIdentity, type OperationClass, type RedfishProfile } from './profiles.ts';
import { Transport, TransportError, type HttpReply, type Trust, type TrustPort } from './transport.ts';

export type Json = Record<string, unknown>;

export interface StoredSession {
  token: string;
  location: string;
  /** Which credentials opened it (a digest): a session opened with an old password is not reused. */
  credential: string;
}

/** Where BMC sessions live, shared by every BMS process (the `redfish_sessions` table). */
export interface SessionPort {
  get(key: string): Promise<StoredSession | undefined>;
  put(key: string, session: StoredSession): Promise<void>;
  /** Forgets `key`'s session, only if it is still `token` (another process may have replaced it). */
  drop(key: string, token: string): Promise<void>;
  /** Runs `fn` while no other process runs an `exclusive` of the same key. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function memorySessions(): SessionPort & { size(): number } {
  const map = new Map<string, StoredSession>();
  const tails = new Map<string, Promise<unknown>>();
  return {
    get: async (k) => map.get(k),
    put: async (k, s) => void map.set(k, s),
    drop: async (k, token) => {
      if (map.get(k)?.token === token) map.delete(k);
    },
    exclusive: (k, fn) => {
      const run = (tails.get(k) ?? Promise.resolve()).then(fn, fn);
      tails.set(k, run.catch(() => undefined));
      return run;
    },
    size: () => map.size,
  };
}

export interface ClientOptions {
  sessions?: SessionPort;
  trust?: TrustPort;
  /** PEM CA bundle trusted for BMCs without a pinned certificate (besides the system roots). */
  caBundle?: string;
  /** Profile fields forced for every BMC (tests shorten deadlines and polls). */
  overrides?: Partial<RedfishProfile>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface ServiceInfo {
  address: BmcAddress;
  sessionsPath?: string;
  systemPath: string;
  managerPath?: string;
  accountsPath?: string;
  chassisPath?: string;
  profile: RedfishProfile;
  identity: BmcIdentity;
}

const RETRY_STATUS = new Set([502, 503, 504]);

export class RedfishClient {
  readonly transport: Transport;
  private readonly sessions: SessionPort;
  private readonly trust: TrustPort;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** What each BMC offers, learnt on first contact (service root, system, manager). */
  private readonly services = new Map<string, Promise<ServiceInfo>>();
  /** This process's copy of the stored session per key (avoids a store read per request). */
  private readonly cached = new Map<string, StoredSession>();

  constructor(private readonly options: ClientOptions = {}) {
    this.transport = new Transport(options.caBundle);
    this.sessions = options.sessions ?? memorySessions();
    this.trust = options.trust ?? { trustFor: async () => undefined };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Runs `fn` as one operation of `cls` against `target`'s BMC, under one deadline. */
  async operation<T>(target: ServerTarget, operation: string, cls: OperationClass, fn: (c: Conversation) => Promise<T>): Promise<T> {
    let address: BmcAddress;
    try {
      address = parseBmcAddress(target.bmc.address);
    } catch (e) {
      if (e instanceof BmcAddressError) throw new DriverError('failed', operation, e.message);
      throw e;
    }
    const started = this.now();
    const controller = new AbortController();
    // The deadline is known only once the profile is: discovery itself runs under the read deadline.
    let deadlineMs = this.options.overrides?.deadlinesMs?.read ?? 30_000;
    let timer = setTimeout(() => controller.abort(), deadlineMs);
    const conv = new Conversation(this, target, address, operation, controller.signal, () => started + deadlineMs);
    try {
      const service = await this.service(conv);
      conv.service = service;
      deadlineMs = service.profile.deadlinesMs[cls];
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), Math.max(0, started + deadlineMs - this.now()));
      return await fn(conv);
    } catch (e) {
      if (controller.signal.aborted && !(e instanceof DriverError && e.kind === 'failed')) {
        throw new DriverError('timeout', operation, `${operation} on ${address.origin} did not finish within ${Math.round(deadlineMs / 1000)} s${e instanceof Error ? ` (last: ${e.message})` : ''}`);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The profile of a BMC, as learnt (for the operator's view); reads the service if not yet known. */
  async describe(target: ServerTarget): Promise<{ profile: RedfishProfile; identity: BmcIdentity; systemPath: string }> {
    return this.operation(target, 'describeBmc', 'read', async (c) => ({ profile: c.service.profile, identity: c.service.identity, systemPath: c.service.systemPath }));
  }

  close(): void {
    this.transport.close();
  }

  /** Forgets what was learnt about `origin` and its connections (after a trust change). */
  forget(origin: string): void {
    for (const key of this.services.keys()) if (key.startsWith(origin)) this.services.delete(key);
    this.transport.forget(origin);
  }

  private service(c: Conversation): Promise<ServiceInfo> {
    const key = `${c.address.origin}${c.address.systemPath ?? ''}|${c.target.bmc.username}`;
    let found = this.services.get(key);
    if (!found) {
      found = this.discover(c);
      this.services.set(key, found);
      found.catch(() => this.services.delete(key));
    }
    return found;
  }

  private async discover(c: Conversation): Promise<ServiceInfo> {
    const root = await c.getAnonymous('/redfish/v1/');
    const sessionsPath = link(root, 'Links', 'Sessions') ?? (link(root, 'SessionService') ? '/redfish/v1/SessionService/Sessions' : undefined);
    const partial: ServiceInfo = {
      address: c.address, systemPath: '', profile: profileFor({}, this.options.overrides),
      identity: {}, ...(sessionsPath ? { sessionsPath } : {}),
    };
    c.service = partial;
    let systemPath = c.address.systemPath;
    if (!systemPath) {
      const systems = await c.get(link(root, 'Systems') ?? '/redfish/v1/Systems');
      const members = (systems.Members as Json[] | undefined) ?? [];
      if (members.length !== 1) {
        throw new DriverError('failed', c.operation, `the BMC at ${c.address.origin} serves ${members.length} systems; name one in the address (${c.address.origin}/redfish/v1/Systems/<id>)`);
      }
      systemPath = String(members[0]!['@odata.id']);
    }
    const system = await c.get(systemPath);
    const managerPath = (system.Links as Json | undefined)?.ManagedBy as Json[] | undefined;
    const chassis = (system.Links as Json | undefined)?.Chassis as Json[] | undefined;
    const manager = managerPath?.[0] ? await c.get(String(managerPath[0]['@odata.id'])).catch(() => undefined) : undefined;
    const identity: BmcIdentity = {
      vendor: str(root.Vendor) ?? str(root.Name),
      manufacturer: str(manager?.Manufacturer) ?? str(system.Manufacturer),
      model: str(manager?.Model) ?? str(system.Model),
      firmware: str(manager?.FirmwareVersion),
    };
    // An aggregator (BMS's lab face) names each BMC's own accounts as the manager's RemoteAccountService.
    const accountService = link(manager, 'RemoteAccountService') ?? link(root, 'AccountService');
    const accountsPath = accountService ? await c.get(accountService).then((a) => link(a, 'Accounts')).catch(() => undefined) : undefined;
    return {
      ...partial,
      systemPath,
      identity,
      profile: profileFor(identity, this.options.overrides),
      ...(manager ? { managerPath: String(manager['@odata.id']) } : {}),
      ...(accountsPath ? { accountsPath } : {}),
      ...(chassis?.[0] ? { chassisPath: String(chassis[0]['@odata.id']) } : {}),
    };
  }

  // ---- used by Conversation ---------------------------------------------------------------

  /** @internal */ trustFor(origin: string) {
    return this.trust.trustFor(origin);
  }
  /** @internal */ pause(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new TransportError('aborted', 'deadline passed'));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new TransportError('aborted', 'deadline passed'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleep(ms).then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, reject);
    });
  }
  /** @internal */ sessionPort() {
    return this.sessions;
  }
  /** @internal */ cache() {
    return this.cached;
  }
  /** @internal */ clock() {
    return this.now();
  }
}

export interface Reply {
  status: number;
  body: Json;
  etag?: string;
  location?: string;
  retryAfterMs?: number;
}

/** The requests of one operation against one BMC. */
export class Conversation {
  service!: ServiceInfo;

  constructor(
    private readonly client: RedfishClient,
    readonly target: ServerTarget,
    readonly address: BmcAddress,
    readonly operation: string,
    readonly signal: AbortSignal,
    readonly deadline: () => number,
  ) {}

  get profile(): RedfishProfile {
    return this.service.profile;
  }

  failure(message: string): DriverError {
    return new DriverError('failed', this.operation, message);
  }

  unsupported(message: string): DriverError {
    return new DriverError('unsupported', this.operation, message);
  }

  /** The service root is readable without credentials (Redfish requires it). */
  async getAnonymous(path: string): Promise<Json> {
    return (await this.exchange('GET', path, undefined, {}, 'none')).body;
  }

  async get(path: string): Promise<Json> {
    return (await this.request('GET', path)).body;
  }

  /** GET returning the ETag too. */
  async read(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /** PATCH with If-Match from `etag` (re-read and retried on 412, bounded). */
  async patch(path: string, body: Json, etag?: string): Promise<Reply> {
    let tag = etag;
    for (let attempt = 1; ; attempt += 1) {
      const p = this.profile;
      const headers: Record<string, string> = p.ifMatchNever ? {} : tag ? { 'if-match': tag } : p.ifMatchAlways ? { 'if-match': '*' } : {};
      const reply = await this.request('PATCH', path, body, headers, [412]);
      if (reply.status !== 412) return this.followTask(reply);
      if (attempt >= p.attempts) throw this.failure(`${this.address.origin}${path}: the resource kept changing under us (412 Precondition Failed ${attempt} times): ${bmcMessage(reply.body)}`);
      tag = (await this.read(path)).etag;
    }
  }

  async post(path: string, body: Json): Promise<Reply> {
    return this.followTask(await this.request('POST', path, body));
  }

  async delete(path: string): Promise<Reply> {
    return this.followTask(await this.request('DELETE', path, undefined, {}, [404]));
  }

  /** Waits `ms` (or the profile's poll) within the deadline. */
  pause(ms?: number): Promise<void> {
    return this.client.pause(ms ?? this.profile.pollMs, this.signal).catch((e) => {
      throw this.translate(e);
    });
  }

  /** Follows a task monitor (202 + Location) until the task ends. */
  private async followTask(reply: Reply): Promise<Reply> {
    if (reply.status !== 202 || !reply.location) return reply;
    const monitor = new URL(reply.location, this.address.origin).pathname;
    for (;;) {
      await this.pause(reply.retryAfterMs);
      const r = await this.request('GET', monitor, undefined, {}, [202]);
      const state = str(r.body.TaskState);
      if (r.status === 202 || state === 'Running' || state === 'New' || state === 'Pending' || state === 'Starting') {
        reply = { ...r, location: monitor };
        continue;
      }
      if (state === 'Exception' || state === 'Killed' || state === 'Cancelled' || str(r.body.TaskStatus) === 'Critical') {
        throw this.failure(`task ${monitor} on ${this.address.origin} ended ${state}: ${bmcMessage(r.body, 'Messages')}`);
      }
      return r;
    }
  }

  /** One request with authentication and bounded retries of transient failures. */
  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}, accept: number[] = []): Promise<Reply> {
    const auth = this.service?.sessionsPath ? 'session' : 'basic';
    return this.exchange(method, path, body, headers, auth, accept);
  }

  private async exchange(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, headers: Record<string, string>,
    auth: 'none' | 'basic' | 'session', accept: number[] = [],
  ): Promise<Reply> {
    const attempts = this.service?.profile.attempts ?? 3;
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      let session: StoredSession | undefined;
      const h = { ...headers };
      if (auth === 'basic') h.authorization = basic(this.target);
      if (auth === 'session') {
        session = await this.session();
        h['x-auth-token'] = session.token;
      }
      let reply: HttpReply;
      try {
        reply = await this.client.transport.send(this.address, await this.trust(), { method, path, headers: h, body, signal: this.signal });
      } catch (e) {
        const retriable = e instanceof TransportError && (e.reason === 'refused' || (e.reason === 'dropped' && (method === 'GET' || method === 'DELETE')));
        if (retriable && attempt < attempts && !this.signal.aborted) {
          await this.pause(backoff(attempt));
          continue;
        }
        throw this.translate(e);
      }
      const parsed = parse(reply.text);
      if (reply.status === 401 && auth === 'session' && session && !renewed) {
        renewed = true;
        await this.dropSession(session);
        attempt -= 1;
        continue;
      }
      if (reply.status === 401 || reply.status === 403) {
        throw this.failure(`BMC authentication failed at ${this.address.origin} for ${this.target.bmc.username} (HTTP ${reply.status}${messageSuffix(parsed)})`);
      }
      if (RETRY_STATUS.has(reply.status) && !accept.includes(reply.status)) {
        if (attempt < attempts) {
          await this.pause(retryAfter(reply) ?? backoff(attempt));
          continue;
        }
        throw this.failure(`${method} ${path} on ${this.address.origin}: HTTP ${reply.status} after ${attempt} attempts${messageSuffix(parsed)}`);
      }
      if (reply.status >= 400 && !accept.includes(reply.status)) {
        if (reply.status === 404 && method === 'GET') throw this.unsupported(`${this.address.origin} has no ${path} (HTTP 404${messageSuffix(parsed)})`);
        throw this.failure(`${method} ${path} on ${this.address.origin}: HTTP ${reply.status}${messageSuffix(parsed)}`);
      }
      const etag = header(reply, 'etag') ?? str(parsed['@odata.etag']);
      const location = header(reply, 'location');
      const ra = retryAfter(reply);
      return { status: reply.status, body: parsed, ...(etag ? { etag } : {}), ...(location ? { location } : {}), ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
    }
  }

  /**
   * Which session this conversation uses: one per BMC account — the origin, the user and (a
   * prefix of) the credential digest, so systems behind one origin with accounts of their own
   * (the lab's face: every simulated BMC on one listener) keep a session each instead of
   * replacing one another's on every request.
   */
  private key(): string {
    this.sessionKey ??= `${this.address.origin}|${this.target.bmc.username}|${credentialDigest(this.address.origin, this.target).slice(0, 16)}`;
    return this.sessionKey;
  }

  private sessionKey: string | undefined;

  /** How the BMC's certificate is trusted, read once per operation (not once per request). */
  private trust(): Promise<Trust | undefined> {
    this.trusted ??= this.client.trustFor(this.address.origin);
    return this.trusted;
  }

  private trusted: Promise<Trust | undefined> | undefined;

  /** The live session of this BMC and account: this process's copy, the store's, or a new one. */
  private async session(): Promise<StoredSession> {
    const key = this.key();
    const credential = credentialDigest(this.address.origin, this.target);
    const mine = this.client.cache().get(key);
    if (mine?.credential === credential) return mine;
    const port = this.client.sessionPort();
    const stored = await port.get(key);
    if (stored?.credential === credential) {
      this.client.cache().set(key, stored);
      return stored;
    }
    return port.exclusive(key, async () => {
      const again = await port.get(key);
      if (again?.credential === credential) {
        this.client.cache().set(key, again);
        return again;
      }
      const created = await this.createSession();
      await port.put(key, created);
      this.client.cache().set(key, created);
      return created;
    });
  }

  private async createSession(): Promise<StoredSession> {
    const path = this.service.sessionsPath!;
    const attempts = this.service.profile.attempts;
    for (let attempt = 1; ; attempt += 1) {
      let reply: HttpReply;
      try {
        reply = await this.client.transport.send(this.address, await this.trust(), {
          method: 'POST', path, headers: {}, body: { UserName: this.target.bmc.username, Password: this.target.bmc.password }, signal: this.signal,
        });
      } catch (e) {
        if (e instanceof TransportError && e.reason === 'refused' && attempt < attempts) {
          await this.pause(backoff(attempt));
          continue;
        }
        throw this.translate(e);
      }
      const body = parse(reply.text);
      const token = header(reply, 'x-auth-token');
      if (reply.status < 300 && token) {
        return { token, location: new URL(header(reply, 'location') ?? path, this.address.origin).pathname, credential: credentialDigest(this.address.origin, this.target) };
      }
      if (reply.status === 401 || reply.status === 403 || reply.status === 400 && /auth|credential|password/i.test(bmcMessage(body))) {
        throw this.failure(`BMC authentication failed at ${this.address.origin} for ${this.target.bmc.username} (HTTP ${reply.status}${messageSuffix(body)})`);
      }
      const limit = /SessionLimitExceeded|ServiceTemporarilyUnavailable/.test(messageIds(body).join(' ')) || RETRY_STATUS.has(reply.status);
      if (limit && attempt < attempts) {
        await this.pause(retryAfter(reply) ?? backoff(attempt) * 4);
        continue;
      }
      throw this.failure(`could not open a session on ${this.address.origin} (HTTP ${reply.status}${messageSuffix(body)})`);
    }
  }

  private async dropSession(session: StoredSession): Promise<void> {
    this.client.cache().delete(this.key());
    await this.client.sessionPort().drop(this.key(), session.token);
  }

  translate(e: unknown): Error {
    if (e instanceof DriverError) return e;
    if (e instanceof TransportError) {
      if (e.reason === 'aborted') return new DriverError('timeout', this.operation, `${this.operation} on ${this.address.origin}: deadline passed`);
      if (e.reason === 'certificate') return new DriverError('failed', this.operation, `${e.message}; the certificate must be accepted by the operator (bmsops AcceptServerCertificate)`);
      return new DriverError('unreachable', this.operation, e.message);
    }
    return e instanceof Error ? e : new Error(String(e));
  }
}

// ---- helpers ------------------------------------------------------------------------------

export function link(o: Json | undefined, ...path: string[]): string | undefined {
  let cur: unknown = o;
  for (const p of path) cur = (cur as Json | undefined)?.[p];
  const id = (cur as Json | undefined)?.['@odata.id'];
  return typeof id === 'string' ? id : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function credentialDigest(origin: string, target: ServerTarget): string {
  return createHash('sha256').update(`${origin}\0${target.bmc.username}\0${target.bmc.password}`).digest('base64url');
}

function basic(target: ServerTarget): string {
  return `Basic ${Buffer.from(`${target.bmc.username}:${target.bmc.password}`).toString('base64')}`;
}

function parse(text: string): Json {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return { '@bms.text': text.slice(0, 200) };
  }
}

function header(r: HttpReply, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function retryAfter(r: HttpReply): number | undefined {
  const v = header(r, 'retry-after');
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.min(Math.max(s, 0), 120) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(at - Date.now(), 0), 120_000);
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** (attempt - 1), 5_000);
}

function messageIds(body: Json): string[] {
  const error = (body.error as Json | undefined) ?? body;
  const infos = (error['@Message.ExtendedInfo'] as Json[] | undefined) ?? [];
  return [str(error.code), ...infos.map((i) => str(i.MessageId))].filter((x): x is string => !!x);
}

/** The BMC's own MessageId and message, as one line. */
export function bmcMessage(body: Json, listField = '@Message.ExtendedInfo'): string {
  const error = (body.error as Json | undefined) ?? body;
  const infos = ((error[listField] as Json[] | undefined) ?? (error['@Message.ExtendedInfo'] as Json[] | undefined) ?? []).filter(Boolean);
  const parts = infos.map((i) => [str(i.MessageId), str(i.Message)].filter(Boolean).join(': ')).filter(Boolean);
  if (parts.length === 0) {
    const own = [str(error.code), str(error.message)].filter(Boolean).join(': ');
    if (own) parts.push(own);
    else if (str(body['@bms.text'])) parts.push(str(body['@bms.text'])!);
  }
  return parts.join('; ');
}

function messageSuffix(body: Json): string {
  const m = bmcMessage(body);
  return m ? `: ${m}` : '';
}
