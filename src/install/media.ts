/**
 * Install media for real machines: what a BMC's virtual media and the installer fetch.
 *
 * For each install (`prepare`, idempotent per instance) the service issues two random tokens:
 *
 * - the **media token** names the short-lived, unguessable URLs the BMC is given:
 *   `/install/<media>/installer.iso` (the OS image, its checksum verified before it is
 *   offered) and `/install/<media>/seed/` (the NoCloud seed: `meta-data`, `user-data`,
 *   `network-config`); they answer 404 once expired or finished;
 * - the **callback token** is in the seed's `phone_home` URL,
 *   `/install/<media>/callback/<callback>`: the installer's POST there completes the install
 *   step. Only its SHA-256 is kept.
 *
 * `handle` answers those routes (mounted on the API's HTTP edge by a prefix route). The
 * records live behind `InstallRecords` (in memory here; the composition root may give a
 * store-backed one).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstallConfig, ServerTarget } from '../drivers/interfaces/hardware.ts';
import type { InstallMediaPort } from '../drivers/interfaces/hardware.ts';
import { renderSeed, type Seed } from './seed.ts';

export interface InstallRecord {
  instanceId: string;
  serverId: string;
  mediaToken: string;
  callbackSha256: string;
  seed: Seed;
  osName: string;
  expiresAt: number;
  completedAt: number | null;
  finishedAt: number | null;
}

export interface InstallRecords {
  get(instanceId: string): Promise<InstallRecord | undefined>;
  byMediaToken(token: string): Promise<InstallRecord | undefined>;
  put(record: InstallRecord): Promise<void>;
}

export function memoryInstallRecords(): InstallRecords {
  const map = new Map<string, InstallRecord>();
  return {
    get: async (id) => map.get(id),
    byMediaToken: async (t) => [...map.values()].find((r) => r.mediaToken === t),
    put: async (r) => void map.set(r.instanceId, structuredClone(r)),
  };
}

/** An OS image the operator registered: a file and the SHA-256 it must have. */
export interface OsImageFile {
  path: string;
  sha256: string;
}

export interface InstallMediaOptions {
  /** `http://host:port` the BMCs and installers reach the service at. */
  baseUrl: string | (() => string);
  records?: InstallRecords;
  /** The image file of an OS, by name (undefined: no image registered — the install cannot start). */
  imageFor?: (osName: string) => Promise<OsImageFile | undefined>;
  ttlMs?: number;
  now?: () => number;
}

export class InstallMediaError extends Error {}

export class InstallMediaService implements InstallMediaPort {
  private readonly records: InstallRecords;
  private readonly now: () => number;
  private readonly verified = new Map<string, string>();

  constructor(private readonly options: InstallMediaOptions) {
    this.records = options.records ?? memoryInstallRecords();
    this.now = options.now ?? Date.now;
  }

  private base(): string {
    const b = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
    return b.replace(/\/+$/, '');
  }

  async prepare(target: ServerTarget, config: InstallConfig): Promise<{ installerUrl: string; configUrl: string }> {
    const existing = await this.records.get(config.instanceId);
    if (existing && existing.completedAt === null && existing.expiresAt > this.now()) return this.urls(existing.mediaToken);
    await this.verifyImage(config.osName);
    const mediaToken = randomBytes(24).toString('base64url');
    const callback = randomBytes(24).toString('base64url');
    const record: InstallRecord = {
      instanceId: config.instanceId,
      serverId: target.serverId,
      mediaToken,
      callbackSha256: sha256(callback),
      seed: renderSeed(config, `${this.base()}/install/${mediaToken}/callback/${callback}`),
      osName: config.osName,
      expiresAt: this.now() + (this.options.ttlMs ?? 3 * 3600_000),
      completedAt: null,
      finishedAt: null,
    };
    await this.records.put(record);
    return this.urls(mediaToken);
  }

  async completed(instanceId: string): Promise<boolean> {
    return (await this.records.get(instanceId))?.completedAt != null;
  }

  async finished(instanceId: string): Promise<void> {
    const r = await this.records.get(instanceId);
    if (r && r.finishedAt === null) await this.records.put({ ...r, finishedAt: this.now() });
  }

  private urls(token: string) {
    return { installerUrl: `${this.base()}/install/${token}/installer.iso`, configUrl: `${this.base()}/install/${token}/seed/` };
  }

  /** The image's checksum, verified once per file version (path, size, mtime). */
  private async verifyImage(osName: string): Promise<OsImageFile | undefined> {
    if (!this.options.imageFor) return undefined;
    const image = await this.options.imageFor(osName);
    if (!image) throw new InstallMediaError(`no installable image is registered for ${osName}`);
    const st = await stat(image.path).catch(() => undefined);
    if (!st) throw new InstallMediaError(`the image of ${osName} (${image.path}) is missing`);
    const version = `${image.path}|${st.size}|${st.mtimeMs}`;
    if (this.verified.get(version) !== image.sha256.toLowerCase()) {
      const actual = await fileSha256(image.path);
      if (actual !== image.sha256.toLowerCase()) throw new InstallMediaError(`the image of ${osName} has SHA-256 ${actual}, registered ${image.sha256}: refusing to install it`);
      this.verified.set(version, actual);
    }
    return image;
  }

  /** Answers `/install/...`; false when the path is not ours. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/install\/([A-Za-z0-9_-]{16,})\/(installer\.iso|seed\/?|seed\/(meta-data|user-data|network-config|vendor-data)|callback\/([A-Za-z0-9_-]{16,}))$/.exec(path);
    if (!path.startsWith('/install/')) return false;
    const record = m ? await this.records.byMediaToken(m[1]!) : undefined;
    const live = record && record.expiresAt > this.now() && record.finishedAt === null;
    if (!m || !record || !live) return answer(res, 404, 'no such install media (unknown, expired or finished)');
    const [, , what, file, callback] = m;
    if (callback !== undefined) {
      if (req.method !== 'POST') return answer(res, 405, 'the callback takes POST');
      for await (const _ of req) void _; // drain the form cloud-init posts
      if (!safeEqual(sha256(callback), record.callbackSha256)) return answer(res, 403, 'wrong callback token');
      if (record.completedAt === null) await this.records.put({ ...record, completedAt: this.now() });
      return answer(res, 200, 'ok');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'install media is read with GET');
    if (what === 'installer.iso') {
      const image = await this.verifyImage(record.osName).catch((e: Error) => e);
      if (image instanceof Error) return answer(res, 409, image.message);
      if (!image) return answer(res, 404, `no image file is registered for ${record.osName}`);
      const st = await stat(image.path);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
      if (req.method === 'HEAD') {
        res.end();
        return true;
      }
      createReadStream(image.path).pipe(res);
      return true;
    }
    if (file === 'vendor-data') return answer(res, 200, '', 'text/plain');
    if (file) return answer(res, 200, record.seed[file as keyof Seed], 'text/yaml');
    return answer(res, 200, 'meta-data\nuser-data\nnetwork-config\n', 'text/plain');
  }
}

function answer(res: ServerResponse, status: number, text: string, type = 'text/plain'): true {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
  return true;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
