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
import type { GatewayDeps } from '../deps.ts';
import { header, type Exchange } from '../exchange.ts';

const REGIONLESS = new Set(['DescribeRegions']);

export async function resolveAction(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const { action, version, region } = ex.common!;
  const candidates = Object.entries(deps.services).filter(([, s]) => s.spec.version === version);
  if (candidates.length === 0) {
    const known = [...new Set(Object.values(deps.services).map((s) => `${s.spec.service} ${s.spec.version}`))].join(', ');
    throw noSuchVersion(version, known);
  }
  const hinted = [ex.scopeService, (header(ex, 'host') ?? '').split('.')[0]];
  const byHint = candidates.find(([name]) => hinted.includes(name));
  const byAction = candidates.find(([, s]) => Object.hasOwn(s.spec.actions, action));
  const [serviceName, service] = (byHint && Object.hasOwn(byHint[1].spec.actions, action) ? byHint : byAction ?? byHint ?? candidates[0])!;
  const spec = service.spec.actions[action];
  if (!spec || !Object.hasOwn(service.spec.actions, action)) throw invalidAction(action, serviceName);
  if (!REGIONLESS.has(action)) {
    if (!region) throw missingParameter(ex.protocol === 'tc3' ? 'X-TC-Region' : 'Region');
    if (!(await deps.regions.isSupported(region))) throw unsupportedRegion(region);
  }
  ex.action = {
    serviceName, service, name: action, input: spec.input, rateLimit: spec.rateLimit, mutating: spec.mutating,
  };
}
