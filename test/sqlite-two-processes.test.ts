/**
 * Two BMS processes on one SQLite file (one data folder): both serve, and writes racing from
 * both sides wait for each other instead of failing. SQLite lets one writer at a time; a
 * transaction that began as a reader and then writes after the other process committed cannot
 * wait (SQLITE_BUSY at once), so write transactions must take the write lock when they begin.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sdk } from './support/cloud.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';

describe('two processes on one SQLite file', () => {
  let dataDir: string;
  let first: ChildServer;
  let second: ChildServer;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bms-two-'));
    const env = { BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0', BMS_RATE_LIMITER: 'memory' };
    first = await startChildServer(env);
    second = await startChildServer({ ...env, BMS_DEMO: '0' });
  });
  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('20 concurrent allocations of 5 addresses, split across both processes, all succeed, each address once', async () => {
    const demo = readCredentialFile(dataDir, 'demo');
    const ops = sdk({ ...readCredentialFile(dataDir, 'operator'), Endpoint: first.endpoint }, 'bmsops');
    await ops('AddEipPoolAddresses', { Isp: 'BGP', CidrBlock: '203.0.113.0/25' }); // 126 addresses
    const clients = [sdk({ ...demo, Endpoint: first.endpoint }, 'vpc'), sdk({ ...demo, Endpoint: second.endpoint }, 'vpc')];
    // (10 calls per process: within the per-account rate limit of each process's in-memory limiter)
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
      clients[i % 2]!<{ AddressSet: string[] }>('AllocateAddresses', { AddressCount: 5, AddressName: `two-${i}` })));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.code ?? r.reason));
    const firstLoggedError = (first.output() + second.output()).match(/"err".{0,300}/)?.[0] ?? '(nothing logged)';
    assert.deepEqual(failed, [], `failed: ${failed.slice(0, 5).join(', ')}; first error logged: ${firstLoggedError}`);
    const ids = results.flatMap((r) => (r as PromiseFulfilledResult<{ AddressSet: string[] }>).value.AddressSet);
    assert.equal(new Set(ids).size, 100);
    const { AddressSet } = await clients[1]!<{ AddressSet: Array<{ AddressIp: string }> }>('DescribeAddresses', { Limit: 100 });
    const ips = AddressSet.map((a) => a.AddressIp);
    assert.equal(ips.length, 100);
    assert.equal(new Set(ips).size, 100, 'no address given twice');
    assert.ok(first.alive() && second.alive());
    assert.doesNotMatch(first.output() + second.output(), /SQLITE_BUSY|InternalError/);
  });
});
