/**
 * Master key rotation (`npm run rotate-master-key`) while BMS keeps running:
 *   - a server process started before the rotation serves signed requests (its keys' SecretKeys
 *     and the tenants' BMC passwords are re-sealed under it) without a single failure, and
 *     seals new secrets with the new key once the key files are swapped;
 *   - afterwards every stored secret opens with the new key alone, and none with the old one;
 *   - the rotation resumes with the key of an interrupted run, and a run with the current key
 *     re-seals nothing;
 *   - an `*_enc` column without a rotation rule stops the rotation before anything changes.
 *
 * On SQLite the load is signed reads only: a second process writing the same SQLite file (the
 * rotation) can make a concurrent read-then-write transaction of the server fail with
 * SQLITE_BUSY (its deferred transaction cannot upgrade past the other process's commit) — a
 * property of multi-process SQLite, not of the rotation. On PostgreSQL, the deployment with
 * several processes, the load includes DescribeOutbandInfo (a BMC password opened and a
 * secret read recorded per call).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { KEY_FILES } from '../src/iam/master-key.ts';
import { checkSealedColumns, encColumns, rotateMasterKey, SEALED_COLUMNS } from '../src/iam/rotate-master-key.ts';
import { masterKeyFrom, SecretBox } from '../src/iam/secret-box.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';
import { schemaFactory, withPostgres } from './support/postgres.ts';
import { keepAliveClient, type Answer } from './support/keepalive-client.ts';
import { sdk, waitFor } from './support/cloud.ts';

const SCRIPT = new URL('../scripts/rotate-master-key.ts', import.meta.url).pathname;

function runRotation(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const keyIdOf = (dataDir: string, file: string) => masterKeyFrom(readFileSync(join(dataDir, file), 'utf8')).id;

/** Every sealed value of the store: [table.column, row key, context, sealed]. */
async function sealedValues(store: Store): Promise<Array<[string, string, string, string]>> {
  const out: Array<[string, string, string, string]> = [];
  for (const c of SEALED_COLUMNS) {
    const { rows } = await sql<{ k: string; ctx: string; v: string }>`select ${sql.ref(c.key)} as k, ${sql.ref(c.context)} as ctx,
      ${sql.ref(c.column)} as v from ${sql.table(c.table)}`.execute(store.db);
    for (const r of rows) out.push([`${c.table}.${c.column}`, r.k, r.ctx, r.v]);
  }
  return out;
}

