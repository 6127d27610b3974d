/**
 * Test support: a barrier for `parties` concurrent tasks — each awaits it, and all go on
 * together once the last has arrived (to make races collide on purpose).
 */
export function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => { release = resolve; });
  return async () => {
    if (++arrived === parties) release();
    await all;
  };
}
