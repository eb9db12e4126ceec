/** A seeded pseudo-random source (mulberry32): the same seed makes the same choices again. */
export type Random = {
  /** In [0, 1). */
  next: () => number;
  between: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
};

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** CHAOS_SEED when set (to replay a run's choices), otherwise a new one. */
export function chaosSeed(env: Record<string, string | undefined> = process.env): number {
  if (env.CHAOS_SEED === undefined || env.CHAOS_SEED === '') return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(env.CHAOS_SEED);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`CHAOS_SEED must be an integer from 0 to 4294967295, got ${env.CHAOS_SEED}`);
  return seed;
}