function rotationWhileServing(backend: string, databaseUrl: () => string | undefined, secretReads: boolean) {
  describe(`master key rotation with a server running (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bms-rotate-'));
    const url = databaseUrl();
    const env: Record<string, string> = {
      BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0', BMS_MASTER_KEY_RELOAD_MS: '200', BMS_POWER_SYNC_MS: '200', ...(url ? { BMS_DATABASE_URL: url } : {}),
    };
    const open = () => openStore({ dataDir, ...(url ? { databaseUrl: url } : {}) });
    let server: ChildServer;
    let oldKey: string;
    after(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    before(async () => {
      server = await startChildServer(env);
      oldKey = readFileSync(join(dataDir, KEY_FILES.current), 'utf8').trim();
    });

    it('keeps serving signed requests (SecretKeys and BMC passwords re-sealed underneath) and seals new secrets with the new key', async () => {
      const demo = readCredentialFile(dataDir, 'demo');
      const bms = sdk({ ...demo, Endpoint: server.endpoint });
      const { InstanceSet } = await waitFor('a running demo instance', () => bms<{ InstanceSet: Array<{ InstanceId: string; Status: string }> }>('DescribeInstances', {}),
        (r) => r.InstanceSet.some((i) => i.Status === 'RUNNING'));
      const instanceId = InstanceSet.find((i) => i.Status === 'RUNNING')!.InstanceId;
      const client = keepAliveClient(server.target, demo, 4);
      const answers: Answer[] = [];
      let running = true;
      const load = (async () => {
        for (let i = 0; running; i++) {
          answers.push(await (i % 2 && secretReads ? client.call('DescribeOutbandInfo', { InstanceId: instanceId }) : client.call(i % 2 ? 'DescribeZones' : 'DescribeInstances', {})));
          await sleep(60);
        }
      })();
      try {
        await sleep(500);
        const rotation = await runRotation(env);
        assert.equal(rotation.code, 0, rotation.output);
        assert.match(rotation.output, /done: \d+ secret\(s\) re-sealed/);
        await sleep(1_500); // credential cache (1 s) expires: the server re-opens keys sealed under the new key
      } finally {
        running = false;
        await load;
        client.close();
      }
      const failed = answers.filter((a) => a.code !== 'Success');
      assert.deepEqual(failed.map((a) => a.text), [], `every request during and after the rotation succeeded; server: ${server.output().slice(-3000)}`);
      assert.ok(answers.length > 20, `${answers.length} requests`);
      assert.ok(server.alive());
      assert.doesNotMatch(server.output(), /not loaded|unhandled error/);

      // New secrets are sealed with the new key: the operator registers a server.
      const ops = sdk({ ...readCredentialFile(dataDir, 'operator'), Endpoint: server.endpoint }, 'bmsops');
      const { SwitchId } = await ops<{ SwitchId: string }>('CreateSwitch', { Zone: 'ap-guangzhou-1', SwitchName: 'rotation-tor' });
      const { RackId } = await ops<{ RackId: string }>('CreateRack', { SwitchId, RackName: 'rotation-rack' });
      const { ServerIds } = await ops<{ ServerIds: string[] }>('RegisterServers', { ServerSet: [{
        Sn: 'ROT-1', RackId, RackUnit: 1, HardwareType: 'sim', BmcAddress: '10.254.77.1', BmcUsername: 'admin', BmcPassword: 'Rot@tion-2026!',
        CpuModel: 'Intel Xeon Gold 6248', CpuCores: 40, CpuArch: 'X86', MemoryGb: 384, Disks: [{ Type: 'SSD', SizeGb: 960 }], NicPorts: 4,
      }] });
      assert.equal(await server.stop(), 0);

      const newId = keyIdOf(dataDir, KEY_FILES.current);
      assert.notEqual(newId, masterKeyFrom(oldKey).id);
      assert.ok(!existsSync(join(dataDir, KEY_FILES.next)), 'master.key.next was swapped in');
      assert.ok(readFileSync(join(dataDir, KEY_FILES.previous), 'utf8').includes(oldKey), 'the old key is kept as previous');

      const store = await open();
      try {
        const onlyNew = new SecretBox(masterKeyFrom(readFileSync(join(dataDir, KEY_FILES.current), 'utf8')));
        const onlyOld = new SecretBox(masterKeyFrom(oldKey));
        const values = await sealedValues(store);
        assert.ok(values.some(([col]) => col === 'api_keys.secret_key_enc') && values.some(([col]) => col === 'bmc_accounts.password_enc')
          && values.some(([col, k]) => col === 'servers.bmc_password_enc' && k === ServerIds[0]));
        for (const [col, key, ctx, sealed] of values) {
          assert.ok(sealed.startsWith(`v1.${newId}.`), `${col} of ${key} is sealed with the new key`);
          assert.doesNotThrow(() => onlyNew.open(sealed, ctx), `${col} of ${key} opens with the new key alone`);
          assert.throws(() => onlyOld.open(sealed, ctx));
        }
        assert.equal(onlyNew.open(values.find(([, k]) => k === ServerIds[0])![3], ServerIds[0]), 'Rot@tion-2026!');
      } finally {
        await store.close();
      }
    });

    if (url) return;

    it('resumes with the key of an interrupted run; a run with the current key re-seals nothing', async () => {
      const store = await openStore({ dataDir });
      try {
        const resumed = 'the key an interrupted run left behind';
        writeFileSync(join(dataDir, KEY_FILES.next), `${resumed}\n`, { mode: 0o600 });
        const settings = { store, dataDir, masterKey: undefined, previousMasterKeys: undefined, settleMs: 0 };
        const first = await rotateMasterKey({ ...settings, newMasterKey: 'ignored: master.key.next wins' });
        assert.equal(first.newKeyId, masterKeyFrom(resumed).id);
        assert.equal(keyIdOf(dataDir, KEY_FILES.current), masterKeyFrom(resumed).id);
        assert.ok(Object.values(first.resealed).reduce((a, b) => a + b, 0) > 0);
        const again = await rotateMasterKey({ ...settings, newMasterKey: resumed });
        assert.equal(again.swapped, false);
        assert.deepEqual(Object.values(again.resealed).filter((n) => n > 0), []);
        const box = new SecretBox(masterKeyFrom(resumed));
        for (const [, , ctx, sealed] of await sealedValues(store)) box.open(sealed, ctx);
      } finally {
        await store.close();
      }
    });

    it('refuses to run when a sealed column has no rotation rule', async () => {
      const store = await openStore({ dataDir });
      try {
        assert.deepEqual(await encColumns(store), SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort());
        await sql`create table extra_secrets (id text primary key, token_enc text)`.execute(store.db);
        await assert.rejects(checkSealedColumns(store), /extra_secrets\.token_enc/);
        await assert.rejects(rotateMasterKey({ store, dataDir, masterKey: undefined, previousMasterKeys: undefined, newMasterKey: undefined, settleMs: 0 }),
          /without a rotation rule/);
      } finally {
        await store.close();
      }
    });
  });
}

rotationWhileServing('SQLite', () => undefined, false);

const freshSchemaUrl = schemaFactory();
await withPostgres('master key rotation with a server running (PostgreSQL)', () => {
  rotationWhileServing('PostgreSQL', freshSchemaUrl, true);
});
