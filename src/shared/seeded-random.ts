/**
 * A deterministic number in [0, 1) from a string and an integer (FNV-1a, then a murmur-style
 * finaliser): the simulated datacenter's series and sensors are pure functions of (thing, time),
 * so a replayed slot gives the same value and a restart continues the same curve.
 */
export function seededUnit(seed: string, n: number): number {
  let h = 2166136261 ^ n;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
