/**
 * What the gateway needs from the rest of the system, as narrow ports.
 *
 * The composition root (src/server) wires real implementations — the IAM key store, the region
 * catalog, the repeat ledger, the rate limiter — and tests wire their own. The gateway never
 * imports a store or a service module directly.
 */
import type { CredentialResolver, MaybePromise, RateLimiter } from '../iam/ports.ts';
import type { Principal, ServiceDefinition } from '../services/types.ts';

/** A key as the signature check needs it (ResolvedCredential: the SecretKey in clear, only in memory), and the rate limiter: iam's ports. */
export type { CredentialResolver, MaybePromise, RateLimiter, ResolvedCredential } from '../iam/ports.ts';

/**
 * The web console's sessions (src/console): the principal a session cookie stands for, if the
 * session is live and the request carries its CSRF token. A refusal says why, in both languages.
 */
export interface SessionAuthenticator {
  cookieName: string;
  csrfHeader: string;
  principalOf(token: string, csrf: string | undefined, now: number): MaybePromise<Principal | { refused: { en: string; zh: string } }>;
}

export interface RegionCatalog {
  isSupported(region: string): MaybePromise<boolean>;
}

/** A repeat record (steps/guard-repeat.ts): claimed by the caller, running elsewhere, or done with its answer. */
export type RepeatRecord =
  | { state: 'claimed' }
  | { state: 'running'; requestId: string }
  | { state: 'done'; requestId: string; answer: string };

export interface RepeatLedger {
  /** Claims `key` for `requestId` until `expiresAt` (lapsing at `leaseUntil` without an answer), or reports who holds it. */
  claim(key: string, requestId: string, expiresAt: number, leaseUntil: number): Promise<RepeatRecord>;
  /** Keeps the answer of `requestId`'s claim. */
  complete(key: string, requestId: string, answer: string): Promise<void>;
  /** Forgets `requestId`'s claim. */
  release(key: string, requestId: string): Promise<void>;
}

/** What the signature-binding step needs (steps/bind-signature.ts). */
export interface SignatureBinding {
  /** Records `use` as the first use of `signature` (until `expiresAt`) unless one is recorded; returns the first use. */
  firstUse(signature: string, use: { service: string; action: string }, expiresAt: number): MaybePromise<{ service: string; action: string }>;
  /** Whether the account's mutating calls must sign X-TC-Action. */
  requiresSignedAction(accountUin: string): MaybePromise<boolean>;
}

export interface AccessLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** pino's: lets the edge skip building an access-log line nobody will write. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * One audited call: who (account, user, key), when, what, on which resources, the outcome and
 * where it came from. Never a parameter value other than resource ids.
 */
export interface AuditRecord {
  requestId: string;
  /** Milliseconds since the epoch at which the request arrived. */
  at: number;
  accountUin: string;
  userUin: string;
  secretId: string;
  service: string;
  action: string;
  region: string;
  resourceIds: string[];
  /** "Success", or the error code answered. */
  resultCode: string;
  sourceIp: string;
  /** A repeat answered without executing: the RequestId whose answer it got. */
  repeatOf?: string;
}

export interface AuditSink {
  record(event: AuditRecord): Promise<void>;
}

/**
 * The monitoring agents' push endpoint (`POST /agent/v1/metrics`, not an API 3.0 call): the
 * edge hands it the request as received and writes back what it answers, as JSON.
 */
export interface AgentPushPort {
  readonly path: string;
  push(req: { method: string; authorization: string | undefined; body: Buffer; bodySize: number; remoteAddress: string }): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface GatewayDeps {
  services: Record<string, ServiceDefinition>;
  /** Absent: the edge serves API calls only. */
  agentPush?: AgentPushPort;
  credentials: CredentialResolver;
  /** Absent: no console; a request without a signature is refused as before. */
  sessions?: SessionAuthenticator;
  regions: RegionCatalog;
  repeats: RepeatLedger;
  binding: SignatureBinding;
  rateLimiter: RateLimiter;
  logger: AccessLogger;
  /** Where mutating calls are recorded (absent: not audited, e.g. in signature-vector tests). */
  audit?: AuditSink;
  /** Milliseconds since the epoch. */
  clock: () => number;
  newRequestId: () => string;
}
