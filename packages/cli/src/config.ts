/**
 * Profiles: `<config dir>/<profile>.configure` (region, endpoint, output, language) and
 * `<profile>.credential` (secretId, secretKey, token), like tccli's, both mode 0600 in a 0700
 * folder — `$BMS_CONFIG_DIR`, else `~/.bms`. What is used, first found wins: command-line
 * options, the environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY,
 * TENCENTCLOUD_SESSION_TOKEN, TENCENTCLOUD_REGION, BMS_ENDPOINT), a `--credentials-file` (the
 * JSON files `npm start` writes), the profile, the defaults.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './exit-codes.ts';

export interface Profile {
  region?: string;
  endpoint?: string;
  output?: string;
  language?: string;
}

export interface ProfileCredential {
  secretId?: string;
  secretKey?: string;
  token?: string;
}

export const configDir = (env: NodeJS.ProcessEnv) => env.BMS_CONFIG_DIR || join(homedir(), '.bms');

const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checkName(name: string) {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`profile name "${name}" must be 1–64 letters, digits, '_', '.', '-'`);
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message})`);
  }
}

export function readProfile(env: NodeJS.ProcessEnv, name: string): { profile: Profile; credential: ProfileCredential } {
  checkName(name);
  const dir = configDir(env);
  return {
    profile: readJson<Profile>(join(dir, `${name}.configure`)) ?? {},
    credential: readJson<ProfileCredential>(join(dir, `${name}.credential`)) ?? {},
  };
}

function writeSecret(path: string, data: object) {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on write
}

export function writeProfile(env: NodeJS.ProcessEnv, name: string, profile: Profile, credential: ProfileCredential): string {
  checkName(name);
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const old = readProfile(env, name);
  const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
  writeSecret(join(dir, `${name}.configure`), { ...old.profile, ...clean(profile) });
  writeSecret(join(dir, `${name}.credential`), { ...old.credential, ...clean(credential) });
  return dir;
}

export function listProfiles(env: NodeJS.ProcessEnv): string[] {
  const dir = configDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.configure')).map((f) => f.slice(0, -'.configure'.length)).sort();
}

/** The credential JSON `npm start` writes: {SecretId, SecretKey, Region, Endpoint}. */
export function readCredentialsFile(path: string): { secretId: string; secretKey: string; token?: string; region?: string; endpoint?: string } {
  if (!existsSync(path)) throw new UsageError(`credentials file ${path} does not exist`);
  const j = readJson<Record<string, string>>(path)!;
  const secretId = j.SecretId ?? j.secretId;
  const secretKey = j.SecretKey ?? j.secretKey;
  if (!secretId || !secretKey) throw new UsageError(`credentials file ${path} has no SecretId/SecretKey`);
  const token = j.Token ?? j.token;
  const region = j.Region ?? j.region;
  const endpoint = j.Endpoint ?? j.endpoint;
  return { secretId, secretKey, ...(token ? { token } : {}), ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) };
}
