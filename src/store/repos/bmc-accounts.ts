/**
 * Tenant BMC accounts: the account created on an instance's server so that its tenant can
 * reach the BMC (never the operator's admin account), one per instance.
 *
 * The password is stored only sealed by the master key (context = the instance id, so a
 * sealed value copied onto another row does not open); this module never sees it in clear.
 * The row is written BEFORE the account is created on the BMC, so a crash in between leaves a
 * record of an account that may exist — never an account nobody knows about.
 */
import type { Kysely, Selectable } from 'kysely';
import type { BmcAccountsTable, Database } from '../schema.ts';

export interface BmcAccountRecord {
  instanceId: string;
  serverId: string;
  username: string;
  /** Sealed (iam/secret-box), context = instanceId. */
  passwordEnc: string;
  createdAt: number;
}

export async function getBmcAccount(db: Kysely<Database>, instanceId: string): Promise<BmcAccountRecord | undefined> {
  const row = await db.selectFrom('bmc_accounts').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
  return row && toRecord(row);
}

/** Inserts the record unless the instance already has one; returns the record that is stored. */
export async function insertBmcAccount(db: Kysely<Database>, r: BmcAccountRecord): Promise<BmcAccountRecord> {
  await db.insertInto('bmc_accounts')
    .values({ instance_id: r.instanceId, server_id: r.serverId, username: r.username, password_enc: r.passwordEnc, created_at: r.createdAt })
    .onConflict((oc) => oc.column('instance_id').doNothing()).execute();
  return (await getBmcAccount(db, r.instanceId))!;
}

/** Deletes the instance's record; false when there was none. */
export async function deleteBmcAccount(db: Kysely<Database>, instanceId: string): Promise<boolean> {
  const result = await db.deleteFrom('bmc_accounts').where('instance_id', '=', instanceId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function toRecord(row: Selectable<BmcAccountsTable>): BmcAccountRecord {
  return { instanceId: row.instance_id, serverId: row.server_id, username: row.username, passwordEnc: row.password_enc, createdAt: Number(row.created_at) };
}
