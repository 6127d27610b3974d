/**
 * Configuration: one schema, read from the environment.
 *
 * Every option, its default and its meaning live here; `loadConfig(process.env)` parses and
 * reports every bad variable at once by name.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

/** The environment variables, each with its default and its meaning. */
export const envSchema = z.object({
  /** Address the API listens on. */
  BMS_HOST: z.string().min(1).default('127.0.0.1'),
  /** TCP port of the API; 0 picks a free one. */
  BMS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Data folder: the SQLite file, the master key file, the credential files. */
  BMS_DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL URL (postgres://…); absent → embedded SQLite in the data folder. */
  BMS_DATABASE_URL: z.string().optional(),
  /** Master key material for secrets at rest; absent → a key file in the data folder. */
  BMS_MASTER_KEY: z.string().optional(),
  /** Region served by this deployment, and its zones (comma-separated). */
  BMS_REGION: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/).default('ap-guangzhou'),
  BMS_ZONES: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/).default('ap-guangzhou-1,ap-guangzhou-2'),
  /**
   * Simulated datacenter speed: real hardware durations are multiplied by this. The default
   * provisions in about 30 s (a real server takes ~30 min); tests use ~0.0005; 0 = no delay.
   */
  BMS_SIM_TIME_SCALE: z.coerce.number().min(0).max(10).default(1 / 60),
  /** Seed the demo fleet, networks and instances on first start (set 0 for an empty cloud). */
  BMS_DEMO: z.enum(['0', '1']).default('1'),
  /** With BMS_DEMO=1: also seed a public address (EIP) pool per ISP from the documentation ranges (0: none). */
  BMS_DEMO_EIPS: z.enum(['0', '1']).default('1'),
  /** Task engine: concurrent operations per process, and how long a worker's claim lasts without renewal. */
  BMS_WORKERS: z.coerce.number().int().min(1).max(1000).default(64),
  BMS_TASK_LEASE_MS: z.coerce.number().int().min(200).max(600_000).default(15_000),
  /** How often the power-state sync reads every BMC (ms). */
  BMS_POWER_SYNC_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * Open-only master keys (comma-separated key material): secrets sealed with them can still be
   * read, nothing new is sealed with them. Needed during and after a master key rotation when
   * keys come from BMS_MASTER_KEY rather than key files (`master.key.previous` is read too).
   */
  BMS_PREVIOUS_MASTER_KEYS: z.string().optional(),
  /** `npm run rotate-master-key` only: the key to rotate to; absent → a random one in `master.key.next`. */
  BMS_NEW_MASTER_KEY: z.string().optional(),
  /**
   * How often a running server checks the master key files for a rotation (ms). 0 = only when it
   * meets a secret sealed with a key it has not loaded: it then opens everything, but keeps
   * sealing new secrets with the old key until restarted (a later rotation run re-seals them).
   */
  BMS_MASTER_KEY_RELOAD_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  /**
   * Where per-account request rates are counted: `store` (the database — limits hold across
   * every process sharing it) or `memory` (this process only; a single node).
   */
  BMS_RATE_LIMITER: z.enum(['store', 'memory']).default('store'),
  /** How long the operator's rate-limit overrides are cached per process before re-reading (ms). */
  BMS_RATE_LIMIT_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  /** HTTP hardening: the request line and headers must arrive within this time (ms). */
  BMS_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** The body must arrive within this time after the headers (ms); slower → answered and closed. */
  BMS_HTTP_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** An idle keep-alive connection is closed after this time (ms). */
  BMS_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Largest request line + headers accepted (bytes); must leave room for a 32 KB GET. */
  BMS_HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(34 * 1024).max(1024 * 1024).default(64 * 1024),
  /** Open connections one source address may hold at once; 0 = no cap. */
  BMS_HTTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(100_000).default(256),
  /** How often the metric rollup job compacts closed 10-minute windows and expires old chunks (ms). */
  BMS_METRICS_ROLLUP_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** How often the simulated datacenter reports a sample for every running simulated instance (ms); 0 = never. */
  BMS_SIM_METRICS_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** How often alarm policies are judged and due webhooks sent (ms); 0 = never. */
  BMS_ALARM_EVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** The URL installed monitoring agents push to; absent → this server's own address + /agent/v1/metrics. */
  BMS_AGENT_ENDPOINT: z.string().url().optional(),
  /** Request bodies (bytes) held in memory at once, all connections together; larger ones wait their turn. */
  BMS_HTTP_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** On SIGTERM/SIGINT: the longest the process takes to answer what it received and exit (ms). */
  BMS_STOP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Serve the simulated datacenter over Redfish on a loopback listener (the lab's Redfish face). */
  BMS_LAB_REDFISH: z.enum(['0', '1']).default('1'),
  /** Port of the lab's Redfish face; 0 picks a free one (the banner prints it). */
  BMS_LAB_REDFISH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** PEM file of CAs trusted for BMC certificates that are not pinned (besides the system roots). */
  BMS_REDFISH_CA_FILE: z.string().optional(),
  /** JSON file registering OS install images: {"<OS name>": {"path": "/…/x.iso", "sha256": "…"}}; each is verified before use. */
  BMS_OS_IMAGE_MANIFEST: z.string().optional(),
  /** Base URL BMCs and installers reach the service's /install/ media at (default: the API endpoint). */
  BMS_INSTALL_BASE_URL: z.string().url().optional(),
  /** Web console: a session ends after this many minutes without a request… */
  BMS_CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** …and this many hours after sign-in, whatever happens. */
  BMS_CONSOLE_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Billing: a usage record is pushed every this many seconds from each instance's deployment (the manual: 24 h). */
  BMS_BILLING_PUSH_PERIOD_S: z.coerce.number().int().min(1).max(31 * 86400).default(86400),
  /** Billing: a pushed record is deducted from the balance this many seconds later (the manual: 1 h). */
  BMS_BILLING_DEDUCT_DELAY_S: z.coerce.number().int().min(0).max(31 * 86400).default(3600),
  /** How often the biller looks for due pushes and deductions (ms). */
  BMS_BILLING_RUN_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** The demo tenant's opening balance (yuan, two decimals), credited once on first start. */
  BMS_DEMO_BALANCE: z.string().regex(/^\d{1,13}(\.\d{1,2})?$/).default('100000.00'),
  /** pino log level; access log lines are `info`. */
  BMS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The configuration the service runs with: the environment, parsed and shaped (its type is derived, not written twice). */
const configSchema = envSchema.transform((c) => ({
  host: c.BMS_HOST,
  port: c.BMS_PORT,
  dataDir: resolve(c.BMS_DATA_DIR),
  databaseUrl: c.BMS_DATABASE_URL || undefined,
  masterKey: c.BMS_MASTER_KEY || undefined,
  region: c.BMS_REGION,
  zones: c.BMS_ZONES.split(','),
  logLevel: c.BMS_LOG_LEVEL,
  simTimeScale: c.BMS_SIM_TIME_SCALE,
  demo: c.BMS_DEMO === '1',
  demoEips: c.BMS_DEMO_EIPS === '1',
  workers: c.BMS_WORKERS,
  taskLeaseMs: c.BMS_TASK_LEASE_MS,
  powerSyncMs: c.BMS_POWER_SYNC_MS,
  previousMasterKeys: c.BMS_PREVIOUS_MASTER_KEYS || undefined,
  newMasterKey: c.BMS_NEW_MASTER_KEY || undefined,
  masterKeyReloadMs: c.BMS_MASTER_KEY_RELOAD_MS,
  rateLimiter: c.BMS_RATE_LIMITER,
  rateLimitCacheMs: c.BMS_RATE_LIMIT_CACHE_MS,
  monitoring: { rollupMs: c.BMS_METRICS_ROLLUP_MS, simMetricsMs: c.BMS_SIM_METRICS_MS, alarmMs: c.BMS_ALARM_EVAL_MS, agentEndpoint: c.BMS_AGENT_ENDPOINT || undefined },
  labRedfish: c.BMS_LAB_REDFISH === '1',
  labRedfishPort: c.BMS_LAB_REDFISH_PORT,
  redfishCaFile: c.BMS_REDFISH_CA_FILE || undefined,
  osImageManifest: c.BMS_OS_IMAGE_MANIFEST || undefined,
  installBaseUrl: c.BMS_INSTALL_BASE_URL || undefined,
  console: { idleMs: c.BMS_CONSOLE_IDLE_MINUTES * 60_000, absoluteMs: c.BMS_CONSOLE_SESSION_HOURS * 3_600_000 },
  billing: {
    periodMs: c.BMS_BILLING_PUSH_PERIOD_S * 1000, deductDelayMs: c.BMS_BILLING_DEDUCT_DELAY_S * 1000,
    runMs: c.BMS_BILLING_RUN_MS, demoBalance: c.BMS_DEMO_BALANCE,
  },
  http: {
    headersTimeoutMs: c.BMS_HTTP_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: c.BMS_HTTP_BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: c.BMS_HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxHeaderBytes: c.BMS_HTTP_MAX_HEADER_BYTES,
    maxConnectionsPerIp: c.BMS_HTTP_MAX_CONNECTIONS_PER_IP,
    maxBufferedBytes: c.BMS_HTTP_MAX_BUFFERED_BYTES,
  },
  stopTimeoutMs: c.BMS_STOP_TIMEOUT_MS,
}));

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
