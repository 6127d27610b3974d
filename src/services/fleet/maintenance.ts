/**
 * ModifyServersMaintenance: taking servers out of the pool, and putting them back.
 *
 * Maintenance is how an operator keeps a machine away from tenants while someone replaces a
 * DIMM or chases a flaky BMC; the provisioning flows use the same state to quarantine a server
 * whose wipe or power control failed for good. A server in maintenance is never allocated.
 *
 * - Entering: refused (ResourceInUse, naming the instance) for a server an instance holds —
 *   an operator must not pull a tenant's running machine out from under it — and for one being
 *   cleaned. A server already in maintenance just gets the new reason. Without a reason, the
 *   operator and the time are recorded instead.
 * - Leaving: the server goes back to `available`, or to `allocated` if an instance still holds
 *   it (a task quarantined it mid-way and the instance still exists). A server that is not in
 *   maintenance is left as it is, so repeating a call is harmless.
 *
 * The batch is checked as a whole before anything changes, in one transaction; each write is
 * also conditional (see fleet-servers.ts), so a launch racing for the same server on another
 * node either takes it first — and the operator is told which instance has it — or finds it
 * gone from the pool.
 */
import type { Tx } from '../../store/store.ts';
import type { ModifyServersMaintenanceRequest } from '../../generated/bmsops.ts';
import { isoTime } from '../../shared/ids.ts';
import { enterMaintenance, getServerRefs, leaveMaintenance, type ServerRef } from '../../store/repos/fleet-servers.ts';
import type { CallContext, Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { reasonWithoutMaintenance, serverCleaning, serverInUse, serverNotFound } from './errors.ts';
import { idListParam, regionZones } from './params.ts';

export function modifyServersMaintenance({ store }: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as ModifyServersMaintenanceRequest;
    const ids = idListParam('ServerIds', p.ServerIds, 'srv');
    if (!p.Maintenance && p.Reason !== undefined) throw reasonWithoutMaintenance();
    const reason = p.Reason?.trim() || `put into maintenance by operator ${ctx.principal.userUin} at ${isoTime(ctx.now)}`;
    await store.transaction(async (tx) => {
      const servers = await serversInRegion(tx, ctx, ids);
      if (!p.Maintenance) {
        for (const id of ids) await leaveMaintenance(tx, id, ctx.now);
        return;
      }
      for (const s of servers) if (isBusy(s)) throw busy(s);
      for (const s of servers) {
        if (!(await enterMaintenance(tx, s.id, reason, ctx.now))) throw busy((await getServerRefs(tx, [s.id]))[0] ?? s);
      }
    });
    return {};
  };
}

/** The servers `ids`, in that order; ResourceNotFound for the first that is not in the region. */
async function serversInRegion(tx: Tx, ctx: CallContext, ids: string[]): Promise<ServerRef[]> {
  const zones = await regionZones(tx, ctx.region);
  const found = new Map((await getServerRefs(tx, ids)).filter((s) => zones.includes(s.zone)).map((s) => [s.id, s]));
  return ids.map((id) => {
    const server = found.get(id);
    if (!server) throw serverNotFound(id);
    return server;
  });
}

/** Held by an instance, or on its way back from one (cleaning). */
const isBusy = (s: ServerRef) => s.instanceId !== null || (s.state !== 'available' && s.state !== 'maintenance');

const busy = (s: ServerRef) => (s.instanceId ? serverInUse(s.id, s.instanceId) : serverCleaning(s.id));
