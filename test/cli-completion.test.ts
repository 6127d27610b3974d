/**
 * Shell completion as the shells run it: the script `bms completion bash|zsh` prints offers, in
 * bash and in zsh, exactly what `complete()` (the CLI's reference, behind `bms __complete`)
 * offers — for every service, every action and its parameters, task commands, option values and
 * parameters already given — without starting any program.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { complete, completionScript } from '../packages/cli/src/complete.ts';
import { COMPLETION } from '../packages/cli/src/generated/completion.ts';

const dir = mkdtempSync(join(tmpdir(), 'bms-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Word lists (after `bms`, the last being the word under the cursor) covering every branch of completion. */
function cases(): string[][] {
  const out: string[][] = [[''], ['b'], ['in'], ['ops', ''], ['ops', 'server', ''], ['ops', 'server', 'r'], ['instance', ''], ['task', 'w'],
    ['completion', ''], ['nosuch', ''], ['--'], ['--o'], ['--output', ''], ['--output', 't'], ['--language', ''], ['--region', 'x', ''],
    ['instance', 'create', '--zone', 'z', '--'], ['configure', 'list', 'x', '']];
  for (const [service, actions] of Object.entries(COMPLETION)) {
    out.push([service.slice(0, 1)], [service, ''], [service, 'D'], [service, 'Nosuch', '--']);
    for (const [action, params] of Object.entries(actions)) {
      out.push([service, action.slice(0, 5)], [service, action, '--'], [service, action, ''], [service, action, '--output', '']);
      if (params[0]) {
        out.push([service, action, `--${params[0].slice(0, 2)}`], [service, action, `--${params[0]}`, 'v', '--']);
        out.push(['--region', 'ap-guangzhou', service, action, `--${params[0]}`, 'v', '--']);
      }
    }
  }
  return out;
}

const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

function run(shell: string, script: string, driver: string, all: string[][]): string[] {
  const file = join(dir, `bms.${shell}`);
  writeFileSync(file, script);
  const calls = all.map((ws) => `t ${ws.map(quote).join(' ')}`).join('\n');
  const r = spawnSync(shell, ['-c', `${driver}\n${calls}`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').slice(0, all.length);
}

describe('shell completion', () => {
  const all = cases();
  const expected = all.map((ws) => complete(ws).join(' '));

  it('offers something for most cases (the comparison below is not empty against empty)', () => {
    assert.ok(expected.filter(Boolean).length > all.length * 0.8, `${expected.filter(Boolean).length} of ${all.length}`);
  });

  it('bash offers what complete() offers, for every service, action and parameter', () => {
    const got = run('bash', completionScript('bash'), `source ${join(dir, 'bms.bash')}
t() { COMP_WORDS=(bms "$@"); COMP_CWORD=$#; COMPREPLY=(); _bms; printf '%s\\n' "\${COMPREPLY[*]}"; }`, all);
    for (let i = 0; i < all.length; i++) assert.equal(got[i], expected[i], `bms ${all[i]!.join(' ')}<Tab>`);
  });

  it('zsh offers what complete() offers, for every service, action and parameter', (t) => {
    if (!existsSync('/usr/bin/zsh') && !existsSync('/bin/zsh')) {
      if (process.env['CI']) assert.fail('zsh is missing (apt-get install zsh); CI must test the zsh script');
      return t.skip('zsh is missing: apt-get install -y zsh');
    }
    // compadd exists only inside a completion widget, so the script's own candidate function is
    // driven here and the prefix filter compadd applies is done as compadd does it.
    const got = run('zsh', completionScript('zsh'), `compdef() { : }
source ${join(dir, 'bms.zsh')}
t() { local cur=\${@[-1]}; local -a r; _bms_offer "$@"; r=(\${=_bms_reply}); print -r -- \${(j: :)\${(M)r:#\${(b)cur}*}}; }`, all);
    for (let i = 0; i < all.length; i++) assert.equal(got[i], expected[i], `bms ${all[i]!.join(' ')}<Tab>`);
  });

  it('the script names no program to run on a Tab press', () => {
    for (const shell of ['bash', 'zsh'] as const) assert.doesNotMatch(completionScript(shell), /\bbms __complete\b|\$\(bms/);
  });
});
