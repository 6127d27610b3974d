/**
 * Per-account security settings (`account_security`), and the operator's default for accounts
 * created from now on (`settings`).
 *
 * An account without a row follows the current default. So that changing the default affects
 * only accounts created afterwards, `setDefaultRequireSignedAction` first writes the old default
 * into a row for every account that has none — in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { getSetting, setSetting } from './settings.ts';

const DEFAULT_KEY = 'security.requireSignedAction.default';

export async function defaultRequireSignedAction(db: Kysely<Database>): Promise<boolean> {
  return (await getSetting(db, DEFAULT_KEY)) === '1';
}

/** The account's own setting, or undefined when it follows the default. */
export async function accountRequireSignedAction(db: Kysely<Database>, accountUin: string): Promise<boolean | undefined> {
  const row = await db.selectFrom('account_security').select('require_signed_action').where('account_uin', '=', accountUin).executeTakeFirst();
  return row === undefined ? undefined : Number(row.require_signed_action) === 1;
}

/** Whether mutating calls of the account must sign X-TC-Action (its setting, else the default). */
export async function requiresSignedAction(db: Kysely<Database>, accountUin: string): Promise<boolean> {
  return (await accountRequireSignedAction(db, accountUin)) ?? (await defaultRequireSignedAction(db));
}

export async function setAccountRequireSignedAction(db: Kysely<Database>, accountUin: string, on: boolean, now: number): Promise<void> {
  const value = on ? 1 : 0;
  await db.insertInto('account_security').values({ account_uin: accountUin, require_signed_action: value, updated_at: now })
    .onConflict((oc) => oc.column('account_uin').doUpdateSet({ require_signed_action: value, updated_at: now }))
    .execute();
}

/** Sets the default for accounts created from now on; run in a transaction. */
export async function setDefaultRequireSignedAction(db: Kysely<Database>, on: boolean, now: number): Promise<void> {
  const old = (await defaultRequireSignedAction(db)) ? 1 : 0;
  await db.insertInto('account_security')
    .columns(['account_uin', 'require_signed_action', 'updated_at'])
    .expression((eb) => eb.selectFrom('accounts').select((s) => ['accounts.uin', s.val(old).as('require_signed_action'), s.val(now).as('updated_at')])
      .where('accounts.uin', 'not in', eb.selectFrom('account_security').select('account_security.account_uin')))
    .execute();
  await setSetting(db, DEFAULT_KEY, on ? '1' : '0');
}
