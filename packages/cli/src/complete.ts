/**
 * Shell completion: `bms completion bash|zsh` prints a script; the script calls
 * `bms __complete <words so far…> <current word>` and offers what it prints, one per line.
 * This module is a bundle of its own (dist/complete.mjs) loading only the small generated index,
 * so a Tab press costs little more than starting Node.
 */
import { FLAG_OPTIONS, VALUE_OPTIONS } from './args.ts';
import { COMPLETION } from './generated/completion.ts';

const TASKS: Record<string, string[]> = {
  instance: ['list', 'create', 'stop', 'start', 'reboot', 'reinstall', 'return'],
  task: ['list', 'wait'],
  ops: ['server'],
  configure: ['list'],
  completion: ['bash', 'zsh'],
};
const ENUMS: Record<string, string[]> = { output: ['json', 'table', 'text'], language: ['zh-CN', 'en-US'] };

export function complete(words: string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const prev = before.at(-1);
  const starts = (xs: string[]) => xs.filter((x) => x.startsWith(current));
  if (prev?.startsWith('--') && ENUMS[prev.slice(2)]) return starts(ENUMS[prev.slice(2)]!);
  const positional = before.filter((w, i) => !w.startsWith('--') && !(before[i - 1]?.startsWith('--') && (VALUE_OPTIONS as readonly string[]).includes(before[i - 1]!.slice(2)) || /^--[A-Z]/.test(before[i - 1] ?? '')));
  const globals = [...VALUE_OPTIONS, ...FLAG_OPTIONS].map((o) => `--${o}`);
  const [first, second] = positional;
  if (current.startsWith('--') && first && first in COMPLETION && second && COMPLETION[first]![second]) {
    const used = new Set(before.filter((w) => w.startsWith('--')));
    return starts([...COMPLETION[first]![second]!.map((p) => `--${p}`).filter((p) => !used.has(p)), ...globals]);
  }
  if (current.startsWith('-')) return starts(globals);
  if (!first) return starts([...Object.keys(COMPLETION), ...Object.keys(TASKS)]);
  if (first in COMPLETION && positional.length === 1) return starts(Object.keys(COMPLETION[first]!));
  if (first in TASKS && positional.length === 1) return starts(TASKS[first]!);
  if (first === 'ops' && second === 'server' && positional.length === 2) return starts(['register', 'list']);
  return [];
}

export function completionScript(shell: 'bash' | 'zsh'): string {
  if (shell === 'bash') {
    return `# bms completion for bash: source <(bms completion bash)
_bms() {
  local IFS=$'\\n'
  COMPREPLY=($(bms __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _bms bms
`;
  }
  return `#compdef bms
# bms completion for zsh: source <(bms completion zsh)
_bms() {
  local -a candidates
  candidates=("\${(@f)$(bms __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _bms bms
`;
}

/** Entry point of dist/complete.mjs. */
export function runComplete(argv: string[]): void {
  const out = complete(argv);
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}
