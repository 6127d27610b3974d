/**
 * The `bms` CLI run as a user runs it — the built bin as a child process — against BMS running
 * as a process: a profile configured (0600), instances listed as table/json/text with a JMESPath
 * filter, three created with --wait (plain progress lines on a pipe, redrawn bars on a
 * pseudo-terminal from util-linux `script`), a batch stop with one wrong id (exit 4, the id
 * named), the skeleton → --cli-input-json round trip, --dry-run, help from the spec in both
 * languages, bash completion through bash itself, servers registered from a CSV file, and the
 * documented exit codes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildCli } from '../scripts/build-clients.mjs';
import { projectPath } from '../scripts/codegen.ts';
import { VERSION } from '../packages/cli/src/version.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';

const BIN = projectPath('packages/cli/bin/bms.mjs');
const hasScript = spawnSync('script', ['--version']).status === 0;

interface Run { code: number | null; stdout: string; stderr: string }

let server: ChildServer;
let dataDir: string;
let home: string;
let env: Record<string, string>;

/** Runs `bms args…` (no shell), resolving with its exit code and output. */
function bms(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const r = await bms(args, extraEnv);
  assert.equal(r.code, 0, `bms ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

before(async () => {
  await buildCli();
  dataDir = mkdtempSync(join(tmpdir(), 'bms-cli-data-'));
  home = mkdtempSync(join(tmpdir(), 'bms-cli-home-'));
  server = await startChildServer({ BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0.0005', BMS_POWER_SYNC_MS: '200' });
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(TENCENTCLOUD_|BMS_|http_proxy|HTTP_PROXY)/.test(k)) clean[k] = v;
  env = { ...clean, HOME: home, BMS_CONFIG_DIR: join(home, 'bms-config'), LANG: 'C' };
});
after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('bms CLI', () => {
  let created: string[] = [];

  it('prints its version fast-path, and npm linked it as node_modules/.bin/bms', async () => {
    assert.equal((await ok(['--version'])).stdout.trim(), `bms ${VERSION}`);
    const pkg = JSON.parse(readFileSync(projectPath('packages/cli/package.json'), 'utf8')) as { version: string };
    assert.equal(pkg.version, VERSION);
    const linked = spawnSync(projectPath('node_modules/.bin/bms'), ['--version'], { env, encoding: 'utf8' });
    assert.equal(linked.stdout.trim(), `bms ${VERSION}`, 'npm install links the bin (npx bms)');
  });

  it('configures a profile from the credential file npm start writes, with mode 0600, key masked when listed', async () => {
    const r = await ok(['configure', '--profile', 'demo', '--from-file', join(dataDir, 'demo-credentials.json'), '--output', 'json']);
    assert.match(r.stderr, /profile "demo" saved/);
    for (const f of ['demo.configure', 'demo.credential']) assert.equal(statSync(join(env.BMS_CONFIG_DIR!, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(env.BMS_CONFIG_DIR!).mode & 0o777, 0o700);
    const list = JSON.parse((await ok(['configure', 'list'])).stdout) as Array<{ Profile: string; SecretKey: string; SecretId: string }>;
    const demo = readCredentialFile(dataDir, 'demo');
    assert.equal(list[0]!.Profile, 'demo');
    assert.equal(list[0]!.SecretId, demo.SecretId);
    assert.ok(!JSON.stringify(list).includes(demo.SecretKey), 'the secret key is not printed');
  });

  it('without credentials: a usage error (exit 2) saying how to configure', async () => {
    const r = await bms(['instance', 'list']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bms configure/);
  });

  it('creates 3 instances with --wait: plain progress lines when not on a terminal', async () => {
    const r = await ok(['--profile', 'demo', 'instance', 'create', '--count', '3', '--password', 'Cli#Test1234', '--name', 'cli-three', '--wait', '--zone', 'ap-guangzhou-1']);
    const answer = JSON.parse(r.stdout) as { TotalCount: number; InstanceSet: Array<{ InstanceId: string; Status: string }> };
    assert.equal(answer.TotalCount, 3);
    assert.ok(answer.InstanceSet.every((i) => i.Status === 'RUNNING'));
    created = answer.InstanceSet.map((i) => i.InstanceId);
    assert.ok(!r.stderr.includes('\x1b['), 'no terminal control codes on a pipe');
    assert.match(r.stderr, /^creating 3 instance\(s\)/);
    for (const id of created) {
      assert.match(r.stderr, new RegExp(`^${id} +PENDING +\\d+% +step \\d/\\d [a-z-]+ +elapsed \\d+:\\d\\d +ETA`, 'm'), `a progress line for ${id}`);
      assert.match(r.stderr, new RegExp(`^${id} +RUNNING +100% .*ETA 0:00 +done$`, 'm'));
    }
  });

  it('lists instances as table, json and text, with a JMESPath filter', async () => {
    const json = JSON.parse((await ok(['--profile', 'demo', 'instance', 'list', '--output', 'json'])).stdout) as { TotalCount: number; InstanceSet: Array<{ InstanceId: string }> };
    assert.ok(json.TotalCount >= 3);
    assert.deepEqual(created.filter((id) => json.InstanceSet.some((i) => i.InstanceId === id)), created);
    const table = (await ok(['--profile', 'demo', 'instance', 'list', '--output', 'table', '--name', 'cli-three'])).stdout;
    const lines = table.trim().split('\n');
    assert.match(lines[1]!, /^\| InstanceId +\| InstanceName +\| Status +\|/);
    assert.equal(lines.length, 4 + 3, 'rule, header, rule, three rows, rule');
    for (const id of created) assert.match(table, new RegExp(`\\| ${id} \\| cli-three +\\| RUNNING `));
    const text = (await ok(['--profile', 'demo', 'instance', 'list', '--output', 'text', '--filter', "InstanceSet[?InstanceName=='cli-three'].[InstanceId,Status]"])).stdout;
    assert.deepEqual(text.trim().split('\n').sort(), created.map((id) => `${id}\tRUNNING`).sort());
    const filtered = JSON.parse((await ok(['--profile', 'demo', 'bms', 'DescribeInstances', '--InstanceIds', JSON.stringify(created), '--filter', 'InstanceSet[].InstanceId'])).stdout) as string[];
    assert.deepEqual(filtered.sort(), [...created].sort());
    const bad = await bms(['--profile', 'demo', 'instance', 'list', '--filter', 'InstanceSet[?']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not valid JMESPath/);
  });

  it('shows redrawn progress bars on a pseudo-terminal', { skip: hasScript ? false : 'util-linux script is not installed' }, () => {
    const cmd = [process.execPath, BIN, '--profile', 'demo', 'instance', 'create', '--count', '1', '--password', 'Cli#Test1234', '--name', 'cli-tty', '--wait', '--output', 'text', '--filter', 'InstanceSet[].InstanceId']
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { env: { ...env, COLUMNS: '160' }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stdout);
    assert.ok(r.stdout.includes('\x1b[2K'), 'lines are cleared and redrawn');
    assert.match(r.stdout, /\[#*\.*\] +\d+%/, 'a progress bar');
    assert.match(r.stdout, /\[#{20}\] 100% +step \d\/\d mark-running +elapsed \d+:\d\d +ETA 0:00 +done/);
    const id = /^(bms-[0-9a-z]{8})\r?$/m.exec(r.stdout)?.[1];
    assert.ok(id, 'the created id is printed');
    created.push(id);
  });

  it('a batch stop with one wrong id stops the others, names the wrong one and exits 4', async () => {
    const [a, b] = created as [string, string];
    const r = await bms(['--profile', 'demo', 'instance', 'stop', a, 'bms-nothere1', b, '--wait']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /bms-nothere1: ResourceNotFound: .*bms-nothere1.*RequestId/);
    assert.match(r.stderr, /1 of 3 failed: bms-nothere1/);
    const results = JSON.parse(r.stdout) as Array<{ InstanceId: string; Code?: string; TaskId?: number }>;
    assert.deepEqual(results.map((x) => x.InstanceId), [a, 'bms-nothere1', b]);
    assert.equal(results[1]!.Code, 'ResourceNotFound');
    const states = JSON.parse((await ok(['--profile', 'demo', 'instance', 'list', a, b, '--filter', 'InstanceSet[].Status'])).stdout) as string[];
    assert.deepEqual(states, ['STOPPED', 'STOPPED']);
    const allBad = await bms(['--profile', 'demo', 'instance', 'start', 'bms-nothere1']);
    assert.equal(allBad.code, 1, 'every item failed: an API error');
  });

  it('--generate-cli-skeleton output fed back with --cli-input-json works', async () => {
    const skeleton = JSON.parse((await ok(['bms', 'StartInstances', '--generate-cli-skeleton'])).stdout) as { InstanceIds: string[] };
    assert.deepEqual(skeleton, { InstanceIds: [''] });
    skeleton.InstanceIds = created.slice(0, 2);
    const file = join(home, 'start.json');
    writeFileSync(file, JSON.stringify(skeleton));
    const r = JSON.parse((await ok(['--profile', 'demo', 'bms', 'StartInstances', '--cli-input-json', `file://${file}`])).stdout) as { TaskId: number; RequestId: string };
    assert.ok(r.TaskId && r.RequestId);
    const run = JSON.parse((await ok(['bms', 'RunInstances', '--generate-cli-skeleton'])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(run.Placement as object).includes('Zone'), true);
    assert.equal((run.LoginSettings as { Password: string }).Password, '');
    // options given on the command line win over the file's
    const inline = await bms(['--profile', 'demo', 'bms', 'DescribeInstances', '--cli-input-json', '{"Limit":1}', '--Limit', '2', '--filter', 'length(InstanceSet)']);
    assert.equal(inline.stdout.trim(), '2');
  });

  it('--dry-run where the API has DryRun: nothing changes; elsewhere a usage error', async () => {
    const id = created[2]!;
    const r = await ok(['--profile', 'demo', 'instance', 'return', id, '--dry-run']);
    assert.equal((JSON.parse(r.stdout) as Array<{ Code: string }>)[0]!.Code, 'DryRunOperation');
    assert.equal(JSON.parse((await ok(['--profile', 'demo', 'instance', 'list', id, '--filter', 'TotalCount'])).stdout), 1);
    const generic = await bms(['--profile', 'demo', 'bms', 'TerminateInstances', '--InstanceIds', `["${id}"]`, '--dry-run']);
    assert.equal(generic.code, 1);
    assert.match(generic.stderr, /DryRunOperation/);
    const no = await bms(['--profile', 'demo', 'bms', 'StopInstances', '--InstanceIds', `["${id}"]`, '--dry-run']);
    assert.equal(no.code, 2);
    assert.match(no.stderr, /StopInstances has no DryRun/);
  });

  it('usage errors exit 2 and name the culprit; API errors exit 1 with code and RequestId', async () => {
    const typo = await bms(['--profile', 'demo', 'bms', 'DescribeInstances', '--Limt', '1']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no parameter --Limt; did you mean --Limit\?/);
    const number = await bms(['--profile', 'demo', 'bms', 'DescribeInstances', '--Limit', 'ten']);
    assert.equal(number.code, 2);
    assert.match(number.stderr, /--Limit expects a number/);
    assert.equal((await bms(['--profile', 'demo', 'bms', 'RunInstances'])).code, 2);
    assert.equal((await bms(['--bogus'])).code, 2);
    const api = await bms(['--profile', 'demo', 'bms', 'DescribeInstances', '--Limit', '1000']);
    assert.equal(api.code, 1);
    assert.match(api.stderr, /InvalidParameterValue: .*Limit.*\(RequestId [0-9a-f-]{36}\)/);
    // the environment overrides the profile (tccli's variables)
    const env1 = await bms(['--profile', 'demo', 'bms', 'DescribeZones'], { TENCENTCLOUD_SECRET_KEY: 'wrong' });
    assert.equal(env1.code, 1);
    assert.match(env1.stderr, /AuthFailure/);
    const refused = await bms(['--profile', 'demo', 'bms', 'DescribeZones'], { BMS_ENDPOINT: 'http://127.0.0.1:1' });
    assert.equal(refused.code, 5);
  });

  it('--wait gives up at --timeout with exit 3, naming what is still pending', async () => {
    // provisioning takes about a second at this time scale; the deadline is a millisecond
    const r = await bms(['--profile', 'demo', 'instance', 'create', '--password', 'Cli#Test1234', '--name', 'cli-late', '--wait', '--timeout', '0.001']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /gave up waiting at the deadline; still pending: bms-[0-9a-z]{8}/);
  });

  it('--help comes from the spec, in English and Chinese', async () => {
    const en = (await ok(['bms', 'RunInstances', '--help', '--language', 'en-US'])).stdout;
    assert.match(en, /^bms bms RunInstances — /);
    assert.match(en, /--Placement <Placement> \(required\)/);
    assert.match(en, /--InstanceCount <Int64>/);
    const zh = (await ok(['bms', 'RunInstances', '--help', '--language', 'zh-CN'])).stdout;
    assert.match(zh, /（必填）/);
    assert.match(zh, /[\u4e00-\u9fff]{4,}/);
    assert.notEqual(en, zh);
    const top = (await ok(['--help'])).stdout;
    assert.match(top, /Exit codes:\n\s+0 done · 1 the service answered an error .* 2 usage error\n\s+3 timeout .* 4 a batch partly failed .* 5 no answer/);
    assert.match((await ok(['--help'], { LANG: 'zh_CN.UTF-8' })).stdout, /退出码/);
    assert.match((await ok(['vpc', '--help'])).stdout, /CreateVpc/);
  });

  it('completes services, actions and parameters — through bash itself', async () => {
    assert.deepEqual((await ok(['__complete', 'bms', 'DescribeIn'])).stdout.trim().split('\n'), ['DescribeInstances']);
    assert.match((await ok(['__complete', 'bms', 'DescribeInstances', '--Fi'])).stdout, /^--Filters$/m);
    assert.match((await ok(['__complete', 'in'])).stdout, /^instance$/m);
    const bin = join(home, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    symlinkSync(BIN, join(bin, 'bms'));
    const script = (await ok(['completion', 'bash'])).stdout;
    writeFileSync(join(home, 'bms.bash'), script);
    const r = spawnSync('bash', ['-c', `source ${join(home, 'bms.bash')}; COMP_WORDS=(bms vpc DescribeSu); COMP_CWORD=2; _bms; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      env: { ...env, PATH: `${bin}:${env.PATH}` }, encoding: 'utf8',
    });
    assert.equal(r.stdout.trim(), 'DescribeSubnets', r.stderr);
    assert.match((await ok(['completion', 'zsh'])).stdout, /^#compdef bms/);
  });

  it('the banner\'s first command works as printed, and its /docs/ link answers', async () => {
    const line = /^Try: +(npx bms .*)$/m.exec(server.output())?.[1];
    assert.ok(line, server.output());
    const words = line.split(/ +/);
    assert.deepEqual(words.slice(0, 2), ['npx', 'bms']);
    const r = await ok(words.slice(2));
    assert.match(r.stdout, /^\| InstanceId +\| InstanceName +\| Status/m);
    const docsUrl = /API reference (http:\/\/\S+\/docs\/)/.exec(server.output())?.[1];
    assert.equal(docsUrl, `http://${server.endpoint}/docs/`);
    assert.equal((await fetch(docsUrl!)).status, 200);
  });

  it('the API reference at /docs/ covers every service, action, parameter and error code, in English and Chinese', async () => {
    const get = async (path: string, lang = 'en-US') => {
      const res = await fetch(`http://${server.endpoint}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    const index = await get('/docs/');
    assert.equal(index.status, 200);
    assert.equal(index.type, 'text/html; charset=utf-8');
    for (const code of ['MissingParameter', 'RequestLimitExceeded', 'ResourceNotFound', 'AuthFailure.SignatureFailure']) assert.ok(index.text.includes(`<code>${code}</code>`), code);
    const specs = Object.fromEntries(['audit', 'bms', 'bmsops', 'cam', 'sts', 'vpc'].map((s) => [s, JSON.parse(readFileSync(projectPath(`src/spec/${s}.json`), 'utf8')) as { version: string; actions: Record<string, { title: string; titleEn: string; input: Array<{ name: string }>; output: Array<{ name: string }> }> }]));
    for (const [service, spec] of Object.entries(specs)) {
      assert.ok(index.text.includes(`href="/docs/${service}/?lang=en-US"`), service);
      const svc = await get(`/docs/${service}/`);
      assert.equal(svc.status, 200);
      for (const [name, a] of Object.entries(spec.actions)) {
        assert.ok(svc.text.includes(`/docs/${service}/${name}?`), `${service} lists ${name}`);
        const en = await get(`/docs/${service}/${name}`);
        assert.equal(en.status, 200, `${service}/${name}`);
        assert.ok(en.text.includes(a.titleEn.replace(/&/g, '&#38;').replace(/'/g, '&#39;')), `${service}/${name} title`);
        for (const m of [...a.input, ...a.output]) assert.ok(en.text.includes(`<code>${m.name}</code>`), `${service}/${name} documents ${m.name}`);
        assert.ok(en.text.includes(`X-TC-Action: ${name}`) && en.text.includes(`bms ${service} ${name}`), 'example request over HTTP and the CLI');
        assert.ok(en.text.includes('&#34;RequestId&#34;: '), 'example answer');
      }
    }
    const zh = await get('/docs/bms/RunInstances', 'zh-CN');
    assert.match(zh.text, /输入参数/);
    assert.ok(zh.text.includes(specs.bms!.actions.RunInstances!.title));
    assert.match(zh.text, /<code>MissingParameter<\/code>/);
    assert.match((await get('/docs/bms/RunInstances')).text, /<td><code>InstanceCount<\/code><\/td><td>Int64<\/td><td>No<\/td><td>range/);
    assert.equal((await get('/docs/bms/NoSuchAction')).status, 404);
    assert.equal((await get('/docs/nothere/')).status, 404);
  });

  it('registers servers from a CSV file (operator keys)', async () => {
    const op = readCredentialFile(dataDir, 'operator');
    const opEnv = { TENCENTCLOUD_SECRET_ID: op.SecretId, TENCENTCLOUD_SECRET_KEY: op.SecretKey, BMS_ENDPOINT: server.endpoint };
    const sw = JSON.parse((await ok(['bmsops', 'CreateSwitch', '--Zone', 'ap-guangzhou-1', '--SwitchName', 'cli-tor'], opEnv)).stdout) as { SwitchId: string };
    const rack = JSON.parse((await ok(['bmsops', 'CreateRack', '--SwitchId', sw.SwitchId, '--RackName', 'cli-rack'], opEnv)).stdout) as { RackId: string };
    const csv = join(home, 'servers.csv');
    writeFileSync(csv, [
      'Sn,RackId,RackUnit,HardwareType,BmcAddress,BmcUsername,BmcPassword,CpuModel,CpuCores,CpuArch,MemoryGb,Disks,NicPorts',
      `CLI-1,${rack.RackId},1,sim,10.254.99.1,admin,"Bmc#Pass,1",Intel Xeon Gold 6248,40,X86,384,SSD:960;SSD:960,4`,
      `CLI-2,${rack.RackId},2,sim,10.254.99.2,admin,Bmc#Pass2,Intel Xeon Gold 6248,40,X86,384,"[{""Type"":""HDD"",""SizeGb"":4000}]",2`,
      '',
    ].join('\n'));
    const r = JSON.parse((await ok(['ops', 'server', 'register', '--file', csv], opEnv)).stdout) as { TotalCount: number; ServerIds: string[] };
    assert.equal(r.TotalCount, 2);
    const listed = JSON.parse((await ok(['bmsops', 'DescribeServers', '--ServerIds', JSON.stringify(r.ServerIds)], opEnv)).stdout) as { ServerSet: Array<{ Sn: string; Disks: unknown }> };
    assert.deepEqual(listed.ServerSet.map((s) => s.Sn).sort(), ['CLI-1', 'CLI-2']);
    assert.deepEqual(listed.ServerSet.find((s) => s.Sn === 'CLI-2')!.Disks, [{ Type: 'HDD', SizeGb: 4000 }]);
    const bad = await bms(['ops', 'server', 'register', '--file', csv.replace('servers', 'nothere')], opEnv);
    assert.equal(bad.code, 2);
  });
});
