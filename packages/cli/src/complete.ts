/**
 * Shell completion. `bms completion bash|zsh` prints a script holding every word it can offer
 * (services, actions, each action's parameters, task commands, options and their values), so a
 * Tab press runs a shell function and starts no program. `bms __complete <words…> <current>`
 * answers the same from `complete()` below — the reference the script is tested against, and
 * what other shells can call. This module is a bundle of its own (dist/complete.mjs) loading
 * only the small generated index.
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

/** Single-quoted for both shells; the words themselves are checked to need no quoting. */
function sq(words: string[]): string {
  for (const w of words) if (!/^[A-Za-z0-9.-]+$/.test(w)) throw new Error(`completion word ${JSON.stringify(w)} would need quoting`);
  return `'${words.join(' ')}'`;
}

/** The data and the function both shells run: `_bms_offer <words after bms…> <current>` sets `_bms_reply` to the candidates, not yet filtered by the current word. */
function sharedScript(): string {
  const lines = [
    `_bms_services=${sq(Object.keys(COMPLETION))}`,
    `_bms_tasks=${sq(Object.keys(TASKS))}`,
    `_bms_globals=${sq([...VALUE_OPTIONS, ...FLAG_OPTIONS].map((o) => `--${o}`))}`,
    `_bms_value_options=' ${VALUE_OPTIONS.join(' ')} '`,
    'typeset -gA _bms_actions _bms_params _bms_subcommands _bms_enums',
    ...Object.entries(ENUMS).map(([o, vs]) => `_bms_enums[${o}]=${sq(vs)}`),
    ...Object.entries(TASKS).map(([t, subs]) => `_bms_subcommands[${t}]=${sq(subs)}`),
  ];
  for (const [service, actions] of Object.entries(COMPLETION)) {
    lines.push(`_bms_actions[${service}]=${sq(Object.keys(actions))}`);
    for (const [action, params] of Object.entries(actions)) lines.push(`_bms_params[${service}.${action}]=${params.length ? sq(params) : "''"}`);
  }
  return `${lines.join('\n')}
_bms_offer() {
  [ -n "\${ZSH_VERSION-}" ] && setopt localoptions shwordsplit noksharrays
  local _cur= _prev= _first= _second= _n=0 _i=0 _w _used=' ' _key
  _bms_reply=
  for _w in "$@"; do
    _i=$((_i + 1))
    if [ "$_i" -eq "$#" ]; then _cur=$_w; break; fi
    if [[ $_w == --* ]]; then _used="$_used$_w "
    elif [[ $_prev == --[A-Z]* || ( $_prev == --* && $_bms_value_options == *" \${_prev#--} "* ) ]]; then :
    else
      _n=$((_n + 1))
      [ "$_n" -eq 1 ] && _first=$_w
      [ "$_n" -eq 2 ] && _second=$_w
    fi
    _prev=$_w
  done
  case $_first in *[!a-z0-9]*) _first='?' ;; esac
  case $_second in *[!A-Za-z0-9]*) _second='?' ;; esac
  case $_prev in --*[!a-z-]*) ;; --?*) if [ -n "\${_bms_enums[\${_prev#--}]-}" ]; then _bms_reply=\${_bms_enums[\${_prev#--}]}; return; fi ;; esac
  if [[ $_cur == --* && -n $_first && -n $_second && -n \${_bms_actions[$_first]-} ]] && _key="$_first.$_second" && [ -n "\${_bms_params[$_key]+set}" ]; then
    for _w in \${_bms_params[$_key]}; do [[ $_used == *" --$_w "* ]] || _bms_reply="$_bms_reply--$_w "; done
    _bms_reply="$_bms_reply$_bms_globals"
  elif [[ $_cur == -* ]]; then _bms_reply=$_bms_globals
  elif [ "$_n" -eq 0 ]; then _bms_reply="$_bms_services $_bms_tasks"
  elif [ "$_n" -eq 1 ] && [ -n "\${_bms_actions[$_first]-}" ]; then _bms_reply=\${_bms_actions[$_first]}
  elif [ "$_n" -eq 1 ] && [ -n "\${_bms_subcommands[$_first]-}" ]; then _bms_reply=\${_bms_subcommands[$_first]}
  elif [ "$_n" -eq 2 ] && [ "$_first" = ops ] && [ "$_second" = server ]; then _bms_reply='register list'
  fi
}
`;
}

export function completionScript(shell: 'bash' | 'zsh'): string {
  if (shell === 'bash') {
    return `# bms completion for bash (4.2 or later): source <(bms completion bash)
# Everything it offers is written below: a Tab press starts no program.
${sharedScript()}_bms() {
  _bms_offer "\${COMP_WORDS[@]:1:COMP_CWORD}"
  local IFS=$' \\t\\n' _w _cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=()
  for _w in $_bms_reply; do [[ $_w == "$_cur"* ]] && COMPREPLY+=("$_w"); done
  return 0
}
complete -o default -F _bms bms
`;
  }
  return `#compdef bms
# bms completion for zsh: source <(bms completion zsh)
# Everything it offers is written below: a Tab press starts no program.
${sharedScript()}_bms() {
  _bms_offer "\${(@)words[2,CURRENT]}"
  compadd -- \${=_bms_reply}
}
if (( $+functions[compdef] )); then compdef _bms bms; else autoload -Uz compinit && compinit && compdef _bms bms; fi
`;
}

/** Entry point of dist/complete.mjs. */
export function runComplete(argv: string[]): void {
  const out = complete(argv);
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}
