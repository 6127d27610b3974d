/**
 * kill -9 of the server process during 50 provisionings, then a restart on the same data:
 * every instance ends RUNNING or CREATE_FAILED (a few servers are made to fail their install),
 * the tasks resumed from their last completed step, and the invariant checker finds nothing
 * allocated twice and nothing leaked.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkInvariants } from '../src/reconcile/invariants.ts';
import { openStore } from '../src/store/open-store.ts';
import { sdk, waitFor } from './support/cloud.ts';

const MAIN = new URL('../src/server/main.ts', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'bms-crash-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const ENV = {
  BMS_DATA_DIR: dataDir, BMS_PORT: '0', BMS_SIM_TIME_SCALE: '0.003', BMS_TASK_LEASE_MS: '1000', BMS_LOG_LEVEL: 'warn', BMS_POWER_SYNC_MS: '1000',
};

function start(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /API endpoint http:\/\/([^/\s]+)\//.exec(out);
      if (m && out.includes('Try:')) {
        clearTimeout(timer);
        resolve({ child, endpoint: m[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const creds = () => JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));

describe('crash recovery', () => {
  it('50 provisionings survive kill -9 and end RUNNING or CREATE_FAILED with nothing leaked', { timeout: 180_000 }, async () => {
    const first = await start();
    const bms = sdk(creds());
    const vpc = sdk(creds(), 'vpc');
    const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string; Zone: string }> }>('DescribeSubnets', {});
    const { FlavorSet } = await bms<{ FlavorSet: Array<{ FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }> }>('DescribeFlavors', {});
    const ids: string[] = [];
    const standard = FlavorSet.filter((f) => !f.UserDefined);
    for (let i = 0; ids.length < 50; i++) {
      const flavor = standard[i % standard.length]!;
      const subnet = SubnetSet.find((s) => s.Zone === flavor.Placement.Zone)!;
      const res = await bms<{ BmsId: string[] }>('RunInstances', {
        Placement: { Zone: flavor.Placement.Zone }, FlavorId: flavor.FlavorId, OperatingSystemType: 'Linux', OperatingSystem: flavor.OperatingSystem.Linux[0],
        VirtualPrivateCloud: { VpcId: subnet.VpcId, SubnetId: subnet.SubnetId }, LoginSettings: { Password: 'Crash#2026pw' },
        RaidType: flavor.RaidType[0], InstanceCount: Math.min(10, 50 - ids.length),
      });
      ids.push(...res.BmsId);
    }
    // Make three servers fail their install, so the rescue path is interrupted too.
    const store = await openStore({ dataDir });
    try {
      const failing = await store.db.selectFrom('instances').select('server_id').where('id', 'in', ids.slice(0, 3)).execute();
      const ops = sdk({ ...JSON.parse(readFileSync(join(dataDir, 'operator-credentials.json'), 'utf8')) }, 'bmsops');
      for (const f of failing) await ops('InjectServerFaults', { ServerId: f.server_id, Fault: 'install-fails' });
      await new Promise((r) => setTimeout(r, 1500));
      const mid = await store.db.selectFrom('tasks').select(['status', 'step_index']).where('instance_id', 'in', ids).execute();
      assert.ok(mid.some((t) => t.status === 'RUNNING'), 'the kill should land mid-provisioning');
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      await start().then(async (second) => {
        try {
          const finalBms = sdk(creds());
          const settled = await waitFor('all 50 settled', async () => {
            const r = await finalBms<{ InstanceSet: Array<{ Status: string }> }>('DescribeInstances', { InstanceIds: ids.slice(0, 100), Limit: 100 });
            return r.InstanceSet.map((i) => i.Status);
          }, (s) => s.length === 50 && s.every((x) => x === 'RUNNING' || x === 'CREATE_FAILED'), 120_000, 250);
          assert.ok(settled.filter((s) => s === 'RUNNING').length >= 47);
          await waitFor('tasks settle', () => store.db.selectFrom('tasks').select('id').where('status', '=', 'RUNNING').execute(), (r) => r.length === 0, 60_000, 250);
          assert.deepEqual(await checkInvariants(store.db), []);
          const tasks = await store.db.selectFrom('tasks').select(['status', 'steps']).where('instance_id', 'in', ids).execute();
          for (const t of tasks) {
            const steps = JSON.parse(t.steps) as Array<{ name: string; status: string }>;
            if (t.status === 'SUCCESS') assert.ok(steps.every((s) => s.status === 'DONE'), JSON.stringify(steps));
            else assert.deepEqual([steps.at(-1)!.name, steps.at(-1)!.status], ['return-server', 'DONE']);
          }
        } finally {
          second.child.kill('SIGTERM');
          await new Promise((r) => second.child.once('exit', r));
        }
      });
    } finally {
      await store.close();
    }
  });
});
