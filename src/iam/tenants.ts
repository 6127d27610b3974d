/**
 * Tenants as operators create them: an account with its root user and one root key pair,
 * in one transaction, the key handed out once (and recorded as a secret read).
 */
import type { Account } from '../store/repos/accounts.ts';
import type { User } from '../store/repos/users.ts';
import type { Store } from '../store/store.ts';
import { createAccountWithRoot } from './accounts.ts';
import type { SecretBox } from './secret-box.ts';
import { createUserKeyIn, type NewKey, type SecretReader } from './users.ts';

export async function createTenant(store: Store, box: SecretBox, name: string, reader: SecretReader): Promise<{ account: Account; root: User; key: NewKey }> {
  return store.transaction(async (tx) => {
    const { account, root } = await createAccountWithRoot(tx, name, 'tenant', reader.now);
    return { account, root, key: await createUserKeyIn(tx, box, root, reader) };
  });
}
