/**
 * The store-backed rate limiter on its own, on SQLite and PostgreSQL: two limiters on one
 * database stand for two server processes. Whatever the interleaving, together they never grant
 * more than the limit in a window, and they grant nearly all of it (what one reserved and did
 * not use is the only loss); a new window starts afresh; overrides resolve account → every
 * account → default; an unreachable store lets requests through.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rateLimitOverrides } from '../src/iam/rate-limit-overrides.ts';
import { limitedBy, storeRateLimiter } from '../src/iam/store-rate-limiter.ts';
import { openStore } from '../src/store/open-store.ts';
import { putRateLimitOverride } from '../src/store/repos/rate-limits.ts';
import type { Store } from '../src/store/store.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';

const quiet = { error: () => {} };

function suite(backend: string, open: () => Promise<Store>) {
  describe(`store rate limiter on ${backend}`, () => {
    let store: Store;
    after(async () => store?.close());

    it('two processes together grant at most the limit per window, and nearly all of it', async () => {
      store = await open();
      for (const limit of [10, 40, 1000]) {
        const [p1, p2] = [storeRateLimiter(store.db, { logger: quiet }), storeRateLimiter(store.db, { logger: quiet })];
        const now = 1_700_000_000_000 + limit * 1000;
        const results = await Promise.all(Array.from({ length: limit * 3 }, (_, i) => (i % 3 === 0 ? p1 : p2).take(`acct/bms/L${limit}`, limit, now + (i % 900))));
        const granted = results.filter(Boolean).length;
        const batch = Math.max(1, Math.floor(limit / 20));
        assert.ok(granted <= limit, `limit ${limit}: granted ${granted}`);
        assert.ok(granted >= limit - 2 * (batch - 1), `limit ${limit}: granted only ${granted}`);
        assert.equal(await p1.take(`acct/bms/L${limit}`, limit, now + 1000), true, 'the next window starts afresh');
      }
    });

    it('limit 0 refuses without counting; other keys are independent', async () => {
      const p = storeRateLimiter(store.db, { logger: quiet });
      const now = 1_800_000_000_000;
      assert.equal(await p.take('acct/bms/Zero', 0, now), false);
      assert.equal(await p.take('acct/bms/One', 1, now), true);
      assert.equal(await p.take('acct/bms/One', 1, now), false);
      assert.equal(await p.take('other/bms/One', 1, now), true);
    });

    it('answers synchronously from its share: only a reservation waits for the store', async () => {
      const p = storeRateLimiter(store.db, { logger: quiet });
      const now = 1_850_000_000_000;
      const first = p.take('acct/bms/Sync', 40, now); // nothing reserved yet: the store is asked
      assert.ok(first instanceof Promise);
      assert.equal(await first, true);
      assert.equal(p.take('acct/bms/Sync', 40, now), true, 'the reserved batch (40 / 20 = 2) has one left');
      assert.ok(p.take('acct/bms/Sync', 40, now) instanceof Promise, 'the batch is used up: reserve again');
      const exhausted = storeRateLimiter(store.db, { logger: quiet });
      assert.equal(await exhausted.take('acct/bms/Sync1', 1, now), true);
      assert.equal(await exhausted.take('acct/bms/Sync1', 1, now), false); // learns the window is exhausted
      assert.equal(exhausted.take('acct/bms/Sync1', 1, now), false, 'an exhausted window is refused without the store');
    });

    it('overrides: the account rule, then the every-account rule, then the default', async () => {
      const t = Date.now();
      await putRateLimitOverride(store.db, { accountUin: '*', service: 'bms', action: 'RunInstances', perSecond: 3, updatedAt: t });
      await putRateLimitOverride(store.db, { accountUin: 'vip', service: 'bms', action: 'RunInstances', perSecond: 7, updatedAt: t });
      const overrides = rateLimitOverrides(store.db, { ttlMs: 60_000, clock: Date.now, logger: quiet });
      await overrides.reload();
      assert.equal(overrides.limitFor('vip/bms/RunInstances', 10), 7);
      assert.equal(overrides.limitFor('someone/bms/RunInstances', 10), 3);
      assert.equal(overrides.limitFor('someone/bms/StartInstances', 10), 10);
      const limiter = limitedBy(overrides, storeRateLimiter(store.db, { logger: quiet }));
      const now = 1_900_000_000_000;
      const granted = (await Promise.all(Array.from({ length: 10 }, () => limiter.take('someone/bms/RunInstances', 10, now)))).filter(Boolean);
      assert.equal(granted.length, 3);
    });

    it('lets requests through (and says so) when the store is unreachable', async () => {
      const logged: string[] = [];
      const gone = await open();
      await gone.close();
      const p = storeRateLimiter(gone.db, { logger: { error: (_o, msg) => logged.push(msg ?? '') } });
      assert.equal(await p.take('acct/bms/X', 1, Date.now()), true);
      assert.equal(await p.take('acct/bms/X', 1, Date.now()), true);
      assert.equal(logged.filter((m) => /letting requests through/.test(m)).length, 1, 'logged once, not per request');
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'bms-limiter-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
suite('SQLite', () => openStore({ dataDir }));

const freshSchemaUrl = schemaFactory();
await withPostgres('store rate limiter on PostgreSQL', () => {
  const url = freshSchemaUrl();
  suite('PostgreSQL', () => openStore({ dataDir, databaseUrl: url }));
});
