/**
 * Repeats answer instead of failing (issue 9 part 3): a signed mutating request that already
 * succeeded is not executed again — its copies get the first answer, and the audit trail and
 * access log name the RequestId they repeat; a request that failed is not remembered, so the
 * same request after the cause is fixed is judged anew. On SQLite and PostgreSQL, and across
 * two server processes on one store.
 *
 * "Identical signed requests" are built by signing the same body at the same timestamp (the
 * test moves the request timestamp instead of waiting for a second to pass).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERSIONS, sdk, waitFor, type Call } from './support/cloud.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { tc3Request, type Creds, type Reply, type Target } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const ZONE = 'ap-guangzhou-1';
const freshSchemaUrl = schemaFactory();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let seconds = 0;
/** A timestamp no other request of this file used (a few seconds back, well within the window). */
const freshTimestamp = () => Math.floor(Date.now() / 1000) - 100 - (seconds++ % 150);

function signed(target: Target, creds: Creds, service: keyof typeof VERSIONS, action: string, params: Record<string, unknown>, timestamp: number): Promise<Reply> {
  return tc3Request(target, creds, { action, params, service, version: VERSIONS[service], timestamp });
}

function ok(reply: Reply): Json {
  assert.equal(reply.json.Response.Error, undefined, `unexpected error: ${JSON.stringify(reply.json.Response.Error)}`);
  return reply.json.Response;
}

const withoutRequestId = (r: Reply) => {
  const { RequestId: _, ...members } = r.json.Response;
  return members;
};

