/**
 * Sample records for the conformance suite.
 *
 * Numbers are chosen to catch type bugs: AppIds and times sit far above 2^31 (where a 32-bit
 * integer or an unparsed PostgreSQL int8 string would show), but below 2^53.
 */
import type { Account } from '../repos/accounts.ts';
import type { ApiKey } from '../repos/api-keys.ts';
import type { Region, Zone } from '../repos/regions.ts';
import type { User } from '../repos/users.ts';

export const BIG_APP_ID = 1_300_000_000_123;
export const T0 = 1_700_000_000_000;

/** Account number `n` (1, 2, …): distinct uin, appId and uuid per n. */
export function anAccount(n: number, overrides: Partial<Account> = {}): Account {
  return {
    uin: `10000000${String(n).padStart(4, '0')}`,
    appId: BIG_APP_ID + n - 1,
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: `account-${n}`,
    kind: 'tenant',
    createdAt: T0 + n,
    ...overrides,
  };
}

/** The root user of `account`, whose uin equals the account's. */
export function aRootUser(account: Account, overrides: Partial<User> = {}): User {
  return {
    id: `user-${account.uin}-root`,
    accountUin: account.uin,
    name: 'root',
    uin: account.uin,
    isRoot: true,
    createdAt: account.createdAt,
    ...overrides,
  };
}

/** A sub-user of `account`. */
export function aSubUser(account: Account, name: string, overrides: Partial<User> = {}): User {
  return {
    id: `user-${account.uin}-${name}`,
    accountUin: account.uin,
    name,
    uin: `2${account.uin}${name.length}`,
    isRoot: false,
    createdAt: account.createdAt + 1000,
    ...overrides,
  };
}

export function aKey(user: User, secretId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    secretId,
    userId: user.id,
    secretKeyEnc: `enc:v1:${secretId}:c2VjcmV0`,
    status: 'Active',
    createdAt: user.createdAt + 1,
    ...overrides,
  };
}

export const GUANGZHOU: Region = { region: 'ap-guangzhou', name: '华南地区(广州)', nameEn: 'South China(Guangzhou)', state: 'AVAILABLE' };
export const SHANGHAI: Region = { region: 'ap-shanghai', name: '华东地区(上海)', nameEn: 'East China(Shanghai)', state: 'AVAILABLE' };

export const GUANGZHOU_3: Zone = {
  zone: 'ap-guangzhou-3',
  region: 'ap-guangzhou',
  zoneId: 100003,
  name: '广州三区',
  nameEn: 'Guangzhou Zone 3',
  state: 'AVAILABLE',
};
export const GUANGZHOU_4: Zone = { ...GUANGZHOU_3, zone: 'ap-guangzhou-4', zoneId: 100004, name: '广州四区', nameEn: 'Guangzhou Zone 4' };
export const SHANGHAI_2: Zone = {
  zone: 'ap-shanghai-2',
  region: 'ap-shanghai',
  zoneId: 200002,
  name: '上海二区',
  nameEn: 'Shanghai Zone 2',
  state: 'AVAILABLE',
};
