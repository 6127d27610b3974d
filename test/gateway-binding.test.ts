/**
 * A signature serves one purpose (issue 9 part 5). The official SDKs leave X-TC-Action unsigned,
 * so a captured signed request could be re-sent as another action: the first use of such a
 * signature fixes its purpose — the same action again, or a read that reveals no secret — on
 * every process of one store. An account may require a signed X-TC-Action on mutating calls.
 *
 * A "captured" request is rebuilt by signing the same body at the same timestamp: TC3 without
 * X-TC-Action in SignedHeaders gives exactly the captured Authorization whatever action is named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERSIONS, sdk, type Call } from './support/cloud.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';
import { tc3Request, type Creds, type Reply, type Target } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let seconds = 0;
const freshTimestamp = () => Math.floor(Date.now() / 1000) - 100 - (seconds++ % 150);

function call(target: Target, creds: Creds, service: keyof typeof VERSIONS, action: string, params: Record<string, unknown>, timestamp: number, signAction = false): Promise<Reply> {
  // The credential scope names bms whatever the service: the captured request's scope stays as it was.
  return tc3Request(target, creds, { action, params, service: 'bms', version: VERSIONS[service], timestamp, signAction });
}

function ok(reply: Reply): Json {
  assert.equal(reply.json.Response.Error, undefined, `unexpected error: ${JSON.stringify(reply.json.Response.Error)}`);
  return reply.json.Response;
}

function signAgain(reply: Reply, firstUse: RegExp) {
  const error = reply.json.Response.Error;
  assert.ok(error, `expected a refusal, got ${reply.text.slice(0, 300)}`);
  assert.equal(error.Code, 'AuthFailure.SignatureFailure', error.Message);
  assert.match(error.Message, firstUse);
  assert.match(error.Message, /sign .*again/);
}

describe('signature binding', () => {
  let server: TestServer;
  let target: Target;
  let demo: Creds & { accountUin: string };
  let bms: Call;
  let ops: Call;
  let instanceId: string;

  before(async () => {
    server = await startTestServer({ BMS_SIM_TIME_SCALE: '0' });
    target = server.edge.address;
    demo = server.credentials.demo;
    bms = sdk(server.credentials.demo);
    ops = sdk(server.credentials.operator, 'bmsops');
    instanceId = (await bms<Json>('DescribeInstances', {})).InstanceSet[0].InstanceId;
  });
  after(async () => server?.stop());

  const status = async (id: string) => (await bms<Json>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0]?.Status;
  const tasksOf = async (id: string) => (await server.store.db.selectFrom('tasks').select('id').where('instance_id', '=', id).execute()).length;

  it('a captured DescribeInstances re-sent as TerminateInstances is refused and changes nothing', async () => {
    const ts = freshTimestamp();
    const body = { InstanceIds: [instanceId] };
    const captured = await call(target, demo, 'bms', 'DescribeInstances', body, ts);
    assert.equal(ok(captured).InstanceSet[0].Status, 'RUNNING');
    const tasks = await tasksOf(instanceId);
    const forged = await call(target, demo, 'bms', 'TerminateInstances', body, ts);
    signAgain(forged, /first used for bms:DescribeInstances/);
    assert.equal(await status(instanceId), 'RUNNING');
    assert.equal(await tasksOf(instanceId), tasks, 'no task was started');
  });

  it('a bms call dressed as a vpc call is refused and changes nothing', async () => {
    const { VpcSet } = await sdk(server.credentials.demo, 'vpc')<Json>('DescribeVpcs', {});
    const vpcId = VpcSet[0].VpcId as string;
    const ts = freshTimestamp();
    const body = { VpcId: vpcId };
    // Any bms call with this body (here a read refused for its parameter) fixes the signature's purpose.
    const captured = await call(target, demo, 'bms', 'DescribeInstances', body, ts);
    assert.equal(captured.json.Response.Error?.Code, 'UnknownParameter');
    signAgain(await call(target, demo, 'vpc', 'DeleteVpc', body, ts), /first used for bms:DescribeInstances/);
    assert.equal((await sdk(server.credentials.demo, 'vpc')<Json>('DescribeVpcs', { VpcIds: [vpcId] })).VpcSet.length, 1, 'the VPC is still there');
  });

  it('a captured DescribeOutbandIP cannot become DescribeOutbandInfo (a read that returns a secret)', async () => {
    const ts = freshTimestamp();
    const body = { InstanceId: instanceId };
    await call(target, demo, 'bms', 'DescribeOutbandIP', body, ts); // whatever it answers, it is the first use
    signAgain(await call(target, demo, 'bms', 'DescribeOutbandInfo', body, ts), /first used for bms:DescribeOutbandIP/);
    const reads = await server.store.db.selectFrom('secret_reads').select('id').execute();
    assert.equal(reads.length, 0, 'no secret was read');
  });

  it('TerminateInstances followed by an identical-body DescribeInstances in the same second works', async () => {
    const { InstanceSet } = await bms<Json>('DescribeInstances', { Limit: 100 });
    const victim = InstanceSet.find((i: Json) => i.InstanceId !== instanceId && i.Status === 'RUNNING')?.InstanceId as string;
    assert.ok(victim, 'a second running instance');
    const ts = freshTimestamp();
    const body = { InstanceIds: [victim] };
    ok(await call(target, demo, 'bms', 'TerminateInstances', body, ts));
    const polled = ok(await call(target, demo, 'bms', 'DescribeInstances', body, ts));
    assert.ok(['SHUTDOWN', 'TERMINATING', undefined].includes(polled.InstanceSet[0]?.Status), JSON.stringify(polled.InstanceSet[0]));
    // Another read with the same signature is fine too; another mutating action is not.
    ok(await call(target, demo, 'bms', 'DescribeInstances', body, ts));
    signAgain(await call(target, demo, 'bms', 'RebootInstances', body, ts), /first used for bms:TerminateInstances/);
  });

  it('a request that signs X-TC-Action is bound by its signature: Stop then Start of one body in one second both run', async () => {
    const ts = freshTimestamp();
    const body = { InstanceIds: [instanceId] };
    ok(await call(target, demo, 'bms', 'StopInstances', body, ts, true));
    const start = await call(target, demo, 'bms', 'StartInstances', body, ts, true);
    // (Start right after Stop may find the instance still stopping: a state refusal, not a signature one.)
    assert.notEqual(start.json.Response.Error?.Code, 'AuthFailure.SignatureFailure', start.text);
    // The official SDK itself cannot sign X-TC-Action: the test helper re-signs such a call (see test/support/cloud.ts).
  });

  it('with the account setting on, an unsigned-action mutating call is refused and a signed one works; the default applies to new accounts', async () => {
    const set = await ops<Json>('SetAccountSecurity', { AccountUin: demo.accountUin, RequireSignedAction: true });
    assert.deepEqual(set.AccountSecurity, { AccountUin: demo.accountUin, RequireSignedAction: true, FollowsDefault: false, DefaultRequireSignedAction: false });
    try {
      const body = { InstanceIds: [instanceId], InstanceName: `signed-${freshTimestamp()}` };
      const unsigned = await call(target, demo, 'bms', 'ModifyInstancesAttribute', body, freshTimestamp());
      assert.equal(unsigned.json.Response.Error?.Code, 'AuthFailure.SignatureFailure');
      assert.match(unsigned.json.Response.Error!.Message, /requires X-TC-Action among the signed headers/);
      ok(await call(target, demo, 'bms', 'ModifyInstancesAttribute', body, freshTimestamp(), true));
      ok(await call(target, demo, 'bms', 'DescribeInstances', { InstanceIds: [instanceId] }, freshTimestamp()));
      const viaSdk = await bms<Json>('DescribeInstances', { InstanceIds: [instanceId] }).catch((e) => e);
      assert.equal(viaSdk.InstanceSet?.[0]?.InstanceName, body.InstanceName, 'reads need no signed action');
    } finally {
      await ops('SetAccountSecurity', { AccountUin: demo.accountUin, RequireSignedAction: false });
    }
    ok(await call(target, demo, 'bms', 'ModifyInstancesAttribute', { InstanceIds: [instanceId], InstanceName: 'unsigned-again' }, freshTimestamp()));

    // The operator's default: accounts created from now on require it; existing ones keep theirs.
    const before = await ops<Json>('CreateTenant', { Name: 'before-default' });
    await ops('SetAccountSecurity', { RequireSignedAction: true });
    try {
      const after = await ops<Json>('CreateTenant', { Name: 'after-default' });
      const uinOf = (t: Json) => t.OwnerUin as string;
      const old = (await ops<Json>('DescribeAccountSecurity', { AccountUin: uinOf(before) })).AccountSecurity;
      const young = (await ops<Json>('DescribeAccountSecurity', { AccountUin: uinOf(after) })).AccountSecurity;
      assert.equal(old.RequireSignedAction, false, 'an account created before the default changed keeps its setting');
      assert.equal(young.RequireSignedAction, true, 'a new account follows the default');
      assert.equal(young.FollowsDefault, true);
      assert.equal((await ops<Json>('DescribeAccountSecurity', {})).AccountSecurity.DefaultRequireSignedAction, true);
    } finally {
      await ops('SetAccountSecurity', { RequireSignedAction: false });
    }
  });
});

describe('signature binding across two server processes on one SQLite file', () => {
  let dataDir: string;
  let first: ChildServer;
  let second: ChildServer;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bms-binding-'));
    const env = { BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0', BMS_RATE_LIMITER: 'memory' };
    first = await startChildServer(env);
    second = await startChildServer({ ...env, BMS_DEMO: '0' });
  });
  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a DescribeInstances signature used on one process cannot terminate on the other', async () => {
    const demo = readCredentialFile(dataDir, 'demo');
    const list = ok(await call(first.target, demo, 'bms', 'DescribeInstances', {}, freshTimestamp()));
    const id = list.InstanceSet[0].InstanceId as string;
    const ts = freshTimestamp();
    const body = { InstanceIds: [id] };
    ok(await call(first.target, demo, 'bms', 'DescribeInstances', body, ts));
    signAgain(await call(second.target, demo, 'bms', 'TerminateInstances', body, ts), /first used for bms:DescribeInstances/);
    const still = ok(await call(second.target, demo, 'bms', 'DescribeInstances', body, freshTimestamp()));
    assert.equal(still.InstanceSet[0].Status, 'RUNNING');
  });
});
