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
import type { SecretBox } from '../iam/secret-box.ts';
import { auditService } from '../services/audit-service.ts';
import { bmsService } from '../services/bms-service.ts';
import { bmsOpsService } from '../services/bmsops-service.ts';
import { camService } from '../services/cam-service.ts';
import { monitorService } from '../services/monitor-service.ts';
import { regionCatalog } from '../services/regions/region-catalog.ts';
import { stsService } from '../services/sts-service.ts';
import { vpcService } from '../services/vpc-service.ts';
import { openStore } from '../store/open-store.ts';
import { purgeExpiredTemporaryKeys } from '../store/repos/api-keys.ts';
import { purgeExpired, remember } from '../store/repos/replays.ts';
import type { Store } from '../store/store.ts';
import { createSimDriver, rowBackedStateStore, type SimDriver } from '../drivers/sim/index.ts';
import { FLOWS } from '../flows/index.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { startPowerSync, type PowerSync } from '../reconcile/power-sync.ts';
import { bmcReadings } from '../monitoring/bmc-source.ts';
import { AGENT_PUSH_PATH, agentPushEndpoint } from '../monitoring/push-endpoint.ts';
import { startAlarmJob, type AlarmJob } from '../monitoring/alarms.ts';
import { startRollupJob, type RollupJob } from '../monitoring/rollup-job.ts';
import { startSimSource, type SimSource } from '../monitoring/sim-source.ts';
import { TaskEngine } from '../tasks/engine.ts';
import { masterKeys, rateLimiting, specsOf, storeAuditSink } from './abuse-resistance.ts';
import { serverAccess } from './server-access.ts';
import { seedDemo } from './demo.ts';
import { simRows } from './sim-rows.ts';

export interface StartOptions {
  clock?: () => number;
  logger?: Logger;
  /** Replaces the per-account rate limiter of the config (benchmarks use one that always allows). */
  rateLimiter?: RateLimiter;
}

export interface RunningBms {
  endpoint: string;
  edge: RunningEdge;
  store: Store;
  box: SecretBox;
  sim: SimDriver;
  engine: TaskEngine<FlowDeps>;
  powerSync: PowerSync;
  /** Compacts, rolls up and expires metric samples. */
  rollups: RollupJob;
  /** Judges alarm policies and delivers their webhooks. */
  alarms: AlarmJob;
  /** The simulated datacenter's in-band metrics (its timer off when BMS_SIM_METRICS_MS=0). */
  simMetrics: SimSource;
  credentials: BootstrapResult;
  /** What the HTTP edge runs requests against (benchmarks drive the pipeline without HTTP). */
  gateway: GatewayDeps;
  logger: Logger;
  close(): Promise<void>;
}

/** How long an expired temporary key is kept (then purged). */
const TEMPORARY_KEY_GRACE_MS = 24 * 3600_000;

export async function startBms(config: Config, opts: StartOptions = {}): Promise<RunningBms> {
  const clock = opts.clock ?? Date.now;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'bms' } });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, logger });
  const keys = masterKeys(config, logger);
  const box = keys.box;
  const regions = regionCatalog(store.db, clock);
  const sim = createSimDriver({ state: rowBackedStateStore(simRows(store)), timeScale: config.simTimeScale });
  const servers = serverAccess(store, box, { sim });
  const flowDeps: FlowDeps = { store, servers, secrets: box, logger };
  const engine = new TaskEngine<FlowDeps>({
    store, flows: FLOWS, deps: flowDeps, clock, logger,
    concurrency: config.workers, leaseMs: config.taskLeaseMs, timeScale: config.simTimeScale,
  });
  const instanceDeps = { store, regions, scheduler: engine, logger };
  const limits = rateLimiting(store, config, clock, logger, opts.rateLimiter);
  const deps: GatewayDeps = {
    services: {
      bms: bmsService({ ...instanceDeps, box }),
      vpc: vpcService(store),
      bmsops: bmsOpsService({ store, box, sim: sim.lab }, { catalog: () => specsOf(deps.services), reload: limits.reload }),
      audit: auditService({ store }),
      cam: camService({ store, box }),
      sts: stsService({ store, box }),
      monitor: monitorService({ store, box }),
    },
    agentPush: agentPushEndpoint(store, clock),
    credentials: storeCredentialResolver(store.db, box, clock),
    regions,
    replays: { remember: (signature, expiresAt) => remember(store.db, signature, expiresAt, clock()) },
    rateLimiter: limits.limiter,
    logger,
    audit: storeAuditSink(store),
    clock,
    newRequestId: randomUUID,
  };
  let edge: RunningEdge;
  try {
    await limits.reload();
    edge = await startHttpEdge(deps, { host: config.host, port: config.port, limits: config.http });
  } catch (e) {
    keys.stop();
    await store.close();
    throw e;
  }
  const endpoint = `${edge.address.host}:${edge.address.port}`;
  flowDeps.agentPushUrl = config.monitoring.agentEndpoint ?? `http://${endpoint}${AGENT_PUSH_PATH}`;
  const credentials = await bootstrap(store, box, {
    dataDir: config.dataDir, region: config.region, zones: config.zones, endpoint, now: clock(),
  });
  if (config.demo) {
    await seedDemo({ ...instanceDeps, box, sim: sim.lab }, {
      zones: config.zones, region: config.region, demoAccountUin: credentials.demo.accountUin, demoSecretId: credentials.demo.SecretId, now: clock(),
    });
  }
  // Every minute: replay records past their window, and temporary keys expired over a day ago
  // (for a day, a caller still using one is told it expired rather than that it does not exist).
  const purge = setInterval(() => {
    void purgeExpired(store.db, clock()).catch((err) => logger.error({ err }, 'replay purge failed'));
    void store.transaction((tx) => purgeExpiredTemporaryKeys(tx, clock() - TEMPORARY_KEY_GRACE_MS))
      .catch((err) => logger.error({ err }, 'temporary key purge failed'));
  }, 60_000);
  purge.unref();
  engine.start();
  const powerSync = startPowerSync({ store, servers, owner: engine.owner, clock, logger, intervalMs: config.powerSyncMs, onReadings: bmcReadings(store) });
  const rollups = startRollupJob({ store, clock, logger, intervalMs: config.monitoring.rollupMs });
  const alarms = startAlarmJob({ store, box, clock, logger, intervalMs: config.monitoring.alarmMs });
  const simMetrics = startSimSource({ store, clock, logger, intervalMs: config.monitoring.simMetricsMs });
  return {
    endpoint, edge, store, box, sim, engine, powerSync, rollups, alarms, simMetrics, credentials, gateway: deps, logger,
    async close() {
      clearInterval(purge);
      simMetrics.stop();
      alarms.stop();
      rollups.stop();
      keys.stop();
      powerSync.stop();
      await edge.close();
      await engine.stop();
      sim.close();
      await store.close();
    },
  };
}
