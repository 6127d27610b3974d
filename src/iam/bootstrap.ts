/**
 * First start: an operator, a demo tenant, the region and its zones.
 *
 * Idempotent: what exists is kept (found through settings written the first time). Each start
 * then writes `operator-credentials.json` and `demo-credentials.json` into the data folder
 * (mode 0600) as `{SecretId, SecretKey, Region, Endpoint}` with this run's endpoint, so the
 * files are always usable as they are.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listKeysForUser } from '../store/repos/api-keys.ts';
import { upsertRegion, upsertZone, listZones } from '../store/repos/regions.ts';
import { getSetting, setSetting } from '../store/repos/settings.ts';
import { getRootUser } from '../store/repos/users.ts';
import type { Store, Tx } from '../store/store.ts';
import { createAccountWithRoot, createApiKey } from './accounts.ts';
import { getUserCredentials, putUserCredentials } from '../store/repos/user-credentials.ts';
import { hashPassword, randomPassword } from './passwords.ts';
import type { SecretBox } from './secret-box.ts';

export interface BootstrapCredential {
  SecretId: string;
  SecretKey: string;
  Region: string;
  Endpoint: string;
}

/** The demo tenant's console sign-in (root user), also written to demo-credentials.json. */
export interface ConsoleCredential {
  ConsoleAccount: string;
  ConsoleUser: string;
  ConsolePassword: string;
}

export interface BootstrapResult {
  operator: BootstrapCredential & { accountUin: string };
  demo: BootstrapCredential & { accountUin: string };
  demoConsole: ConsoleCredential;
  files: { operator: string; demo: string };
}

const REGION_NAMES: Record<string, [string, string]> = {
  'ap-guangzhou': ['华南地区(广州)', 'South China (Guangzhou)'],
  'ap-shanghai': ['华东地区(上海)', 'East China (Shanghai)'],
  'ap-beijing': ['华北地区(北京)', 'North China (Beijing)'],
};

export async function bootstrap(
  store: Store, box: SecretBox, opts: { dataDir: string; region: string; zones: string[]; endpoint: string; now: number },
): Promise<BootstrapResult> {
  await seedRegion(store.db, opts.region, opts.zones);
  const operator = await ensureAccount(store, box, 'bootstrap.operator', 'operator', 'Cloud operator', opts.now);
  const demo = await ensureAccount(store, box, 'bootstrap.demo', 'tenant', 'Demo tenant', opts.now);
  const files = { operator: join(opts.dataDir, 'operator-credentials.json'), demo: join(opts.dataDir, 'demo-credentials.json') };
  const withEndpoint = (c: { secretId: string; secretKey: string }): BootstrapCredential => ({
    SecretId: c.secretId, SecretKey: c.secretKey, Region: opts.region, Endpoint: opts.endpoint,
  });
  const demoConsole = await ensureConsolePassword(store, box, demo.accountUin, opts.now);
  writeCredentialFile(files.operator, withEndpoint(operator));
  writeCredentialFile(files.demo, { ...withEndpoint(demo), ...demoConsole, ConsoleUrl: `http://${opts.endpoint}/console/` });
  return {
    operator: { ...withEndpoint(operator), accountUin: operator.accountUin },
    demo: { ...withEndpoint(demo), accountUin: demo.accountUin },
    demoConsole,
    files,
  };
}

async function seedRegion(db: Tx, region: string, zones: string[]) {
  const [zh, en] = REGION_NAMES[region] ?? [region, region];
  await upsertRegion(db, { region, name: zh, nameEn: en, state: 'AVAILABLE' });
  const existing = new Set((await listZones(db, region)).map((z) => z.zone));
  let i = existing.size;
  for (const zone of zones) {
    if (existing.has(zone)) continue;
    i += 1;
    const suffix = zone.split('-').pop() ?? String(i);
    await upsertZone(db, {
      zone, region, zoneId: 100000 + hash(region) * 100 + i, name: `${city(zh)}${numeral(suffix)}区`, nameEn: `${city(en)} Zone ${suffix}`,
      state: 'AVAILABLE',
    });
  }
}

const city = (name: string) => /\((.*)\)/.exec(name)?.[1] ?? name;
const numeral = (n: string) => '零一二三四五六七八九'[Number(n)] ?? n;
const hash = (s: string) => [...s].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 997, 7);

async function ensureAccount(store: Store, box: SecretBox, setting: string, kind: 'operator' | 'tenant', name: string, now: number) {
  return store.transaction(async (tx) => {
    let uin = await getSetting(tx, setting);
    if (!uin) {
      const { account } = await createAccountWithRoot(tx, name, kind, now);
      uin = account.uin;
      await setSetting(tx, setting, uin);
    }
    const root = await getRootUser(tx, uin);
    if (!root) throw new Error(`bootstrap: account ${uin} has no root user`);
    const key = (await listKeysForUser(tx, root.id)).find((k) => k.status === 'Active' && !k.tokenHash);
    const pair = key
      ? { secretId: key.secretId, secretKey: box.open(key.secretKeyEnc, key.secretId) }
      : await createApiKey(tx, box, root.id, now);
    return { ...pair, accountUin: uin };
  });
}

/**
 * The demo root user's console password: generated on first start, stored as CAM stores every
 * console password (a slow hash), and kept sealed with the master key so that each start can
 * write it to demo-credentials.json again.
 */
async function ensureConsolePassword(store: Store, box: SecretBox, accountUin: string, now: number): Promise<ConsoleCredential> {
  const setting = 'bootstrap.demo.consolePassword';
  const context = `console-password:${accountUin}`;
  const sealed = await getSetting(store.db, setting);
  if (sealed) return { ConsoleAccount: accountUin, ConsoleUser: 'root', ConsolePassword: box.open(sealed, context) };
  const password = randomPassword();
  const passwordHash = await hashPassword(password);
  await store.transaction(async (tx) => {
    const root = await getRootUser(tx, accountUin);
    if (!root) throw new Error(`bootstrap: account ${accountUin} has no root user`);
    const existing = await getUserCredentials(tx, root.id);
    await putUserCredentials(tx, { userId: root.id, remark: existing?.remark ?? '', consoleLogin: true, passwordHash, updatedAt: now });
    await setSetting(tx, setting, box.seal(password, context));
  });
  return { ConsoleAccount: accountUin, ConsoleUser: 'root', ConsolePassword: password };
}

function writeCredentialFile(path: string, credential: object) {
  writeFileSync(path, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
