/**
 * Test support for billing: a bare store with accounts and instances whose lifecycles a test
 * drives through the real lifecycle gate at times of its choosing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvent } from '../../src/lifecycle/gate.ts';
import type { LifecycleEvent } from '../../src/lifecycle/transitions.ts';
import { setPrice } from '../../src/store/repos/billing.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

export async function sqliteStore(): Promise<{ store: Store; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bms-billing-'));
  const store = await openStore({ dataDir: dir });
  return { store, async dispose() { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export async function addAccount(store: Store, uin: string, now: number): Promise<void> {
  await store.db.insertInto('accounts').values({ uin, app_id: Number(uin), uuid: `uuid-${uin}`, name: `tenant ${uin}`, kind: 'tenant', created_at: now })
    .onConflict((oc) => oc.column('uin').doNothing()).execute();
}

export async function addInstances(store: Store, rows: Array<{ id: string; accountUin: string; flavorId: string }>, now: number): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await store.db.insertInto('instances').values(rows.slice(i, i + 200).map((r) => ({
      id: r.id, account_uin: r.accountUin, zone: 'ap-guangzhou-1', flavor_id: r.flavorId, server_id: null, name: r.id, host_name: r.id,
      os_type: 'Linux', os_name: 'CentOS 7.9', cpu_arch: 'x86_64', raid_type: 'RAID0', status: 'PENDING', vpc_id: 'vpc-x', subnet_id: 'subnet-x',
      private_ip: null, password_hash: null, enhanced_service: '{}', user_defined: 0 as const, group_id: null, error: null,
      created_at: now, updated_at: now, deleted_at: null,
    }))).execute();
  }
}

export async function flavorPrice(store: Store, flavorId: string, cents: number, from = 0): Promise<void> {
  await setPrice(store.db, { product: 'flavor', key: flavorId, from, cents });
}

export async function apply(store: Store, ids: string[], event: LifecycleEvent, at: number): Promise<void> {
  await store.transaction((tx) => applyEvent(tx, ids, event, at));
}
