/**
 * The install seed with the monitoring agent (EnhancedService.MonitorService), as cloud-init and
 * sh will read it — parsed by PyYAML (the parser cloud-init itself uses), validated by Debian's
 * `cloud-init schema`, its agent configuration sourced by sh: the shipped agent byte for byte,
 * the credential in a root-only file and read back exactly however it is quoted, a systemd
 * unit enabled at first boot; and nothing of the agent when the service is off.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InstallConfig } from '../src/drivers/interfaces/hardware.ts';
import { renderSeed } from '../src/install/seed.ts';
import { cloudInitMissing, cloudInitSchema } from './support/redfish-peers.ts';

const base: InstallConfig = {
  instanceId: 'bms-agent001', osType: 'linux', osName: 'Ubuntu Server 22.04 LTS 64bit', hostName: 'web-1', passwordHash: '$6$salt$hash',
  network: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1', backupAddresses: [] },
};
// A credential no real one looks like, to prove the quoting: quotes, $, backquotes, spaces.
const token = `bmsagent.bms-agent001.it's $HOME \`id\` "x"`;
const withAgent: InstallConfig = { ...base, monitorAgent: { endpoint: 'http://10.0.0.2:8080/agent/v1/metrics', token, intervalSeconds: 10 } };

const dir = mkdtempSync(join(tmpdir(), 'bms-seed-agent-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface WriteFile { path: string; permissions: string; owner?: string; encoding?: string; content: string }
function parse(userData: string): { write_files?: WriteFile[]; runcmd?: string[][]; [k: string]: unknown } {
  const out = execFileSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: userData, encoding: 'utf8' });
  return JSON.parse(out);
}

describe('install seed with the monitoring agent', () => {
  const seed = renderSeed(withAgent, 'http://10.0.0.2:8080/install/t/callback/c');
  const doc = parse(seed['user-data']);
  const file = (path: string) => {
    const f = doc.write_files?.find((w) => w.path === path);
    assert.ok(f, `${path} is written`);
    return f;
  };

  it('writes the shipped agent byte for byte, executable', () => {
    const f = file('/usr/local/bin/bms-monitor-agent');
    assert.equal(f.encoding, 'b64');
    assert.equal(f.permissions, '0755');
    assert.equal(Buffer.from(f.content, 'base64').toString('utf8'), readFileSync(new URL('../agent/bms-monitor-agent', import.meta.url), 'utf8'));
  });

  it('writes the push URL and the credential root-only, read back exactly by sh as the agent sources it', () => {
    const f = file('/etc/bms-agent/agent.conf');
    assert.equal(f.permissions, '0600');
    assert.equal(f.owner, 'root:root');
    const conf = join(dir, 'agent.conf');
    writeFileSync(conf, f.content);
    const read = execFileSync('sh', ['-c', '. "$1"; printf "%s\\n%s\\n%s" "$BMS_AGENT_ENDPOINT" "$BMS_AGENT_TOKEN" "$BMS_AGENT_INTERVAL"', 'sh', conf], { encoding: 'utf8' });
    assert.deepEqual(read.split('\n'), ['http://10.0.0.2:8080/agent/v1/metrics', token, '10']);
  });

  it('enables a systemd unit that runs the agent at first boot', () => {
    assert.match(file('/etc/systemd/system/bms-monitor-agent.service').content, /^ExecStart=\/usr\/local\/bin\/bms-monitor-agent$/m);
    assert.deepEqual(doc.runcmd, [['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', 'bms-monitor-agent.service']]);
  });

  it('is valid cloud-config for cloud-init schema', async (t) => {
    const missing = cloudInitMissing();
    if (missing) {
      if (process.env['CI']) assert.fail(`cloud-init is missing (${missing}); CI must validate the seed`);
      return t.skip(`cloud-init is missing: ${missing}`);
    }
    await cloudInitSchema(seed['user-data']);
  });

  it('holds nothing of the agent when MonitorService is off', () => {
    const plain = parse(renderSeed(base, 'http://10.0.0.2:8080/install/t/callback/c')['user-data']);
    assert.equal(plain.write_files, undefined);
    assert.equal(plain.runcmd, undefined);
    assert.equal(plain.hostname, 'web-1');
  });
});
