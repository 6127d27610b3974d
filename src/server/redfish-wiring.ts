/**
 * The `redfish` hardware type's ports, wired to the store: sessions shared by every process
 * (tokens sealed with the master key, creation serialised by a store lock), certificate trust
 * (`bmc_trust`), and install-media records (the seed sealed: it holds the password hash).
 */
import { randomUUID } from 'node:crypto';
import type { SessionPort, TrustPort } from '../drivers/redfish/index.ts';
import type { SecretBox } from '../iam/secret-box.ts';
import type { InstallRecord, InstallRecords } from '../install/media.ts';
import { acquireLock, releaseLock } from '../store/repos/locks.ts';
import * as rf from '../store/repos/redfish.ts';
import type { Store } from '../store/store.ts';

// Seals are bound to the row's key (sessions: bmc_key; seeds: media_token), as rotate-master-key expects.

export function storeSessions(store: Store, box: SecretBox, clock: () => number, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): SessionPort {
  const owner = `rf-${randomUUID()}`;
  return {
    async get(key) {
      const row = await rf.getRedfishSession(store.db, key);
      if (!row) return undefined;
      return { token: box.open(row.token_enc, key), location: row.location, credential: row.credential };
    },
    async put(key, s) {
      await rf.putRedfishSession(store.db, { bmc_key: key, token_enc: box.seal(s.token, key), location: s.location, credential: s.credential, created_at: clock() });
    },
    async drop(key, token) {
      const row = await rf.getRedfishSession(store.db, key);
      if (row && box.open(row.token_enc, key) === token) await rf.dropRedfishSession(store.db, key, row.token_enc);
    },
    async exclusive(key, fn) {
      const lock = `redfish-session:${key}`;
      for (let waited = 0; !(await acquireLock(store.db, lock, owner, clock(), 60_000)); waited += 50) {
        if (waited > 60_000) throw new Error(`another process holds the session lock of ${key} for over a minute`);
        await sleep(50);
      }
      try {
        return await fn();
      } finally {
        await releaseLock(store.db, lock, owner);
      }
    },
  };
}

export function storeTrust(store: Store): TrustPort {
  return {
    async trustFor(origin) {
      const row = await rf.getBmcTrust(store.db, origin);
      return row ? { kind: 'pinned', fingerprint256: row.fingerprint256, pem: row.pem } : undefined;
    },
  };
}

export function storeInstallRecords(store: Store, box: SecretBox): InstallRecords {
  const from = (row: Awaited<ReturnType<typeof rf.getInstallMedia>>): InstallRecord | undefined => row && {
    instanceId: row.instance_id,
    serverId: row.server_id,
    mediaToken: row.media_token,
    callbackSha256: row.callback_sha256,
    seed: JSON.parse(box.open(row.seed_enc, row.media_token)) as InstallRecord['seed'],
    osName: row.os_name,
    expiresAt: Number(row.expires_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
  return {
    get: async (id) => from(await rf.getInstallMedia(store.db, id)),
    byMediaToken: async (t) => from(await rf.installMediaByToken(store.db, t)),
    put: (r) => rf.putInstallMedia(store.db, {
      instance_id: r.instanceId, server_id: r.serverId, media_token: r.mediaToken, callback_sha256: r.callbackSha256,
      seed_enc: box.seal(JSON.stringify(r.seed), r.mediaToken), os_name: r.osName,
      expires_at: r.expiresAt, completed_at: r.completedAt, finished_at: r.finishedAt,
    }),
  };
}