function repeatSuite(label: string, env: () => Record<string, string>) {
  describe(`repeats on ${label}`, () => {
    let server: TestServer;
    let target: Target;
    let demo: Creds & { accountUin: string };
    let bms: Call;
    let vpc: Call;
    let ops: Call;
    let launchBase: Record<string, unknown>;

    before(async () => {
      server = await startTestServer({ BMS_SIM_TIME_SCALE: '0', ...env() });
      target = server.edge.address;
      demo = server.credentials.demo;
      bms = sdk(server.credentials.demo);
      vpc = sdk(server.credentials.demo, 'vpc');
      ops = sdk(server.credentials.operator, 'bmsops');
      const { FlavorSet } = await bms<Json>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
      const flavor = FlavorSet.find((f: Json) => !f.UserDefined && f.CpuArch === 'X86');
      const { SubnetSet } = await vpc<Json>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [ZONE] }] });
      launchBase = {
        Placement: { Zone: ZONE }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
        VirtualPrivateCloud: { VpcId: SubnetSet[0].VpcId, SubnetId: SubnetSet[0].SubnetId }, LoginSettings: { Password: 'Repeat#2026pw' },
        RaidType: flavor.RaidType[0], InstanceCount: 1,
      };
    });
    after(async () => server?.stop());

    const audited = async (action: string, requestIds: string[]) =>
      server.store.db.selectFrom('audit_events').select(['request_id', 'repeat_of', 'result_code'])
        .where('action', '=', action).where('request_id', 'in', requestIds).execute();
    const instance = async (id: string) => (await bms<Json>('DescribeInstances', { InstanceIds: [id] })).InstanceSet[0];

    /** Two identical signed calls, one after the other: same members, one execution, the second a recorded repeat. */
    async function twice(service: keyof typeof VERSIONS, action: string, params: Record<string, unknown>) {
      const ts = freshTimestamp();
      const first = await signed(target, demo, service, action, params, ts);
      const second = await signed(target, demo, service, action, params, ts);
      ok(first);
      ok(second);
      assert.deepEqual(withoutRequestId(second), withoutRequestId(first), 'the repeat gets the first answer');
      assert.notEqual(second.json.Response.RequestId, first.json.Response.RequestId, 'with its own RequestId');
      const rows = await audited(action, [first.json.Response.RequestId, second.json.Response.RequestId]);
      assert.deepEqual(rows.map((r) => [r.request_id, r.repeat_of ?? null, r.result_code]).sort(), [
        [first.json.Response.RequestId, null, 'Success'], [second.json.Response.RequestId, first.json.Response.RequestId, 'Success'],
      ].sort(), 'the audit trail records one execution and one repeat of it');
      const line = server.logLines.find((l) => l.requestId === second.json.Response.RequestId);
      assert.equal(line?.repeatOf, first.json.Response.RequestId, 'the access log names the RequestId repeated');
      return { first, second };
    }

    it('two identical signed TerminateInstances in one second: the same answer, one execution', async () => {
      const { BmsId } = ok(await signed(target, demo, 'bms', 'RunInstances', { ...launchBase, InstanceName: 'to-terminate' }, freshTimestamp()));
      const id = BmsId[0] as string;
      await waitFor(`${id} RUNNING`, () => instance(id), (i) => i?.Status === 'RUNNING');
      const tasksBefore = await server.store.db.selectFrom('tasks').select('id').where('instance_id', '=', id).execute();
      await twice('bms', 'TerminateInstances', { InstanceIds: [id] });
      const tasksAfter = await server.store.db.selectFrom('tasks').select('id').where('instance_id', '=', id).execute();
      assert.equal(tasksAfter.length, tasksBefore.length + 1, 'one terminate task, not two');
    });

    it('two identical signed ModifyAddressesBandwidth in one second: the same answer, one execution', async () => {
      await ops('AddEipPoolAddresses', { Isp: 'BGP', Addresses: label === 'SQLite' ? ['198.51.100.77'] : ['198.51.100.78'] }).catch(() => {});
      const { AddressSet } = await vpc<Json>('AllocateAddresses', { AddressName: 'repeat-bw' });
      await twice('vpc', 'ModifyAddressesBandwidth', { AddressIds: AddressSet, InternetMaxBandwidthOut: 7 });
      const { AddressSet: after } = await vpc<Json>('DescribeAddresses', { AddressIds: AddressSet });
      assert.equal(after[0].Bandwidth, 7);
      await vpc('ReleaseAddresses', { AddressIds: AddressSet });
    });

    it('DeleteVpc refused with ResourceInUse; the subnets deleted; the identical signed DeleteVpc succeeds', async () => {
      const { Vpc } = await vpc<Json>('CreateVpc', { VpcName: 'repeat-vpc', CidrBlock: '10.77.0.0/16' });
      const { Subnet } = await vpc<Json>('CreateSubnet', { VpcId: Vpc.VpcId, SubnetName: 'inside', CidrBlock: '10.77.1.0/24', Zone: ZONE });
      const ts = freshTimestamp();
      const refused = await signed(target, demo, 'vpc', 'DeleteVpc', { VpcId: Vpc.VpcId }, ts);
      assert.equal(refused.json.Response.Error?.Code, 'ResourceInUse', refused.text);
      await vpc('DeleteSubnet', { SubnetId: Subnet.SubnetId });
      const again = await signed(target, demo, 'vpc', 'DeleteVpc', { VpcId: Vpc.VpcId }, ts);
      ok(again);
      assert.deepEqual((await vpc<Json>('DescribeVpcs', { VpcIds: [Vpc.VpcId] })).VpcSet ?? [], []);
      const rows = await audited('DeleteVpc', [refused.json.Response.RequestId, again.json.Response.RequestId]);
      assert.deepEqual(rows.map((r) => [r.result_code, r.repeat_of ?? null]).sort(), [['ResourceInUse', null], ['Success', null]],
        'the refused call was not remembered: the second one was judged anew and executed');
      const third = await signed(target, demo, 'vpc', 'DeleteVpc', { VpcId: Vpc.VpcId }, ts);
      assert.deepEqual(withoutRequestId(third), withoutRequestId(again), 'and a copy of the one that succeeded repeats its answer');
    });

    it('20 concurrent identical signed RunInstances launch exactly one set of instances', async () => {
      await ops('SetRateLimit', { AccountUin: demo.accountUin, Service: 'bms', Action: 'RunInstances', Limit: 100 });
      const before = await server.store.db.selectFrom('instances').select('id').where('account_uin', '=', demo.accountUin).execute();
      const ts = freshTimestamp();
      const params = { ...launchBase, InstanceName: 'one-set', InstanceCount: 2 };
      const replies = await Promise.all(Array.from({ length: 20 }, () => signed(target, demo, 'bms', 'RunInstances', params, ts)));
      const answers = replies.map((r) => ok(r));
      const sets = new Set(answers.map((a) => JSON.stringify(a.BmsId)));
      assert.equal(sets.size, 1, `one answer for all: ${[...sets].join(' | ')}`);
      assert.equal(answers[0]!.BmsId.length, 2);
      const after = await server.store.db.selectFrom('instances').select('id').where('account_uin', '=', demo.accountUin).execute();
      assert.equal(after.length, before.length + 2, 'two instances launched, not forty');
      const rows = await audited('RunInstances', replies.map((r) => r.json.Response.RequestId));
      assert.equal(rows.filter((r) => !r.repeat_of).length, 1, 'one execution');
      assert.equal(rows.filter((r) => r.repeat_of).length, 19, 'nineteen repeats of it');
      await ops('SetRateLimit', { AccountUin: demo.accountUin, Service: 'bms', Action: 'RunInstances' });
    });

    it('after a RequestLimitExceeded the identical retry is executed', async () => {
      const { InstanceSet } = await bms<Json>('DescribeInstances', { Limit: 1 });
      const id = InstanceSet[0].InstanceId as string;
      await ops('SetRateLimit', { AccountUin: demo.accountUin, Service: 'bms', Action: 'ModifyInstancesAttribute', Limit: 1 });
      try {
        ok(await signed(target, demo, 'bms', 'ModifyInstancesAttribute', { InstanceIds: [id], InstanceName: 'takes-the-slot' }, freshTimestamp()));
        const ts = freshTimestamp();
        const params = { InstanceIds: [id], InstanceName: 'after-the-limit' };
        const limited = await signed(target, demo, 'bms', 'ModifyInstancesAttribute', params, ts);
        assert.equal(limited.json.Response.Error?.Code, 'RequestLimitExceeded', limited.text);
        server.skew.ms += 1_100; // the next second of the server's clock: the limit's window moved on
        ok(await signed(target, demo, 'bms', 'ModifyInstancesAttribute', params, ts));
        assert.equal((await instance(id)).InstanceName, 'after-the-limit');
      } finally {
        server.skew.ms = 0;
        await ops('SetRateLimit', { AccountUin: demo.accountUin, Service: 'bms', Action: 'ModifyInstancesAttribute' });
      }
    });

    it('a read is never recorded: identical DescribeInstances are each answered afresh', async () => {
      const ts = freshTimestamp();
      const a = await signed(target, demo, 'bms', 'DescribeInstances', { Limit: 1 }, ts);
      const b = await signed(target, demo, 'bms', 'DescribeInstances', { Limit: 1 }, ts);
      ok(a);
      ok(b);
      const line = server.logLines.find((l) => l.requestId === b.json.Response.RequestId);
      assert.equal(line?.repeatOf, undefined);
    });
  });
}

