/**
 * Step: which service, which action, which region.
 *
 * One endpoint serves several services. The version narrows the candidates; the credential
 * scope's service or the Host's first label picks among services sharing a version (the Node
 * SDK puts "127" or "localhost:8080" in the scope for a local endpoint, so neither is trusted
 * alone); the action name settles the rest. Region must be one we serve, except for actions
 * that are region-less (DescribeRegions).
 */
import { invalidAction, missingParameter, noSuchVersion, unsupportedRegion } from '../../shared/errors.ts';
import type { ServiceDefinition } from '../../services/types.ts';
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';

const REGIONLESS = new Set(['DescribeRegions']);

type Candidate = readonly [name: string, service: ServiceDefinition];

/** Services by version, built once per service table (the table is fixed once the gateway runs). */
const byVersion = new WeakMap<GatewayDeps['services'], Map<string, Candidate[]>>();

function candidatesFor(services: GatewayDeps['services'], version: string): Candidate[] | undefined {
  let index = byVersion.get(services);
  if (!index) {
    index = new Map();
    for (const entry of Object.entries(services)) {
      const list = index.get(entry[1].spec.version) ?? [];
      list.push(entry);
      index.set(entry[1].spec.version, list);
    }
    byVersion.set(services, index);
  }
  return index.get(version);
}

export function resolveAction(ex: Exchange, deps: GatewayDeps): Promise<void> | void {
  const { action, version, region } = ex.common!;
  const candidates = candidatesFor(deps.services, version);
  if (!candidates) {
    const known = [...new Set(Object.values(deps.services).map((s) => `${s.spec.service} ${s.spec.version}`))].join(', ');
    throw noSuchVersion(version, known);
  }
  const host = header(ex, 'host') ?? '';
  const dot = host.indexOf('.');
  const hostLabel = dot < 0 ? host : host.slice(0, dot);
  const byHint = candidates.find(([name]) => name === ex.scopeService || name === hostLabel);
  const byAction = candidates.find(([, s]) => Object.hasOwn(s.spec.actions, action));
  const [serviceName, service] = (byHint && Object.hasOwn(byHint[1].spec.actions, action) ? byHint : byAction ?? byHint ?? candidates[0])!;
  if (!Object.hasOwn(service.spec.actions, action)) throw invalidAction(action, serviceName);
  const spec = service.spec.actions[action]!;
  const resolved = { serviceName, service, name: action, input: spec.input, rateLimit: spec.rateLimit, mutating: spec.mutating, returnsSecret: spec.returnsSecret === true };
  const supported = REGIONLESS.has(action) || checkRegion(ex, deps, region);
  if (supported === true) {
    ex.action = resolved; // known region (the catalog's snapshot): stay synchronous
    return;
  }
  return supported.then((ok) => {
    if (!ok) throw unsupportedRegion(region);
    ex.action = resolved;
  });
}

function checkRegion(ex: Exchange, deps: GatewayDeps, region: string): true | Promise<boolean> {
  if (!region) throw missingParameter(ex.protocol === 'tc3' ? 'X-TC-Region' : 'Region');
  const supported = deps.regions.isSupported(region);
  if (supported === true) return true;
  if (supported === false) throw unsupportedRegion(region);
  return supported;
}
