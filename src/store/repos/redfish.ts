/**
 * The `redfish` hardware type's rows (migration 0060): shared BMC sessions, pinned BMC
 * certificates, install media. Secrets arrive sealed; this layer never sees a clear token.
 */
import type { Kysely } from 'kysely';
import type { BmcTrustTable, Database, InstallMediaTable, RedfishSessionsTable } from '../schema.ts';

// ---- sessions -----------------------------------------------------------------------------

export function getRedfishSession(db: Kysely<Database>, key: string): Promise<RedfishSessionsTable | undefined> {
  return db.selectFrom('redfish_sessions').selectAll().where('bmc_key', '=', key).executeTakeFirst();
}

export async function putRedfishSession(db: Kysely<Database>, row: RedfishSessionsTable): Promise<void> {
  await db.insertInto('redfish_sessions').values(row)
    .onConflict((oc) => oc.column('bmc_key').doUpdateSet({ token_enc: row.token_enc, location: row.location, credential: row.credential, created_at: row.created_at }))
    .execute();
}

/** Deletes `key`'s session if it is still the one sealed as `tokenEnc`. */
export async function dropRedfishSession(db: Kysely<Database>, key: string, tokenEnc: string): Promise<void> {
  await db.deleteFrom('redfish_sessions').where('bmc_key', '=', key).where('token_enc', '=', tokenEnc).execute();
}

export async function countRedfishSessions(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('redfish_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- certificate trust --------------------------------------------------------------------

export function getBmcTrust(db: Kysely<Database>, origin: string): Promise<BmcTrustTable | undefined> {
  return db.selectFrom('bmc_trust').selectAll().where('origin', '=', origin).executeTakeFirst();
}

/** Pins `fingerprint256` for `origin` (the operator accepted it); clears a pending change. */
export async function pinBmcCertificate(db: Kysely<Database>, origin: string, fingerprint256: string, pem: string, now: number): Promise<void> {
  const values = { fingerprint256, pem, accepted_at: now, seen_fingerprint256: null, seen_pem: null, seen_at: null };
  await db.insertInto('bmc_trust').values({ origin, ...values }).onConflict((oc) => oc.column('origin').doUpdateSet(values)).execute();
}

/** Records a certificate `origin` presented that differs from its pin (shown to the operator). */
export async function recordSeenCertificate(db: Kysely<Database>, origin: string, fingerprint256: string, pem: string, now: number): Promise<void> {
  await db.updateTable('bmc_trust').set({ seen_fingerprint256: fingerprint256, seen_pem: pem, seen_at: now }).where('origin', '=', origin).execute();
}

export function listBmcTrust(db: Kysely<Database>, origins: string[]): Promise<BmcTrustTable[]> {
  if (origins.length === 0) return Promise.resolve([]);
  return db.selectFrom('bmc_trust').selectAll().where('origin', 'in', origins).execute();
}

// ---- install media ------------------------------------------------------------------------

export function getInstallMedia(db: Kysely<Database>, instanceId: string): Promise<InstallMediaTable | undefined> {
  return db.selectFrom('install_media').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
}

export function installMediaByToken(db: Kysely<Database>, token: string): Promise<InstallMediaTable | undefined> {
  return db.selectFrom('install_media').selectAll().where('media_token', '=', token).executeTakeFirst();
}

export async function putInstallMedia(db: Kysely<Database>, row: InstallMediaTable): Promise<void> {
  const { instance_id: _id, ...rest } = row;
  await db.insertInto('install_media').values(row).onConflict((oc) => oc.column('instance_id').doUpdateSet(rest)).execute();
}
