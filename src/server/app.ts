/**
 * The composition root: the only module that imports every layer and wires them together.
 *
 * `startBms(config)` opens the store (migrating it), loads the master key, bootstraps the
 * operator and demo accounts, builds the services and the gateway's ports, and starts the
 * HTTP edge. Tests call it with port 0, a temporary data folder and their own clock.
 */
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { GatewayDeps, RateLimiter } from '../gateway/deps.ts';
import { startHttpEdge, type RunningEdge } from '../gateway/http-edge.ts';
import { bootstrap, type BootstrapResult } from '../iam/bootstrap.ts';
import { storeCredentialResolver } from '../iam/credential-resolver.ts';
import { loadMasterKey } from '../iam/master-key.ts';
import { memoryRateLimiter } from '../iam/rate-limiter.ts';
import { SecretBox } from '../iam/secret-box.ts';
import { bmsService } from '../services/bms-service.ts';
import { regionCatalog } from '../services/regions/region-catalog.ts';
import { openStore } from '../store/open-store.ts';
import { purgeExpired, remember } from '../store/repos/replays.ts';
import type { Store } from '../store/store.ts';

export interface StartOptions {
  clock?: () => number;
  logger?: Logger;
  /** Replaces the per-account in-memory limiter (benchmarks use one that always allows). */
  rateLimiter?: RateLimiter;
}

export interface RunningBms {
  endpoint: string;
  edge: RunningEdge;
  store: Store;
  box: SecretBox;
  credentials: BootstrapResult;
  logger: Logger;
  close(): Promise<void>;
}

export async function startBms(config: Config, opts: StartOptions = {}): Promise<RunningBms> {
  const clock = opts.clock ?? Date.now;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'bms' } });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, logger });
  const box = new SecretBox(loadMasterKey(config.dataDir, config.masterKey).key);
  const regions = regionCatalog(store.db, clock);
  const deps: GatewayDeps = {
    services: { bms: bmsService({ regions }) },
    credentials: storeCredentialResolver(store.db, box, clock),
    regions,
    replays: { remember: (signature, expiresAt) => remember(store.db, signature, expiresAt, clock()) },
    rateLimiter: opts.rateLimiter ?? memoryRateLimiter(),
    logger,
    clock,
    newRequestId: randomUUID,
  };
  let edge: RunningEdge;
  try {
    edge = await startHttpEdge(deps, { host: config.host, port: config.port });
  } catch (e) {
    await store.close();
    throw e;
  }
  const endpoint = `${edge.address.host}:${edge.address.port}`;
  const credentials = await bootstrap(store, box, {
    dataDir: config.dataDir, region: config.region, zones: config.zones, endpoint, now: clock(),
  });
  const purge = setInterval(() => void purgeExpired(store.db, clock()).catch((err) => logger.error({ err }, 'replay purge failed')), 60_000);
  purge.unref();
  return {
    endpoint, edge, store, box, credentials, logger,
    async close() {
      clearInterval(purge);
      await edge.close();
      await store.close();
    },
  };
}
