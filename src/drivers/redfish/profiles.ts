/**
 * Vendor profiles: every way a BMC differs from the Redfish standard, in one declarative table.
 *
 * A profile is the default below with the rows whose `match` fits the BMC applied in order
 * (the service root's `Vendor`, the manager's / system's `Manufacturer` and `Model`). Each row
 * says what it changes and why; test/redfish-profiles.test.ts has one case per row. Nothing in
 * the driver tests a vendor name — it reads the profile.
 *
 * Deadlines: one per operation (not stacked connect/read/retry timeouts). A call made on
 * behalf of an operation gets whatever is left of it; bounded retries happen inside it.
 */

export type OperationClass = 'read' | 'power' | 'boot' | 'media' | 'accounts' | 'raid' | 'erase' | 'install';

export interface RedfishProfile {
  /** Names of the rows applied, for the operator's server view. */
  applied: string[];
  deadlinesMs: Record<OperationClass, number>;
  /** How long a graceful shutdown may take before the power is forced off. */
  gracefulOffMs: number;
  /** Pause between state polls (power, tasks, install callback) unless the BMC says Retry-After. */
  pollMs: number;
  /** Attempts of one request on a transient failure (503, dropped connection, stale ETag). */
  attempts: number;
  /** Send `If-Match: *` on PATCH even when the BMC gave no ETag (HPE iLO refuses PATCH without it). */
  ifMatchAlways: boolean;
  /** The BMC ignores `If-Match` or answers 412 at random; PATCH without it (Supermicro). */
  ifMatchNever: boolean;
  /** Virtual media is inserted by PATCHing Image/Inserted, not by the InsertMedia action. */
  mediaInsertByPatch: boolean;
  /** Accounts live in fixed slots: a new one is a PATCH of an empty slot, a removal empties it (iDRAC, XCC). */
  accountSlots: boolean;
  /** Reset types to power-cycle a running system, first supported wins. */
  rebootResetTypes: string[];
  /** Sessions the BMC allows at once (we use one; kept for the operator's view). */
  sessionLimit: number;
  /** Boot override also needs `BootSourceOverrideMode` repeated (some firmware resets it to Legacy). */
  bootModeWithOverride: boolean;
}

export interface BmcIdentity {
  vendor?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
}

interface Row {
  name: string;
  why: string;
  match: (id: BmcIdentity) => boolean;
  apply: Partial<Omit<RedfishProfile, 'applied'>> | ((p: RedfishProfile) => Partial<Omit<RedfishProfile, 'applied'>>);
}

const MINUTE = 60_000;

export const DEFAULT_PROFILE: RedfishProfile = {
  applied: [],
  deadlinesMs: { read: 30_000, power: 5 * MINUTE, boot: MINUTE, media: 2 * MINUTE, accounts: MINUTE, raid: 30 * MINUTE, erase: 60 * MINUTE, install: 110 * MINUTE },
  gracefulOffMs: 2 * MINUTE,
  pollMs: 1_000,
  attempts: 3,
  ifMatchAlways: false,
  ifMatchNever: false,
  mediaInsertByPatch: false,
  accountSlots: false,
  rebootResetTypes: ['ForceRestart', 'PowerCycle', 'GracefulRestart'],
  sessionLimit: 8,
  bootModeWithOverride: false,
};

const text = (s: string | undefined) => (s ?? '').toLowerCase();
const made = (word: string) => (id: BmcIdentity) => text(id.vendor).includes(word) || text(id.manufacturer).includes(word);

/** The table. Order matters only where two rows touch the same field (later wins). */
export const QUIRKS: readonly Row[] = [
  {
    name: 'dell-idrac',
    why: 'iDRAC: accounts are 16 fixed slots; jobs are slow (power actions up to 10 min on a busy iDRAC); few concurrent sessions',
    match: made('dell'),
    apply: (p) => ({ accountSlots: true, sessionLimit: 4, deadlinesMs: { ...p.deadlinesMs, power: 10 * MINUTE, media: 5 * MINUTE } }),
  },
  {
    name: 'hpe-ilo',
    why: 'iLO 5/6 refuse a PATCH without If-Match on ETag-protected resources',
    match: made('hpe'),
    apply: { ifMatchAlways: true },
  },
  {
    name: 'lenovo-xcc',
    why: 'XCC: accounts are fixed slots; boot override mode reverts to Legacy unless repeated',
    match: made('lenovo'),
    apply: { accountSlots: true, bootModeWithOverride: true },
  },
  {
    name: 'supermicro',
    why: 'Supermicro: ETags change on every read, so If-Match is unreliable; virtual media by PATCH on older firmware',
    match: made('supermicro'),
    apply: { ifMatchNever: true, mediaInsertByPatch: true },
  },
  {
    name: 'openbmc',
    why: 'OpenBMC: no PowerCycle; graceful shutdown needs the host agent and is often ignored, so force sooner',
    match: (id) => text(id.vendor).includes('openbmc') || text(id.model).includes('openbmc'),
    apply: { rebootResetTypes: ['ForceRestart', 'GracefulRestart'], gracefulOffMs: 30_000 },
  },
  {
    name: 'sushy-emulator',
    why: 'sushy-tools emulator: power changes land 1–11 s after the request; poll faster and give power 1 min',
    match: (id) => text(id.manufacturer).includes('sushy') || text(id.vendor).includes('redvirt'),
    apply: (p) => ({ pollMs: 500, gracefulOffMs: 15_000, deadlinesMs: { ...p.deadlinesMs, power: MINUTE } }),
  },
  {
    name: 'bms-lab',
    why: "BMS's own Redfish face of the simulated datacenter: timings are the lab's, scaled; poll often",
    match: (id) => text(id.vendor) === 'bms lab',
    apply: { pollMs: 50, gracefulOffMs: 10_000 },
  },
];

/** The profile for a BMC: the default with every matching row applied. */
export function profileFor(id: BmcIdentity, overrides: Partial<RedfishProfile> = {}): RedfishProfile {
  let profile: RedfishProfile = structuredClone(DEFAULT_PROFILE);
  for (const row of QUIRKS) {
    if (!row.match(id)) continue;
    const change = typeof row.apply === 'function' ? row.apply(profile) : row.apply;
    profile = { ...profile, ...structuredClone(change), applied: [...profile.applied, row.name] };
  }
  return { ...profile, ...overrides, applied: profile.applied };
}
