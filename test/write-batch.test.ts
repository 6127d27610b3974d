/**
 * Flush consolidation (src/gateway/write-batch.ts): answers finished in one turn of the event
 * loop are written together at its end, in the order they finished, each to its own request —
 * and one failing write keeps no other answer back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeBatch } from '../src/gateway/write-batch.ts';
import { tc3Request } from './support/raw-client.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('write batch', () => {
  it('writes what one turn queued at the end of that turn, in order', async () => {
    const written: string[] = [];
    const batch = writeBatch(() => assert.fail('no write fails here'));
    batch(() => written.push('a'));
    batch(() => written.push('b'));
    assert.equal(written.length, 0, 'nothing is written while the turn is still running');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['a', 'b']);
    batch(() => written.push('c')); // a later turn gets a flush of its own
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['a', 'b', 'c']);
  });

  it('bookkeeping queued with an answer runs after every answer of the batch is written', async () => {
    const done: string[] = [];
    const batch = writeBatch(() => assert.fail('nothing fails here'));
    batch(() => done.push('write a'), () => done.push('log a'));
    batch(() => done.push('write b'));
    batch(() => done.push('write c'), () => done.push('log c'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(done, ['write a', 'write b', 'write c', 'log a', 'log c']);
  });

  it('a write that throws is reported and the others still happen', async () => {
    const written: string[] = [];
    const errors: unknown[] = [];
    const batch = writeBatch((e) => errors.push(e));
    batch(() => written.push('a'));
    batch(() => {
      throw new Error('socket gone');
    });
    batch(() => written.push('c'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['a', 'c']);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['socket gone']);
  });
});

describe('answers written in batches reach their own requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { rateLimiter: { take: () => true } });
  });
  after(async () => server.stop());

  it('200 concurrent calls: every answer carries the trace id and action of its own request', async () => {
    const { host, port } = server.edge.address;
    const calls = Array.from({ length: 200 }, (_, i) => {
      const action = i % 2 === 0 ? 'DescribeZones' : 'DescribeRegions';
      return tc3Request({ host, port }, server.credentials.demo, { action, extraHeaders: { 'X-TC-TraceId': `trace-${i}` } })
        .then((reply) => ({ i, action, reply }));
    });
    for (const { i, action, reply } of await Promise.all(calls)) {
      assert.equal(reply.headers['x-tc-traceid'], `trace-${i}`);
      assert.equal(reply.json.Response.Error, undefined);
      assert.ok(action === 'DescribeZones' ? 'ZoneSet' in reply.json.Response : 'RegionSet' in reply.json.Response, `answer ${i} is for ${action}`);
      assert.equal(reply.headers['x-tc-requestid'], reply.json.Response.RequestId);
    }
  });
});
