/**
 * The agents' push endpoint: `POST /agent/v1/metrics`, `Authorization: Bearer <token>` (the
 * instance's credential from its install config), a JSON body `{"samples":[{"ts": <unix s>,
 * "values": {"CpuUsage": 12.5, …}}]}` of at most 360 samples and 256 KB.
 *
 * 200 `{"accepted","duplicates","skipped"}` — a batch already stored (a replay after a restart)
 * or out of order is a success that changes nothing, so an agent never wedges on it; 400 for a
 * malformed batch (naming the culprit); 401 for a missing or unknown credential (never saying
 * which part was wrong); 410 once the instance has been returned (the agent stops); 413 for a
 * batch too large; 405 for anything but POST.
 */
import type { AgentPushPort } from '../gateway/deps.ts';
import { instanceOfAgentToken, isLiveInstance, isReturnedInstance } from '../store/repos/monitor-agents.ts';
import type { Store } from '../store/store.ts';
import { ingest, IngestError, MAX_BATCH_SAMPLES, type IncomingSample } from './ingest.ts';

export const AGENT_PUSH_PATH = '/agent/v1/metrics';
export const MAX_PUSH_BYTES = 256 * 1024;

export function agentPushEndpoint(store: Store, clock: () => number): AgentPushPort {
  return {
    path: AGENT_PUSH_PATH,
    async push(req) {
      if (req.method !== 'POST') return { status: 405, body: { error: 'use POST' } };
      const m = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? '');
      const token = m?.[1];
      const gone = token ? await returnedInstance(store, token) : undefined;
      if (gone) return { status: 410, body: { error: `instance ${gone} has been returned; this agent's credential is revoked` } };
      const instanceId = token ? await instanceOfAgentToken(store.db, token) : undefined;
      if (!instanceId) return { status: 401, body: { error: 'missing or invalid agent credential' } };
      if (!(await isLiveInstance(store.db, instanceId))) return { status: 410, body: { error: `instance ${instanceId} has been returned` } };
      if (req.bodySize > MAX_PUSH_BYTES) return { status: 413, body: { error: `a push is at most ${MAX_PUSH_BYTES} bytes, not ${req.bodySize}` } };
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'the body is not JSON' } };
      }
      const samples = (parsed as { samples?: unknown } | null)?.samples;
      if (!Array.isArray(samples)) return { status: 400, body: { error: 'samples must be an array' } };
      if (samples.length > MAX_BATCH_SAMPLES) return { status: 413, body: { error: `a batch carries at most ${MAX_BATCH_SAMPLES} samples, not ${samples.length}` } };
      try {
        const r = await ingest(store, [{ instanceId, source: 'agent', samples: samples as IncomingSample[] }], clock());
        return { status: 200, body: { ...r } };
      } catch (e) {
        if (e instanceof IngestError) return { status: 400, body: { error: e.message } };
        throw e;
      }
    },
  };
}

/** The instance a well-formed token names when that instance was returned (its credential is gone with it). */
async function returnedInstance(store: Store, token: string): Promise<string | undefined> {
  const id = /^bmsagent\.([a-z]+-[a-z0-9]+)\./.exec(token)?.[1];
  if (!id) return undefined;
  return (await isReturnedInstance(store.db, id)) ? id : undefined;
}
