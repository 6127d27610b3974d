/**
 * The database as TypeScript sees it.
 *
 * Kysely type-checks every query against this `Database` interface: a table is a property, a
 * column is a field, and a typo in either is a compile error rather than a runtime one. The
 * interface describes the rows exactly as they are stored, so names stay snake_case here; the
 * repositories in `repos/` translate rows to camelCase domain objects at the boundary.
 *
 * One code path serves SQLite and PostgreSQL, which forces two conventions:
 *   - times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL), surfaced as `number`
 *     (the PostgreSQL pool parses int8 into a number; see `postgres/pg-types.ts`);
 *   - booleans are INTEGER 0/1 (`Flag`), because SQLite has no boolean type.
 *
 * This file must match what `migrations/` creates; the conformance suite proves it by round
 * trips on both backends.
 */

/** An INTEGER column holding 0 (false) or 1 (true). */
export type Flag = 0 | 1;

/** Whether an account belongs to a customer or to the people who run the cloud. */
export type AccountKind = 'tenant' | 'operator';

/** Whether an API key may sign requests. */
export type KeyStatus = 'Active' | 'Inactive';

/** A Tencent-style account: the tenant boundary; every resource belongs to one. */
export interface AccountsTable {
  uin: string;
  app_id: number;
  uuid: string;
  name: string;
  kind: AccountKind;
  created_at: number;
}

/** A user inside an account; exactly one per account is the root user. */
export interface UsersTable {
  id: string;
  account_uin: string;
  name: string;
  uin: string;
  is_root: Flag;
  created_at: number;
}

/** A SecretId/SecretKey pair; the key is stored as ciphertext made by the caller. */
export interface ApiKeysTable {
  secret_id: string;
  user_id: string;
  secret_key_enc: string;
  status: KeyStatus;
  created_at: number;
  /** Temporary credentials only: SHA-256 (hex) of the token, and when the key stops working. */
  token_hash: string | null;
  expires_at: number | null;
}

export interface RegionsTable {
  region: string;
  name: string;
  name_en: string;
  state: string;
}

export interface ZonesTable {
  zone: string;
  region: string;
  zone_id: number;
  name: string;
  name_en: string;
  state: string;
}

/** Signatures of recently accepted mutating requests, kept until they expire. */
/** A signed mutating request while it runs, then its answer, until its timestamp window ends (0035). */
export interface RequestRepeatsTable {
  key: string;
  request_id: string;
  state: 'running' | 'done';
  answer: string | null;
  expires_at: number;
  lease_until: number;
}

/** Free-form service settings, one string per key. */
export interface SettingsTable {
  key: string;
  value: string;
}

// ---- fleet (migration 0005) ------------------------------------------------------------------

export interface SwitchesTable { id: string; zone: string; name: string; created_at: number }
export interface RacksTable { id: string; zone: string; switch_id: string; name: string; created_at: number }

export type ServerState = 'available' | 'allocated' | 'cleaning' | 'maintenance';
export type PowerState = 'on' | 'off' | 'unknown';

