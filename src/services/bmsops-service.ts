/**
 * The `bmsops` service (2026-01-01, SPEC §1 and §6): the operator API for the physical fleet.
 *
 * Operators enrol what tenants rent: switches and racks (the topology spread placement reasons
 * about), physical servers with their BMC credentials, flavors (standard, or user-defined and
 * bound to one tenant) and OS images; they take servers in and out of maintenance and, in the
 * simulated datacenter, inject faults and press power buttons to rehearse failures. Its spec is
 * src/spec/bmsops.json; the handlers live in ./fleet/, one file per concern.
 *
 * `audience: 'operator'`: the gateway refuses every action to a tenant's keys
 * (AuthFailure.UnauthorizedOperation) before a handler runs.
 */
import bmsopsSpec from '../spec/bmsops.json' with { type: 'json' };
import { serviceSpecSchema } from '../spec/model.ts';
import type { ServiceDefinition } from './types.ts';
import { createOsImage, describeFlavors, describeOsImages } from './fleet/catalog-queries.ts';
import type { FleetDeps } from './fleet/deps.ts';
import { describeServers } from './fleet/describe-servers.ts';
import { addEipPoolAddresses, describeEipPool } from './fleet/eip-pool.ts';
import { describeSwitchPorts, setHeartbeatVlanRange } from './fleet/heartbeat-ports.ts';
import { createFlavor, modifyFlavor } from './fleet/flavors.ts';
import { clearServerFaults, describeServerFaults, injectServerFaults, pressServerPowerButton } from './fleet/lab-controls.ts';
import { modifyServersMaintenance } from './fleet/maintenance.ts';
import { registerServers } from './fleet/register-servers.ts';
import { createRack, createSwitch, describeRacks, describeSwitches } from './fleet/topology.ts';
import {
  createTenant, createTenantAccessKey, createTenantUser, deleteTenantAccessKey, deleteTenantUser, describeTenants, describeTenantUsers,
  updateTenantAccessKey,
} from './fleet/tenants.ts';
import { describeAuditEvents } from './fleet/audit-events.ts';
import {
  describeAccountBalances, describeBillingReconciliation, describeTrafficPrices, describeUsageRecords, rechargeAccount, setTrafficPrice,
} from './fleet/billing.ts';
import { describeRateLimits, setRateLimit, type RateLimitDeps } from './fleet/rate-limits.ts';
import { describeAccountSecurity, setAccountSecurity } from './fleet/account-security.ts';

export const BMSOPS_SPEC = serviceSpecSchema.parse(bmsopsSpec);

/** `limits`: the served services' specs (what a rate limit may name) and how to apply new limits at once. */
export function bmsOpsService(deps: FleetDeps, limits: Omit<RateLimitDeps, 'store'> = { catalog: () => ({}) }): ServiceDefinition {
  return {
    spec: BMSOPS_SPEC,
    audience: 'operator',
    handlers: {
      CreateSwitch: createSwitch(deps),
      DescribeSwitches: describeSwitches(deps),
      CreateRack: createRack(deps),
      DescribeRacks: describeRacks(deps),
      RegisterServers: registerServers(deps),
      DescribeServers: describeServers(deps),
      SetHeartbeatVlanRange: setHeartbeatVlanRange(deps),
      DescribeSwitchPorts: describeSwitchPorts(deps),
      ModifyServersMaintenance: modifyServersMaintenance(deps),
      InjectServerFaults: injectServerFaults(deps),
      ClearServerFaults: clearServerFaults(deps),
      DescribeServerFaults: describeServerFaults(deps),
      PressServerPowerButton: pressServerPowerButton(deps),
      CreateFlavor: createFlavor(deps),
      ModifyFlavor: modifyFlavor(deps),
      DescribeFlavors: describeFlavors(deps),
      CreateOsImage: createOsImage(deps),
      DescribeOsImages: describeOsImages(deps),
      AddEipPoolAddresses: addEipPoolAddresses(deps),
      DescribeEipPool: describeEipPool(deps),
      CreateTenant: createTenant(deps),
      DescribeTenants: describeTenants(deps),
      CreateTenantUser: createTenantUser(deps),
      DescribeTenantUsers: describeTenantUsers(deps),
      DeleteTenantUser: deleteTenantUser(deps),
      CreateTenantAccessKey: createTenantAccessKey(deps),
      UpdateTenantAccessKey: updateTenantAccessKey(deps),
      DeleteTenantAccessKey: deleteTenantAccessKey(deps),
      SetRateLimit: setRateLimit({ store: deps.store, ...limits }),
      DescribeRateLimits: describeRateLimits({ store: deps.store, ...limits }),
      SetAccountSecurity: setAccountSecurity(deps),
      DescribeAccountSecurity: describeAccountSecurity(deps),
      DescribeAuditEvents: describeAuditEvents(deps),
      RechargeAccount: rechargeAccount(deps),
      DescribeAccountBalances: describeAccountBalances(deps),
      SetTrafficPrice: setTrafficPrice(deps),
      DescribeTrafficPrices: describeTrafficPrices(deps),
      DescribeUsageRecords: describeUsageRecords(deps),
      DescribeBillingReconciliation: describeBillingReconciliation(deps),
    },
  };
}
