/**
 * The command line: global options anywhere (`--region x` or `--region=x`), then positional
 * words (`bms instance stop bms-1 bms-2`, `bms bms DescribeInstances`), then the action's own
 * `--Param value` pairs (capitalised, as tccli has them; `--Placement.Zone z` sets one member of
 * a structure).
 */
import { UsageError } from './exit-codes.ts';

/** Options taking a value. */
export const VALUE_OPTIONS = [
  'profile', 'region', 'endpoint', 'language', 'output', 'filter', 'credentials-file', 'secret-id', 'secret-key', 'token',
  'cli-input-json', 'timeout', 'file', 'from-file',
  // task-command options
  'zone', 'flavor', 'os', 'os-type', 'subnet', 'vpc', 'password', 'count', 'name', 'raid', 'status', 'limit', 'client-token', 'instance',
] as const;
/** Options without a value. */
export const FLAG_OPTIONS = ['help', 'version', 'wait', 'dry-run', 'generate-cli-skeleton', 'no-color', 'yes'] as const;

export interface Parsed {
  words: string[];
  options: Record<string, string>;
  flags: Set<string>;
  /** `--Param value` pairs in the order given. */
  params: Array<[string, string]>;
}

export function parseArgs(argv: string[]): Parsed {
  const out: Parsed = { words: [], options: {}, flags: new Set(), params: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      out.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      out.words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const take = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      i++;
      return next;
    };
    if (/^[A-Z]/.test(name)) out.params.push([name, take()]);
    else if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    } else if ((VALUE_OPTIONS as readonly string[]).includes(name)) out.options[name] = take();
    else throw new UsageError(`unknown option --${name}${suggest(name, [...VALUE_OPTIONS, ...FLAG_OPTIONS])} (see bms --help)`);
  }
  return out;
}

/** ", did you mean --x?" for a near miss. */
export function suggest(word: string, choices: readonly string[], prefix = '--'): string {
  const d = (a: string, b: string) => {
    const m = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) m[0]![j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
      m[i]![j] = Math.min(m[i - 1]![j]! + 1, m[i]![j - 1]! + 1, m[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    }
    return m[a.length]![b.length]!;
  };
  let best: string | undefined;
  let score = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of choices) {
    const s = d(word, c);
    if (s < score) [best, score] = [c, s];
  }
  return best ? `; did you mean ${prefix}${best}?` : '';
}