export interface ServersTable {
  id: string;
  sn: string;
  zone: string;
  switch_id: string;
  rack_id: string;
  rack_unit: number;
  hardware_type: string;
  bmc_address: string;
  bmc_username: string;
  /** Sealed by the master key (iam/secret-box), context = server id. */
  bmc_password_enc: string;
  cpu_model: string;
  cpu_cores: number;
  cpu_arch: string;
  memory_gb: number;
  /** JSON `[{ "type": "SSD", "sizeGb": 960 }]`. */
  disks: string;
  nic_ports: number;
  flavor_id: string | null;
  state: ServerState;
  maintenance_reason: string | null;
  instance_id: string | null;
  power_state: PowerState;
  /** When the power-state sync next reads this server's BMC (ms); null = due now (migration 0080). */
  power_due_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface FlavorsTable {
  id: string;
  name: string;
  zone: string;
  cpu: string;
  memory: string;
  system_disk: string;
  net_speed: string;
  cpu_arch: string;
  flavor_type: string;
  network_ports: number;
  /** JSON array of RAID type names. */
  raid_types: string;
  user_defined: Flag;
  owner_uin: string | null;
  sold_out: Flag;
  hourly_price: string;
  created_at: number;
}

export interface OsImagesTable { id: string; os_type: string; name: string; cpu_arch: string; created_at: number }
export interface FlavorOsImagesTable { flavor_id: string; image_id: string }
export interface SimHardwareTable { server_id: string; state: string; faults: string; updated_at: number }

// ---- network (migration 0006) ----------------------------------------------------------------

export interface VpcsTable { id: string; account_uin: string; region: string; name: string; cidr: string; ipv6_cidr: string | null; created_at: number }

export interface SubnetsTable {
  id: string;
  account_uin: string;
  vpc_id: string;
  zone: string;
  name: string;
  cidr: string;
  ipv6_cidr: string | null;
  is_bms: Flag;
  created_at: number;
}

export type IpKind = 'primary' | 'backup' | 'vip' | 'ipv6';

export interface IpAllocationsTable {
  subnet_id: string;
  address: string;
  address_num: number;
  account_uin: string;
  kind: IpKind;
  owner_id: string | null;
  created_at: number;
}

// ---- instances and tasks (migration 0007) ----------------------------------------------------

export interface InstancesTable {
  id: string;
  account_uin: string;
  zone: string;
  flavor_id: string;
  server_id: string | null;
  name: string;
  host_name: string;
  os_type: string;
  os_name: string;
  cpu_arch: string;
  raid_type: string;
  /** Written only by the lifecycle gate (src/lifecycle). */
  status: string;
  vpc_id: string;
  subnet_id: string;
  private_ip: string | null;
  password_hash: string | null;
  enhanced_service: string;
  user_defined: Flag;
  group_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** Live (not terminated) instances per account, kept by triggers on `instances` (migration 0013). */
export interface InstanceCountsTable { account_uin: string; live: number }

export interface RunRequestsTable { account_uin: string; client_token: string; request_hash: string; result: string; created_at: number }

export type TaskStatus = 'RUNNING' | 'SUCCESS' | 'FAILED';

export interface TasksTable {
  id: number;
  account_uin: string;
  action: string;
  flow: string;
  instance_id: string | null;
  server_id: string | null;
  status: TaskStatus;
  steps: string;
  step_index: number;
  context: string;
  error: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  next_run_at: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface LocksTable { name: string; owner: string; expires_at: number }
export interface SequencesTable { name: string; value: number }

// ---- placement, heartbeat VLANs, public IPs, out-of-band access (migration 0008) ----------------

export interface PlacementGroupsTable { id: string; account_uin: string; region: string; name: string; type: string; created_at: number; updated_at: number }
export interface VlanRangesTable { zone: string; first_vlan: number; last_vlan: number }
export interface HeartbeatGroupsTable { id: string; account_uin: string; region: string; name: string; vlan_id: number; created_at: number; updated_at: number }
export interface HeartbeatMembersTable { instance_id: string; group_id: string; created_at: number }
export interface SwitchPortsTable { server_id: string; heartbeat_vlan: number | null; updated_at: number }
export interface EipPoolTable { address: string; region: string; isp: string; created_at: number }
export interface EipsTable {
  id: string; account_uin: string; region: string; address: string; isp: string; name: string; bandwidth: number;
  instance_id: string | null; private_ip: string | null; created_at: number; updated_at: number;
}
export interface OutbandMappingsTable { instance_id: string; vpc_id: string; subnet_id: string; account_uin: string; vip: string; ports: string; created_at: number }
export interface BmcAccountsTable { instance_id: string; server_id: string; username: string; password_enc: string; created_at: number }
export interface SecretReadsTable {
  id: string; kind: string; account_uin: string; user_uin: string; secret_id: string; resource_id: string; request_id: string; source_ip: string; at: number;
}

// ---- identity and access management (migration 0009) ----------------------------------------

/** A user's console login: remark, whether it may log in, and its password as a scrypt hash (never the password). */
export interface UserCredentialsTable { user_id: string; remark: string; console_login: Flag; password_hash: string | null; updated_at: number }
/** A CAM policy document of an account (the JSON text as submitted, validated). */
export interface PoliciesTable { id: number; account_uin: string; name: string; document: string; description: string; created_at: number; updated_at: number }
export interface UserPoliciesTable { user_id: string; policy_id: number; attached_at: number }
/** The policy that narrows one temporary key (GetFederationToken's Policy). */
export interface SessionPoliciesTable { secret_id: string; document: string }

// ---- abuse resistance: shared rate counters, operator limits, audit trail (migration 0010) -------

/** Bytes out of one EIP in one UTC hour (migration 0030): written by monitoring, charged by billing. */
export interface EipTrafficHoursTable {
  eip_id: string; hour_start: number; account_uin: string; region: string; isp: string; address: string; bytes_out: number; updated_at: number;
}

/** The `redfish` hardware type (migration 0060): shared BMC sessions, pinned certificates, install media. */
export interface RedfishSessionsTable { bmc_key: string; token_enc: string; location: string; credential: string; created_at: number }
export interface BmcTrustTable {
  origin: string; fingerprint256: string; pem: string; accepted_at: number;
  seen_fingerprint256: string | null; seen_pem: string | null; seen_at: number | null;
}
export interface InstallMediaTable {
  instance_id: string; server_id: string; media_token: string; callback_sha256: string; seed_enc: string; os_name: string;
  expires_at: number; completed_at: number | null; finished_at: number | null;
}
// ---- tags of every taggable resource and the account's tag catalogue (migration 0031) ----------

/** One tag on one resource; `resource_kind` is the CAM resource type (instance, ps, heartbeat, vpc, subnet, eip). */
export interface ResourceTagsTable {
  resource_kind: string; resource_id: string; tag_key: string; tag_value: string; account_uin: string; region: string; created_at: number;
}
/** The account's tags (CreateTag, or attached to a resource), listed by the tag service. */
export interface TagCatalogueTable { account_uin: string; tag_key: string; tag_value: string; created_at: number }
/** Pushed samples not yet compacted (migration 0040): one row per (instance, source, 10 s slot). */
export interface MetricInboxTable { instance_id: string; source: string; ts: number; data: Buffer }
/** Packed points of one series in one window (migration 0040); period 10 = raw samples. */
export interface MetricChunksTable { instance_id: string; metric: number; period: number; window_start: number; points: number; data: Buffer }

/** An instance's monitoring-agent credential (migration 0041): the token's SHA-256 only. */
export interface MonitorAgentsTable { instance_id: string; account_uin: string; token_sha256: string; created_at: number; rotated_at: number }

// ---- alarms (migration 0042) ------------------------------------------------------------------

export interface AlarmPoliciesTable {
  id: string; account_uin: string; region: string; name: string; remark: string; enable: number; project_id: number;
  /** JSON array of AlarmRule (src/store/repos/alarms.ts). */
  rules: string;
  notice_ids: string; webhook_url: string | null;
  /** Sealed by the master key, context = policy id. */
  webhook_secret_enc: string;
  last_edit_uin: string; created_at: number; updated_at: number;
}
export interface AlarmBindingsTable { policy_id: string; kind: 'instance' | 'tag'; instance_id: string; tag_key: string; tag_value: string }
export interface AlarmStatesTable { policy_id: string; rule: number; instance_id: string; last_bucket: number; breaches: number; alarm_id: string | null; last_notified: number | null }
export interface AlarmHistoriesTable {
  id: string; account_uin: string; region: string; policy_id: string; policy_name: string; instance_id: string; metric: string; period: number;
  value: string; content: string; status: 'ALARM' | 'OK'; first_occur: number; last_occur: number;
}
export interface AlarmDeliveriesTable {
  id: string; alarm_id: string; policy_id: string; event: 'ALARM' | 'OK'; payload: string; status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number; next_at: number | null; last_http_code: number; last_error: string | null; created_at: number;
}

export interface RateCountersTable { key: string; window: number; count: number }
export interface RateLimitsTable { account_uin: string; service: string; action: string; per_second: number; updated_at: number }
// ---- web console (migration 0070) ----------------------------------------------------------------

export interface ConsoleSessionsTable {
  token_hash: string; account_uin: string; user_id: string; source_ip: string; created_at: number; last_seen_at: number; expires_at: number;
}
export interface ConsolePreferencesTable { user_id: string; language: string; updated_at: number }

export interface AuditEventsTable {
  id: string; at: number; account_uin: string; user_uin: string; secret_id: string; service: string; action: string; region: string;
  /** JSON array of resource ids. */
  resource_ids: string;
  result_code: string; request_id: string; source_ip: string;
  /** The RequestId whose answer this repeat was given (0035); null for an executed call. */
  repeat_of?: string | null;
}
/** What a TC3 signature without a signed X-TC-Action was first used for (0036). */
export interface SignatureUsesTable { signature: string; service: string; action: string; expires_at: number }
/** Per-account security settings (0036): 1 = mutating calls must sign X-TC-Action. */
export interface AccountSecurityTable { account_uin: string; require_signed_action: number; updated_at: number }

export interface AuditResourcesTable { resource_id: string; event_id: string }

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  regions: RegionsTable;
  zones: ZonesTable;
  request_repeats: RequestRepeatsTable;
  signature_uses: SignatureUsesTable;
  account_security: AccountSecurityTable;
  settings: SettingsTable;
  switches: SwitchesTable;
  racks: RacksTable;
  servers: ServersTable;
  flavors: FlavorsTable;
  os_images: OsImagesTable;
  flavor_os_images: FlavorOsImagesTable;
  sim_hardware: SimHardwareTable;
  vpcs: VpcsTable;
  subnets: SubnetsTable;
  ip_allocations: IpAllocationsTable;
  instances: InstancesTable;
  run_requests: RunRequestsTable;
  tasks: TasksTable;
  locks: LocksTable;
  sequences: SequencesTable;
  placement_groups: PlacementGroupsTable;
  vlan_ranges: VlanRangesTable;
  heartbeat_groups: HeartbeatGroupsTable;
  heartbeat_members: HeartbeatMembersTable;
  switch_ports: SwitchPortsTable;
  eip_pool: EipPoolTable;
  eips: EipsTable;
  outband_mappings: OutbandMappingsTable;
  bmc_accounts: BmcAccountsTable;
  secret_reads: SecretReadsTable;
  user_credentials: UserCredentialsTable;
  policies: PoliciesTable;
  user_policies: UserPoliciesTable;
  session_policies: SessionPoliciesTable;
  instance_counts: InstanceCountsTable;
  rate_counters: RateCountersTable;
  rate_limits: RateLimitsTable;
  audit_events: AuditEventsTable;
  audit_resources: AuditResourcesTable;
  eip_traffic_hours: EipTrafficHoursTable;
  redfish_sessions: RedfishSessionsTable;
  bmc_trust: BmcTrustTable;
  install_media: InstallMediaTable;
  resource_tags: ResourceTagsTable;
  tag_catalogue: TagCatalogueTable;
  console_sessions: ConsoleSessionsTable;
  console_preferences: ConsolePreferencesTable;
  instance_state_history: InstanceStateHistoryTable;
  billing_accounts: BillingAccountsTable;
  billing_prices: BillingPricesTable;
  billing_records: BillingRecordsTable;
  billing_cursors: BillingCursorsTable;
  billing_ledger: BillingLedgerTable;
  billing_notifications: BillingNotificationsTable;
  billing_reconciliations: BillingReconciliationsTable;
  power_observation_hours: PowerObservationHoursTable;
  power_observation_last: PowerObservationLastTable;
  metric_inbox: MetricInboxTable;
  metric_chunks: MetricChunksTable;
  monitor_agents: MonitorAgentsTable;
  alarm_policies: AlarmPoliciesTable;
  alarm_bindings: AlarmBindingsTable;
  alarm_states: AlarmStatesTable;
  alarm_histories: AlarmHistoriesTable;
  alarm_deliveries: AlarmDeliveriesTable;
}

/** The lifecycle journal (migration 0050): one row per committed status change, written by the gate. */
export interface InstanceStateHistoryTable {
  instance_id: string;
  seq: number;
  account_uin: string;
  from_status: string;
  to_status: string | null;
  event: string;
  at: number;
}

/** Billing (migration 0050). Money is integer cents; times are epoch ms. */
export interface BillingAccountsTable {
  account_uin: string;
  balance_cents: number;
  warn_status: number;
  warn_threshold_cents: number;
  warned_at: number | null;
  updated_at: number;
}
export interface BillingPricesTable { product: 'flavor' | 'traffic'; price_key: string; effective_from: number; price_cents: number }
export interface BillingRecordsTable {
  record_key: string;
  account_uin: string;
  product: 'bms' | 'eip';
  resource_id: string;
  resource_name: string;
  sub_product: string;
  region: string;
  zone: string;
  period_start: number;
  period_end: number;
  quantity: number;
  unit_price_cents: number;
  amount_cents: number;
  final: Flag;
  pushed_at: number;
  deduct_due_at: number;
  deducted_at: number | null;
}
export interface BillingCursorsTable { resource_id: string; pushed_until: number; closed: Flag }
export interface BillingLedgerTable {
  entry_key: string;
  account_uin: string;
  kind: 'deduct' | 'recharge';
  amount_cents: number;
  balance_after_cents: number;
  record_key: string | null;
  remark: string;
  created_at: number;
}
export interface BillingNotificationsTable { account_uin: string; at: number; balance_cents: number; threshold_cents: number }
/** One checked day of the daily reconciliation (findings: JSON array of src/billing/reconcile.ts Finding). */
export interface BillingReconciliationsTable { day: string; checked_at: number; tolerance_seconds: number; finding_count: number; findings: string }
export interface PowerObservationHoursTable { instance_id: string; hour_start: number; on_ms: number; observed_ms: number }
export interface PowerObservationLastTable { instance_id: string; at: number; powered_on: Flag }
