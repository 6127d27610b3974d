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
import { startConsole, type RunningConsole } from '../console/index.ts';
import { auditService } from '../services/audit-service.ts';
import { billService } from '../services/bill-service.ts';
import { bmsService } from '../services/bms-service.ts';
import { bmsOpsService } from '../services/bmsops-service.ts';
import { camService } from '../services/cam-service.ts';
import { monitorService } from '../services/monitor-service.ts';
import { regionCatalog } from '../services/regions/region-catalog.ts';
import { stsService } from '../services/sts-service.ts';
import { tagService } from '../services/tag-service.ts';
import { vpcService } from '../services/vpc-service.ts';
import { openStore } from '../store/open-store.ts';
import { purgeExpiredTemporaryKeys } from '../store/repos/api-keys.ts';
import { claimRepeat, completeRepeat, purgeExpiredRepeats, releaseRepeat } from '../store/repos/request-repeats.ts';
import { purgeExpiredSignatureUses } from '../store/repos/signature-uses.ts';
import { signatureBinding } from './signature-binding.ts';
import type { Store } from '../store/store.ts';
import { readFileSync } from 'node:fs';
import { createRedfishDriver, type RedfishDriver } from '../drivers/redfish/index.ts';
import { createSimDriver, rowBackedStateStore, type SimDriver } from '../drivers/sim/index.ts';
import { RedfishFace } from '../drivers/sim/redfish-face.ts';
import { InstallMediaService, type OsImageFile } from '../install/media.ts';
import { storeInstallRecords, storeSessions, storeTrust } from './redfish-wiring.ts';
import { FLOWS } from '../flows/index.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { startPowerSync, type PowerSync } from '../reconcile/power-sync.ts';
import { bmcReadings } from '../monitoring/bmc-source.ts';
import { AGENT_PUSH_PATH, agentPushEndpoint } from '../monitoring/push-endpoint.ts';
import { startAlarmJob, type AlarmJob } from '../monitoring/alarms.ts';
import { startRollupJob, type RollupJob } from '../monitoring/rollup-job.ts';
import { startSimSource, type SimSource } from '../monitoring/sim-source.ts';
import { TaskEngine } from '../tasks/engine.ts';
import { createBiller, type Biller } from '../billing/biller.ts';
import { recharge } from '../billing/ledger.ts';
import { parseCents } from '../billing/money.ts';
import { checkFinishedDays } from '../billing/reconcile.ts';
import { lifecycleEvents, type Transition } from '../lifecycle/gate.ts';
import { masterKeys, rateLimiting, specsOf, storeAuditSink } from './abuse-resistance.ts';
import { serverAccess } from './server-access.ts';
import { seedDemo } from './demo.ts';
import { simRows } from './sim-rows.ts';

export interface StartOptions {
  clock?: () => number;
  logger?: Logger;
  /** Replaces the per-account rate limiter of the config (benchmarks use one that always allows). */
  rateLimiter?: RateLimiter;
  /** The console's built app folder (tests: a fixture); default dist/console. */
  consoleDir?: string;
}