repeatSuite('SQLite', () => ({}));

/** Two `npm start` processes on one store: identical requests sent to both execute once. */
function twoProcessSuite(label: string, setup: () => { env: Record<string, string>; dataDirs: [string, string]; cleanup(): void }) {
  describe(`repeats across two server processes on ${label}`, () => {
    let first: ChildServer;
    let second: ChildServer;
    let ctx: ReturnType<typeof setup>;
    before(async () => {
      ctx = setup();
      const env = { BMS_SIM_TIME_SCALE: '0', BMS_RATE_LIMITER: 'memory', ...ctx.env };
      first = await startChildServer({ ...env, BMS_DATA_DIR: ctx.dataDirs[0] });
      second = await startChildServer({ ...env, BMS_DATA_DIR: ctx.dataDirs[1], BMS_DEMO: '0' });
    });
    after(async () => {
      await Promise.all([first?.stop(), second?.stop()]);
      ctx?.cleanup();
    });

    it('10 identical signed CreateVpc, 5 to each process at once: one VPC, one answer', async () => {
      const demo = readCredentialFile(ctx.dataDirs[0], 'demo');
      const ts = freshTimestamp();
      const params = { VpcName: `two-process-${ts}`, CidrBlock: '10.88.0.0/16' };
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        signed((i % 2 ? second : first).target, demo, 'vpc', 'CreateVpc', params, ts)));
      const ids = new Set(replies.map((r) => ok(r).Vpc.VpcId as string));
      assert.equal(ids.size, 1, [...ids].join(', '));
      const listed = await sdk({ ...demo, Endpoint: second.endpoint }, 'vpc')<Json>('DescribeVpcs', { Filters: [{ Name: 'vpc-name', Values: [params.VpcName] }] });
      assert.equal(listed.VpcSet.length, 1, 'created once');
      assert.ok(first.alive() && second.alive());
      assert.doesNotMatch(first.output() + second.output(), /InternalError|SQLITE_BUSY/);
    });
  });
}

twoProcessSuite('one SQLite file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-repeats-'));
  return { env: {}, dataDirs: [dataDir, dataDir], cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
});

await withPostgres('repeats on PostgreSQL', () => {
  repeatSuite('PostgreSQL', () => ({ BMS_DATABASE_URL: freshSchemaUrl() }));
  twoProcessSuite('PostgreSQL', () => {
    const url = freshSchemaUrl();
    const dirs = [mkdtempSync(join(tmpdir(), 'bms-repeats-a-')), mkdtempSync(join(tmpdir(), 'bms-repeats-b-'))] as [string, string];
    return {
      // Both processes must seal secrets with the same master key to read each other's keys.
      env: { BMS_DATABASE_URL: url, BMS_MASTER_KEY: 'repeats-test-master-key-0123456789' },
      dataDirs: dirs,
      cleanup: () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })),
    };
  });
});
