/**
 * Wildcard matching for policy actions, resources and `string_like` conditions.
 *
 * CAM has one wildcard: `*` stands for any run of characters, the empty run included, and
 * crosses every separator (`:` and `/` too); every other character stands for itself. There is
 * no `?` and no escape. Patterns come from tenants, so the matcher is the classic two-pointer
 * walk with one backtrack point — O(pattern × text) at worst, never exponential — rather than
 * a regular expression built from user input.
 */

export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1; // position in p of the last `*` seen
  let resume = 0; // position in t where that `*` currently stops
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      resume = ti;
      pi += 1;
    } else if (star >= 0) {
      // Let the last `*` swallow one more character and retry from there.
      resume += 1;
      ti = resume;
      pi = star + 1;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}
