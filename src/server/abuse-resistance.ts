/**
 * Composition of the abuse-resistance parts: the master keys (with rotation support), the
 * request rate limiter (store- or memory-counted, with the operator's overrides) and the audit
 * sink. Kept out of app.ts so the composition root stays a readable list of what is wired.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import type { AuditSink, RateLimiter } from '../gateway/deps.ts';
import { keepMasterKeysFresh, loadMasterKeys, type MasterKeySettings } from '../iam/master-key.ts';
import { rateLimitOverrides } from '../iam/rate-limit-overrides.ts';
import { memoryRateLimiter } from '../iam/rate-limiter.ts';
import { SecretBox } from '../iam/secret-box.ts';
import { limitedBy, storeRateLimiter } from '../iam/store-rate-limiter.ts';
import type { ServiceDefinition } from '../services/types.ts';
import type { ServiceSpec } from '../spec/model.ts';
import { recordAuditEvent } from '../store/repos/audit.ts';
import type { Store } from '../store/store.ts';

interface Logger {
  error(obj: object, msg?: string): void;
}

/** The secret box, holding the current master key and every open-only one, kept in step with the key files. */
export function masterKeys(config: Config, logger: Logger): { box: SecretBox; stop(): void } {
  const settings: MasterKeySettings = { dataDir: config.dataDir, masterKey: config.masterKey, previousMasterKeys: config.previousMasterKeys };
  const { current, previous } = loadMasterKeys(settings);
  const box = new SecretBox(current, previous);
  const watch = keepMasterKeysFresh(box, settings, config.masterKeyReloadMs, (err) => logger.error({ err }, 'master key files could not be re-read'));
  return { box, stop: () => watch.stop() };
}

export interface RateLimiting {
  limiter: RateLimiter;
  /** (Re)loads the operator's overrides: await once before serving; SetRateLimit calls it to apply a change at once. */
  reload(): Promise<void>;
}

/** The gateway's limiter: `replacement` if given (tests, benchmarks), else per config, with overrides. */
export function rateLimiting(store: Store, config: Config, clock: () => number, logger: Logger, replacement?: RateLimiter): RateLimiting {
  const overrides = rateLimitOverrides(store.db, { ttlMs: config.rateLimitCacheMs, clock, logger });
  const counter = config.rateLimiter === 'store' ? storeRateLimiter(store.db, { logger }) : memoryRateLimiter();
  return { limiter: replacement ?? limitedBy(overrides, counter), reload: () => overrides.reload() };
}

/** Audit records go to `audit_events` (with their resource index) in one transaction. */
export function storeAuditSink(store: Store): AuditSink {
  return { record: (e) => store.transaction((tx) => recordAuditEvent(tx, { id: randomUUID(), ...e })) };
}

/** The specs of the services served, by name (what a rate-limit rule may name). */
export function specsOf(services: Record<string, ServiceDefinition>): Record<string, ServiceSpec> {
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.spec]));
}
