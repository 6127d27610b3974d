/**
 * The simulated datacenter's controls, over the wire: InjectServerFaults, ClearServerFaults,
 * DescribeServerFaults and PressServerPowerButton.
 *
 * These are what an operator (or a demo, or a test driving the API from outside) uses to make
 * simulated hardware misbehave — a BMC that stops answering, a RAID build or a wipe that fails,
 * a call that hangs — and to watch the control plane cope. They act on the lab directly
 * (`SimLab`), never through the hardware driver, so nothing that provisions servers can use
 * them. A power-button press changes the machine behind the control plane's back: the pool's
 * recorded power state is *not* updated here; the power-state sync loop has to notice.
 *
 * They exist only for `sim` servers: a `redfish` server is real hardware, and asking to inject
 * a fault into it is UnsupportedOperation. The lab's own refusals (an operation a fault kind
 * cannot strike; hardware missing from the lab) are translated in errors.ts.
 */
import type {
  ClearServerFaultsRequest, DescribeServerFaultsRequest, InjectServerFaultsRequest, PressServerPowerButtonRequest,
} from '../../generated/bmsops.ts';
import { LAB_HARDWARE_TYPE, type LabFaultKind, type LabOperation } from '../../drivers/lab.ts';
import { getServerRefs } from '../../store/repos/fleet-servers.ts';
import type { CallContext, Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import { fromLab, notSimulated, serverNotFound } from './errors.ts';
import { idListParam, idParam, regionZones } from './params.ts';
import { faultView } from './views.ts';

export function injectServerFaults(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as InjectServerFaultsRequest;
    const [id] = await simServers(deps, ctx, 'ServerId', [p.ServerId]);
    const spec = {
      kind: p.Fault as LabFaultKind,
      ...(p.Times === undefined ? {} : { times: p.Times }),
      ...(p.Operations === undefined ? {} : { operations: [...new Set(p.Operations)] as LabOperation[] }),
    };
    const faults = await deps.sim.injectFault(id!, spec).catch((e: unknown) => {
      throw fromLab(e, id!, p.Operations === undefined ? 'Fault' : 'Operations');
    });
    return { FaultSet: faults.map((f) => faultView(id!, f)) };
  };
}

export function clearServerFaults(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const [id] = await simServers(deps, ctx, 'ServerId', [(params as unknown as ClearServerFaultsRequest).ServerId]);
    await deps.sim.clearFaults(id!).catch((e: unknown) => {
      throw fromLab(e, id!, 'ServerId');
    });
    return {};
  };
}

export function describeServerFaults(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const ids = await simServers(deps, ctx, 'ServerIds', (params as unknown as DescribeServerFaultsRequest).ServerIds);
    const sets = await Promise.all(ids.map(async (id) => {
      const faults = await deps.sim.listFaults(id).catch((e: unknown) => {
        throw fromLab(e, id, 'ServerIds');
      });
      return faults.map((f) => faultView(id, f));
    }));
    return { FaultSet: sets.flat() };
  };
}

export function pressServerPowerButton(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const p = params as unknown as PressServerPowerButtonRequest;
    const [id] = await simServers(deps, ctx, 'ServerId', [p.ServerId]);
    await deps.sim.pressPowerButton(id!, p.PowerState as 'on' | 'off').catch((e: unknown) => {
      throw fromLab(e, id!, 'PowerState');
    });
    return {};
  };
}

/**
 * The servers `raw` (canonical, without repeats, in order) after checking each exists in the
 * region (ResourceNotFound) and is simulated (UnsupportedOperation).
 */
async function simServers(deps: FleetDeps, ctx: CallContext, path: string, raw: readonly string[]): Promise<string[]> {
  const ids = path === 'ServerId' ? [idParam(path, raw[0]!, 'srv')] : idListParam(path, raw, 'srv');
  const zones = await regionZones(deps.store.db, ctx.region);
  const found = new Map((await getServerRefs(deps.store.db, ids)).filter((s) => zones.includes(s.zone)).map((s) => [s.id, s]));
  for (const id of ids) {
    const server = found.get(id);
    if (!server) throw serverNotFound(id);
    if (server.hardwareType !== LAB_HARDWARE_TYPE) throw notSimulated(id, server.hardwareType);
  }
  return ids;
}
