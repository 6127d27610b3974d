/**
 * Our SDK (packages/sdk): generated from the spec (a drifted copy fails here), TC3 signatures
 * the gateway accepts — with x-tc-action signed and temporary-credential tokens —, a session
 * authenticator for the console, typed errors, retries only where they are safe, paginators,
 * and waiters driving the Terraform flow (create → wait → stop/start/reboot/reset → return)
 * against BMS running as a process, with no sleeps in the test: every wait is a waiter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatedFiles, projectPath } from '../scripts/codegen.ts';
import {
  BmsClient, BmsError, BmsNetworkError, BmsWaiterError, StsClient, VpcClient, session, tc3, type OutgoingRequest,
} from '../packages/sdk/src/index.ts';
import { tc3Authorization } from '../packages/sdk/src/signer.ts';
import { waitForInstances, waitForTasks, type InstanceProgress } from '../packages/sdk/src/waiters.ts';
import { tc3CanonicalRequest, tc3Signature, tc3SigningKey, tc3StringToSign } from '../src/gateway/signing/tc3.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';

describe('SDK: generated from the spec', () => {
  for (const { path, content } of generatedFiles()) {
    it(`${path} is what scripts/codegen.ts makes (run npm run codegen)`, () => {
      assert.equal(readFileSync(projectPath(path), 'utf8'), content);
    });
  }

  it('has one typed method per action of every service, documented in English and Chinese', () => {
    const text = readFileSync(projectPath('packages/sdk/src/services/bms.ts'), 'utf8');
    assert.match(text, /List instances\. Read-only; 40 requests\/s per account\.\n[\s\S]*?查看实例列表：本接口 \(DescribeInstances\)/);
    const bms = new BmsClient({ endpoint: '127.0.0.1:1', credentials: { secretId: 'a', secretKey: 'b' } });
    assert.equal(typeof bms.RunInstances, 'function');
    assert.deepEqual(bms.actions.RunInstances, { m: 1, t: 1 });
    assert.deepEqual(bms.actions.DescribeInstances, { p: 'InstanceSet', l: 100 });
  });
});

describe('SDK: signing', () => {
  it('signs content-type, host, x-tc-action (and x-tc-token) exactly as the gateway verifies (its own implementation)', async () => {
    const input = { secretId: 'AKIDEXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', service: 'bms', timestamp: 1_765_000_000, host: '127.0.0.1:8080', contentType: 'application/json; charset=utf-8', action: 'DescribeInstances', body: '{"Limit":1}' };
    const auth = await tc3Authorization(input);
    const date = '2025-12-06';
    const canonical = tc3CanonicalRequest({
      method: 'POST', rawQuery: '', headers: { 'content-type': input.contentType, 'x-tc-action': input.action },
      signedHeaders: ['content-type', 'host', 'x-tc-action'], host: input.host, body: Buffer.from(input.body),
    });
    const expected = tc3Signature(tc3SigningKey(input.secretKey, date, 'bms'), tc3StringToSign(String(input.timestamp), date, 'bms', canonical));
    assert.equal(auth, `TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/${date}/bms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=${expected}`);
    const other = await tc3Authorization({ ...input, action: 'TerminateInstances' });
    assert.notEqual(other, auth, 'the action is part of the signature');
    const withToken = await tc3Authorization({ ...input, token: 'tok-123' });
    const tokenCanonical = tc3CanonicalRequest({
      method: 'POST', rawQuery: '', headers: { 'content-type': input.contentType, 'x-tc-action': input.action, 'x-tc-token': 'tok-123' },
      signedHeaders: ['content-type', 'host', 'x-tc-action', 'x-tc-token'], host: input.host, body: Buffer.from(input.body),
    });
    const tokenSig = tc3Signature(tc3SigningKey(input.secretKey, date, 'bms'), tc3StringToSign(String(input.timestamp), date, 'bms', tokenCanonical));
    assert.equal(withToken, `TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/${date}/bms/tc3_request, SignedHeaders=content-type;host;x-tc-action;x-tc-token, Signature=${tokenSig}`);
  });

  it('a session authenticator sends the cookie (credentials: include) and the CSRF header, and signs nothing', async () => {
    const seen: Array<{ headers: Record<string, string>; credentials?: string }> = [];
    const fakeFetch = (async (_url: URL, init: RequestInit) => {
      seen.push({ headers: init.headers as Record<string, string>, credentials: init.credentials as string });
      return new Response('{"Response":{"TotalCount":0,"ZoneSet":[],"RequestId":"r-1"}}');
    }) as unknown as typeof fetch;
    const bms = new BmsClient({ endpoint: 'http://console.example:8080', region: 'ap-guangzhou', authenticator: session({ csrfToken: () => 'tok-1' }), fetch: fakeFetch });
    const out = await bms.DescribeZones();
    assert.equal(out.RequestId, 'r-1');
    assert.equal(seen[0]!.credentials, 'include');
    assert.equal(seen[0]!.headers['X-CSRF-Token'], 'tok-1');
    assert.equal(seen[0]!.headers.Authorization, undefined);
    assert.equal(seen[0]!.headers['X-TC-Action'], 'DescribeZones');
  });
});

describe('SDK: retries only where safe', () => {
  const limited = '{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r-x"}}';
  const ok = '{"Response":{"TaskId":7,"RequestId":"r-ok"}}';
  /** A fetch answering from a script: a string is a body, an Error is thrown. */
  const scripted = (steps: Array<string | Error>) => {
    const calls: OutgoingRequest[] = [];
    const f = (async (_url: URL, init: RequestInit) => {
      calls.push({ headers: init.headers } as OutgoingRequest);
      const step = steps.shift();
      if (step instanceof Error) throw step;
      return new Response(step);
    }) as unknown as typeof fetch;
    return { f, calls };
  };
  const sent = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
  const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const waits: number[] = [];
  const client = (f: typeof fetch) => new BmsClient({
    endpoint: '127.0.0.1:9', credentials: { secretId: 'a', secretKey: 'b' }, fetch: f,
    retry: { random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
  });

  it('RequestLimitExceeded is retried for any action, with growing jittered waits; each attempt is signed anew', async () => {
    waits.length = 0;
    const { f, calls } = scripted([limited, limited, ok]);
    const out = await client(f).StopInstances({ InstanceIds: ['bms-1'] });
    assert.equal(out.TaskId, 7);
    assert.equal(calls.length, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  it('a mutating call without ClientToken is not re-sent after a network error that may have reached the service', async () => {
    const { f, calls } = scripted([sent(), ok]);
    const e = await client(f).StopInstances({ InstanceIds: ['bms-1'] }).catch((x: unknown) => x);
    assert.ok(e instanceof BmsNetworkError && e.sent);
    assert.equal(calls.length, 1);
  });

  it('…but is re-sent when the connection was refused, and a read or a ClientToken\'d call is re-sent either way', async () => {
    assert.equal((await client(scripted([refused(), ok]).f).StopInstances({ InstanceIds: ['bms-1'] })).TaskId, 7);
    const read = scripted([sent(), '{"Response":{"TotalCount":0,"ZoneSet":[],"RequestId":"r"}}']);
    assert.equal((await client(read.f).DescribeZones()).TotalCount, 0);
    const run = scripted([sent(), '{"Response":{"TaskId":["1"],"BmsId":["bms-1"],"RequestId":"r"}}']);
    const res = await client(run.f).RunInstances({ ClientToken: 'tok' } as never);
    assert.deepEqual(res.BmsId, ['bms-1']);
    assert.equal(run.calls.length, 2);
  });

  it('other API errors are not retried, and carry code and requestId', async () => {
    const { f, calls } = scripted(['{"Response":{"Error":{"Code":"ResourceNotFound","Message":"bms-1 not found"},"RequestId":"r-404"}}']);
    const e = await client(f).DescribeInstances({}).catch((x: unknown) => x);
    assert.ok(e instanceof BmsError);
    assert.equal(e.code, 'ResourceNotFound');
    assert.equal(e.requestId, 'r-404');
    assert.equal(calls.length, 1);
  });
});

describe('SDK: waiters under throttling', () => {
  it('keep polling when a poll is answered RequestLimitExceeded, and still stop at the deadline', async () => {
    let clock = 0;
    let polls = 0;
    const throttled = () => new BmsError('RequestLimitExceeded', 'DescribeTasks is limited to 10 requests per second per account; retry later.', 'r', 'bms:DescribeTasks');
    const client = {
      DescribeInstances: async () => ({ TotalCount: 1, InstanceSet: [{ InstanceId: 'bms-1', Status: polls >= 3 ? 'RUNNING' : 'PENDING' }], RequestId: 'r' }),
      DescribeTasks: async () => { polls += 1; if (polls <= 2) throw throttled(); return { TotalCount: 0, TaskSet: [], RequestId: 'r' }; },
    };
    const opts = { now: () => clock, sleep: async (ms: number) => { clock += ms; }, timeoutMs: 60_000 };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a two-method fake of the client
    const done = await waitForInstances(client as any, ['bms-1'], 'RUNNING', opts);
    assert.equal(done[0]!.Status, 'RUNNING');
    assert.ok(polls >= 3);
    clock = 0;
    const always = { ...client, DescribeTasks: async () => { throw throttled(); } };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a two-method fake of the client
    await assert.rejects(waitForInstances(always as any, ['bms-1'], 'RUNNING', { ...opts, timeoutMs: 5_000 }), { name: 'BmsWaiterError' });
    const broken = { ...client, DescribeTasks: async () => { throw new BmsError('ResourceNotFound', 'gone', 'r', 'bms:DescribeTasks'); } };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a two-method fake of the client
    await assert.rejects(waitForInstances(broken as any, ['bms-1'], 'RUNNING', opts), { code: 'ResourceNotFound' });
  });
});

describe('SDK against BMS running as a process', () => {
  let server: ChildServer;
  let dataDir: string;
  let bms: BmsClient;
  let vpc: VpcClient;
  let creds: { secretId: string; secretKey: string };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bms-sdk-'));
    server = await startChildServer({ BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0.0005', BMS_POWER_SYNC_MS: '200' });
    const demo = readCredentialFile(dataDir, 'demo');
    creds = { secretId: demo.SecretId, secretKey: demo.SecretKey };
    bms = new BmsClient({ endpoint: server.endpoint, region: demo.Region, credentials: creds });
    vpc = new VpcClient({ endpoint: server.endpoint, region: demo.Region, credentials: creds });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers typed errors with code and requestId, in the language asked for', async () => {
    const e = await bms.DescribeInstances({ InstanceIds: ['bms-nothere'] }).then(() => undefined, (x: unknown) => x);
    // an unknown id lists nothing; a wrong action parameter is an error
    assert.equal(e, undefined);
    const zh = new BmsClient({ endpoint: server.endpoint, region: 'ap-guangzhou', credentials: creds, language: 'zh-CN' });
    const err = await zh.StopInstances({ InstanceIds: ['bms-nothere'] }).catch((x: unknown) => x);
    assert.ok(err instanceof BmsError, String(err));
    assert.equal(err.code, 'ResourceNotFound');
    assert.match(err.requestId, /^[0-9a-f-]{36}$/);
    assert.match(err.message, /bms-nothere/);
    assert.match(err.message, /[\u4e00-\u9fff]/, 'Chinese message');
    const bad = new BmsClient({ endpoint: server.endpoint, region: 'ap-guangzhou', credentials: { ...creds, secretKey: 'wrong' } });
    assert.equal(((await bad.DescribeZones().catch((x: BmsError) => x)) as BmsError).code, 'AuthFailure.SignatureFailure');
  });

  it('temporary credentials: the token goes along and is accepted', async () => {
    const sts = new StsClient({ endpoint: server.endpoint, region: 'ap-guangzhou', credentials: creds });
    const tmp = await sts.GetFederationToken({ Name: 'sdk-test', DurationSeconds: 900 });
    const withToken = new BmsClient({
      endpoint: server.endpoint, region: 'ap-guangzhou',
      authenticator: tc3(() => ({ secretId: tmp.Credentials.TmpSecretId, secretKey: tmp.Credentials.TmpSecretKey, token: tmp.Credentials.Token })),
    });
    assert.ok((await withToken.DescribeZones()).TotalCount >= 1);
    const noToken = new BmsClient({ endpoint: server.endpoint, region: 'ap-guangzhou', credentials: { secretId: tmp.Credentials.TmpSecretId, secretKey: tmp.Credentials.TmpSecretKey } });
    assert.match(((await noToken.DescribeZones().catch((x: BmsError) => x)) as BmsError).code, /^AuthFailure/);
  });

  it('a paginator walks every page: the same items as one large page', async () => {
    const all = (await bms.DescribeFlavors({ Limit: 100 })).FlavorSet.map((f) => f.FlavorId);
    const paged: string[] = [];
    for await (const f of bms.paginate('DescribeFlavors', {}, { pageSize: 1 })) paged.push(f.FlavorId);
    assert.ok(all.length >= 2);
    assert.deepEqual(paged, all);
  });

  it('drives the Terraform flow through waiters: create → RUNNING → stop → start → reboot → reset → return', async () => {
    const zone = 'ap-guangzhou-1';
    const { FlavorSet } = await bms.DescribeFlavors({ Filters: [{ Name: 'zone', Values: [zone] }] });
    const flavor = FlavorSet.find((f) => !f.UserDefined && f.CpuArch === 'X86')!;
    const { SubnetSet } = await vpc.DescribeSubnets({});
    const subnet = SubnetSet.find((s) => s.Zone === zone && s.IsBmsSubnet)!;
    const { BmsId, TaskId } = await bms.RunInstances({
      Placement: { Zone: zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux![0]!,
      VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Sdk#Test1234' },
      RaidType: flavor.RaidType[0]!, InstanceName: 'sdk-tf', InstanceCount: 2, ClientToken: `sdk-${process.pid}`,
    });
    assert.equal(BmsId.length, 2);
    const seen: InstanceProgress[][] = [];
    const running = await waitForInstances(bms, BmsId, 'RUNNING', { timeoutMs: 120_000, intervalMs: 20, maxIntervalMs: 100, onProgress: (p) => seen.push(p) });
    assert.deepEqual(running.map((i) => i.Status), ['RUNNING', 'RUNNING']);
    const steps = new Set(seen.flat().map((p) => p.task?.step).filter(Boolean));
    assert.ok(steps.size >= 2, `progress named the steps as they ran: ${[...steps].join(', ')}`);
    const last = seen.at(-1)!;
    assert.ok(last.every((p) => p.done && p.task?.action === 'RunInstances' && p.task.progress === 100 && p.task.etaMs === 0));
    assert.ok(seen.some((round) => round.some((p) => p.task && p.task.progress > 0 && p.task.progress < 100 && p.task.etaMs !== undefined)), 'an ETA while running');
    await waitForTasks(bms, TaskId, { timeoutMs: 10_000, intervalMs: 20 });

    const [a, b] = BmsId as [string, string];
    await bms.StopInstances({ InstanceIds: [a, b] });
    await waitForInstances(bms, [a, b], 'STOPPED', { timeoutMs: 60_000, intervalMs: 20, maxIntervalMs: 100 });
    await bms.StartInstances({ InstanceIds: [a] });
    await waitForInstances(bms, [a], 'RUNNING', { timeoutMs: 60_000, intervalMs: 20, maxIntervalMs: 100 });
    const reboot = await bms.RebootInstances({ InstanceIds: [a] });
    const rebootTasks = await waitForTasks(bms, [reboot.TaskId].flat(), { timeoutMs: 60_000, intervalMs: 20, maxIntervalMs: 100 });
    assert.ok(rebootTasks.every((t) => t.Status === 'SUCCESS' && t.Action === 'RebootInstances'));
    await waitForInstances(bms, [a], 'RUNNING', { timeoutMs: 60_000, intervalMs: 20 });
    const os = flavor.OperatingSystem.Linux!.at(-1)!;
    await bms.ResetInstance({ InstanceId: b, RaidType: flavor.RaidType[0]!, OperatingSystemType: 'Linux', OperatingSystem: os, LoginSettings: { Password: 'Other#Pass987' } });
    const [reset] = await waitForInstances(bms, [b], 'RUNNING', { timeoutMs: 120_000, intervalMs: 20, maxIntervalMs: 100 });
    assert.equal(reset!.OperatingSystem, os);
    await bms.TerminateInstances({ InstanceIds: [a, b] });
    assert.deepEqual(await waitForInstances(bms, [a, b], 'GONE', { timeoutMs: 120_000, intervalMs: 20, maxIntervalMs: 100 }), []);
    assert.equal((await bms.DescribeInstances({ InstanceIds: [a, b] })).TotalCount, 0);
  });

  it('a waiter stops at its deadline, on an AbortSignal, and when the instance fails', async () => {
    const { InstanceSet } = await bms.DescribeInstances({ Limit: 1, Filters: [{ Name: 'instance-state', Values: ['RUNNING'] }] });
    const id = InstanceSet[0]!.InstanceId;
    let clock = 0;
    const timeout = await waitForInstances(bms, [id], 'STOPPED', { timeoutMs: 1000, now: () => clock, sleep: async (ms) => void (clock += ms) }).catch((x: unknown) => x);
    assert.ok(timeout instanceof BmsWaiterError);
    assert.equal(timeout.code, 'WaiterTimeout');
    assert.deepEqual(timeout.pending, [id]);
    const ctl = new AbortController();
    const aborted = waitForInstances(bms, [id], 'STOPPED', { signal: ctl.signal, onProgress: () => ctl.abort(new Error('user pressed Ctrl-C')) });
    await assert.rejects(aborted, /Ctrl-C/);
    const gone = await waitForInstances(bms, ['bms-00000000'], 'RUNNING', { timeoutMs: 5_000 }).catch((x: unknown) => x);
    assert.ok(gone instanceof BmsWaiterError && gone.code === 'WaiterFailed' && /bms-00000000 is GONE/.test(gone.message));
  });
});