export interface RunningBms {
  endpoint: string;
  edge: RunningEdge;
  store: Store;
  box: SecretBox;
  sim: SimDriver;
  redfish: RedfishDriver;
  /** The lab's Redfish face (undefined with BMS_LAB_REDFISH=0). */
  face: RedfishFace | undefined;
  media: InstallMediaService;
  engine: TaskEngine<FlowDeps>;
  powerSync: PowerSync;
  /** Pushes usage records and makes deductions (runs every BMS_BILLING_RUN_MS; tests call runOnce with their clock). */
  biller: Biller;
  /** Compacts, rolls up and expires metric samples. */
  rollups: RollupJob;
  /** Judges alarm policies and delivers their webhooks. */
  alarms: AlarmJob;
  /** The simulated datacenter's in-band metrics (its timer off when BMS_SIM_METRICS_MS=0). */
  simMetrics: SimSource;
  credentials: BootstrapResult;
  /** What the HTTP edge runs requests against (benchmarks drive the pipeline without HTTP). */
  gateway: GatewayDeps;
  console: RunningConsole;
  logger: Logger;
  /**
   * Stops gracefully within about `timeoutMs`: no new connections, every request received
   * answered, idle connections closed, task steps finished or handed back (their lease freed for
   * another worker), then the store closed.
   */
  close(timeoutMs?: number): Promise<void>;
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
  let endpointUrl = '';
  const media = new InstallMediaService({
    baseUrl: () => config.installBaseUrl ?? endpointUrl,
    records: storeInstallRecords(store, box),
    imageFor: osImages(config.osImageManifest),
    now: clock,
  });
  const redfish = createRedfishDriver({
    sessions: storeSessions(store, box, clock),
    trust: storeTrust(store),
    media,
    ...(config.redfishCaFile ? { caBundle: readFileSync(config.redfishCaFile, 'utf8') } : {}),
  });
  const servers = serverAccess(store, box, { sim, redfish });
  const flowDeps: FlowDeps = { store, servers, secrets: box, logger };
  // The lab's Redfish face: every simulated BMC over Redfish on one loopback listener.
  const face = config.labRedfish ? await new RedfishFace({ sim, port: config.labRedfishPort }).start() : undefined;
  const engine = new TaskEngine<FlowDeps>({
    store, flows: FLOWS, deps: flowDeps, clock, logger,
    concurrency: config.workers, leaseMs: config.taskLeaseMs, timeScale: config.simTimeScale,
  });
  const instanceDeps = { store, regions, scheduler: engine, logger };
  const limits = rateLimiting(store, config, clock, logger, opts.rateLimiter);
  const audit = storeAuditSink(store);
  const web = startConsole({
    store, region: config.region, limits: config.console, audit, clock, newRequestId: randomUUID, logger,
    ...(opts.consoleDir ? { staticDir: opts.consoleDir } : {}),
  });
  const deps: GatewayDeps = {
    services: {
      bms: bmsService({ ...instanceDeps, box }),
      vpc: vpcService(store),
      bmsops: bmsOpsService({ store, box, sim: sim.lab, labRedfishUrl: (id) => face?.urlOf(id) }, { catalog: () => specsOf(deps.services), reload: limits.reload }),
      audit: auditService({ store }),
      cam: camService({ store, box }),
      sts: stsService({ store, box }),
      monitor: monitorService({ store, box }),
      tag: tagService({ store }),
      bill: billService({ store }),
    },
    agentPush: agentPushEndpoint(store, clock),
    credentials: storeCredentialResolver(store.db, box, clock),
    sessions: web.authenticator,
    regions,
    // A first answer may hold a secret (CreateAccessKey's SecretKey, a temporary token): kept sealed.
    repeats: {
      claim: async (key, requestId, expiresAt, leaseUntil) => {
        const record = await claimRepeat(store.db, { key, requestId, expiresAt, leaseUntil }, clock());
        return record.state === 'done' ? { ...record, answer: box.open(record.answer, `repeat:${key}`) } : record;
      },
      complete: (key, requestId, answer) => completeRepeat(store.db, key, requestId, box.seal(answer, `repeat:${key}`)),
      release: (key, requestId) => releaseRepeat(store.db, key, requestId),
    },
    binding: signatureBinding(store, clock),
    rateLimiter: limits.limiter,
    logger,
    audit,
    clock,
    newRequestId: randomUUID,
  };
  let edge: RunningEdge;
  try {
    await limits.reload();
    edge = await startHttpEdge(deps, {
      host: config.host, port: config.port, limits: config.http,
      pages: web.routes,
      routes: [{ prefix: '/install/', handle: (req, res) => media.handle(req, res) }],
    });
  } catch (e) {
    web.close();
    keys.stop();
    await face?.close();
    await store.close();
    throw e;
  }
  const endpoint = `${edge.address.host}:${edge.address.port}`;
  endpointUrl = `http://${endpoint}`;
  flowDeps.agentPushUrl = config.monitoring.agentEndpoint ?? `http://${endpoint}${AGENT_PUSH_PATH}`;
  const credentials = await bootstrap(store, box, {
    dataDir: config.dataDir, region: config.region, zones: config.zones, endpoint, now: clock(),
  });
  if (config.demo) {
    await seedDemo({ ...instanceDeps, box, sim: sim.lab }, {
      zones: config.zones, region: config.region, demoAccountUin: credentials.demo.accountUin, demoSecretId: credentials.demo.SecretId, now: clock(),
      eips: config.demoEips,
    });
  }
  // Every minute: repeat records past their window, and temporary keys expired over a day ago
  // (for a day, a caller still using one is told it expired rather than that it does not exist).
  const purge = setInterval(() => {
    void purgeExpiredRepeats(store.db, clock()).catch((err) => logger.error({ err }, 'repeat purge failed'));
    void purgeExpiredSignatureUses(store.db, clock()).catch((err) => logger.error({ err }, 'signature-use purge failed'));
    void store.transaction((tx) => purgeExpiredTemporaryKeys(tx, clock() - TEMPORARY_KEY_GRACE_MS))
      .catch((err) => logger.error({ err }, 'temporary key purge failed'));
  }, 60_000);
  purge.unref();
  if (config.demo) {
    await recharge(store, {
      accountUin: credentials.demo.accountUin, key: 'demo-opening-balance', cents: parseCents(config.billing.demoBalance), remark: 'demo tenant opening balance',
    }, clock());
  }
  const biller = createBiller({ store, periodMs: config.billing.periodMs, deductDelayMs: config.billing.deductDelayMs, logger });
  // Each run is followed by the daily reconciliation, which checks a day once it has been over an hour.
  const runBilling = () => void biller.runOnce(clock()).then(() => checkFinishedDays(store, clock(), logger))
    .catch((err) => logger.error({ err }, 'billing run failed'));
  const billing = setInterval(runBilling, config.billing.runMs);
  billing.unref();
  // A return's last partial period is pushed at once, not at the next tick.
  const onTransition = (plan: Transition[]) => { if (plan.some((t) => t.to === 'TERMINATING')) runBilling(); };
  lifecycleEvents.on('transition', onTransition);
  engine.start();
  const powerSync = startPowerSync({ store, servers, owner: engine.owner, clock, logger, intervalMs: config.powerSyncMs, onReadings: bmcReadings(store) });
  const rollups = startRollupJob({ store, clock, logger, intervalMs: config.monitoring.rollupMs });
  const alarms = startAlarmJob({ store, box, clock, logger, intervalMs: config.monitoring.alarmMs });
  const simMetrics = startSimSource({ store, clock, logger, intervalMs: config.monitoring.simMetricsMs });
  return {
    endpoint, edge, store, box, sim, redfish, face, media, engine, powerSync, rollups, alarms, simMetrics, biller, credentials, gateway: deps, console: web, logger,
    async close(timeoutMs = config.stopTimeoutMs) {
      clearInterval(purge);
      clearInterval(billing);
      lifecycleEvents.off('transition', onTransition);
      web.close();
      simMetrics.stop();
      alarms.stop();
      rollups.stop();
      keys.stop();
      powerSync.stop();
      // Requests and task steps wind down together; the store closes once both are done.
      const grace = Math.max(100, timeoutMs - 500);
      await Promise.all([edge.close(grace), engine.stop(grace)]);
      await face?.close();
      sim.close();
      redfish.close();
      await store.close();
    },
  };
}

/** The operator's OS image registrations (BMS_OS_IMAGE_MANIFEST), read at each use so edits apply. */
function osImages(manifest: string | undefined): ((osName: string) => Promise<OsImageFile | undefined>) | undefined {
  if (!manifest) return undefined;
  return async (osName) => {
    const all = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, OsImageFile>;
    const entry = all[osName];
    return entry && typeof entry.path === 'string' && /^[0-9a-f]{64}$/i.test(entry.sha256) ? entry : undefined;
  };
}
