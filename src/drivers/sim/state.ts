/**
 * What one simulated server remembers — the state a real machine keeps in its BMC, its RAID
 * controller, its NVRAM and on its disks, and nothing more.
 *
 * - `power` and `bootDevice`: what the BMC reports and what the next boot will use.
 * - `raid`: the layout the controller holds (`RAID1`, `NORAID`…), null before the first build.
 * - `os`: what the installer wrote: instance id, OS, host name, the login password's crypt
 *   hash exactly as given (never a clear password), the static network.
 * - `disks`: one state per physical disk, in inventory order; disk 0 is the system disk.
 *   `clean` — factory new, never written; `dirty` — holds data (an OS, a tenant's files);
 *   `wiped` — erased. Cleaning is finished when no disk is dirty.
 * - `bmc`: the address it answers at and its accounts, each a username, the SHA-256 of its
 *   password and a role. `adminUsername` names the account BMS drives the server with.
 * - `heartbeatVlan`: the VLAN of the server's heartbeat switch port (null = default VLAN).
 * - `inventory`: the hardware itself, fixed when the server is racked.
 *
 * The shape is a zod schema so that the stored JSON is checked when read back (`codec.ts`);
 * `version` lets a later shape migrate an older one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Inventory, PowerStateReading } from '../interfaces/hardware.ts';

export const DISK_STATES = ['clean', 'dirty', 'wiped'] as const;
export type DiskState = (typeof DISK_STATES)[number];

export const inventorySchema = z.object({
  sn: z.string().min(1),
  cpuModel: z.string().min(1),
  cpuCores: z.number().int().positive(),
  cpuArch: z.enum(['X86', 'ARM']),
  memoryGb: z.number().int().positive(),
  disks: z.array(z.object({ type: z.string().min(1), sizeGb: z.number().positive() })).min(1),
  nicPorts: z.number().int().positive(),
});

const accountSchema = z.object({
  username: z.string().min(1),
  passwordSha256: z.string().regex(/^[0-9a-f]{64}$/),
  role: z.enum(['ReadOnly', 'Operator', 'Administrator']),
});

const installedOsSchema = z.object({
  instanceId: z.string(),
  osType: z.string(),
  osName: z.string(),
  hostName: z.string(),
  passwordHash: z.string(),
  /** The monitoring agent installed with the OS: where it pushes, and its token's SHA-256 (never the token). */
  monitorAgent: z.object({ endpoint: z.string(), tokenSha256: z.string() }).nullable().optional(),
  network: z.object({
    address: z.string(),
    prefixLength: z.number(),
    gateway: z.string(),
    backupAddresses: z.array(z.string()),
    vlan: z.number().optional(),
  }),
});

export const simServerStateSchema = z
  .object({
    version: z.literal(1),
    inventory: inventorySchema,
    bmc: z.object({ address: z.string().min(1), adminUsername: z.string().min(1), accounts: z.array(accountSchema) }),
    power: z.enum(['on', 'off']),
    bootDevice: z.enum(['disk', 'pxe', 'cdrom']),
    raid: z.string().nullable(),
    os: installedOsSchema.nullable(),
    disks: z.array(z.enum(DISK_STATES)),
    heartbeatVlan: z.number().int().nullable(),
  })
  .refine((s) => s.disks.length === s.inventory.disks.length, { message: 'one disk state per inventory disk' })
  .refine((s) => s.bmc.accounts.some((a) => a.username === s.bmc.adminUsername), { message: 'the admin account exists' });

export type SimServerState = z.infer<typeof simServerStateSchema>;
export type BmcAccountRecord = SimServerState['bmc']['accounts'][number];
export type InstalledOs = NonNullable<SimServerState['os']>;

/** The hardware racked by `addServer`: what it is and how its BMC's admin logs in. */
export interface SimHardwareSpec {
  inventory: Inventory;
  bmc: { address: string; username: string; password: string };
}

/** A freshly racked server: disks clean, no RAID, no OS, boot from disk, default VLAN. */
export function newServerState(spec: SimHardwareSpec, power: PowerStateReading = 'off'): SimServerState {
  const inventory = inventorySchema.parse(spec.inventory);
  const admin: BmcAccountRecord = { username: spec.bmc.username, passwordSha256: sha256(spec.bmc.password), role: 'Administrator' };
  return simServerStateSchema.parse({
    version: 1,
    inventory,
    bmc: { address: spec.bmc.address, adminUsername: spec.bmc.username, accounts: [admin] },
    power,
    bootDevice: 'disk',
    raid: null,
    os: null,
    disks: inventory.disks.map(() => 'clean'),
    heartbeatVlan: null,
  });
}

export function sha256(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/** Whether `password` is the password of `account` (compared in constant time). */
export function passwordMatches(account: BmcAccountRecord, password: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(password), 'hex'), Buffer.from(account.passwordSha256, 'hex'));
}

/** One word for all the disks: `dirty` if any holds data, else `wiped` if any was erased, else `clean`. */
export function diskSummary(disks: readonly DiskState[]): DiskState {
  if (disks.includes('dirty')) return 'dirty';
  return disks.includes('wiped') ? 'wiped' : 'clean';
}
