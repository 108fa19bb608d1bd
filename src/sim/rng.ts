/**
 * Small seeded PRNG (sfc32 seeded through splitmix32). Math.random is never used in the world,
 * the trajectories or the generator, so every seed reproduces bit for bit on any JS engine.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes several integers (a seed and stream ids) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    if (!Number.isSafeInteger(p)) throw new RangeError(`seed parts must be integers, got ${p}`);
    const sm = splitmix32((h ^ (p >>> 0) ^ Math.floor(p / 2 ** 32)) >>> 0);
    h = sm();
  }
  return h >>> 0;
}

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number;
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** standard normal (Box-Muller) */
  normal(): number;
  chance(p: number): boolean;
  /** the generator's state, to resume it later exactly where it is now */
  save(): number[];
  load(state: readonly number[]): void;
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed >>> 0);
  let a = init(),
    b = init(),
    c = init(),
    d = init();
  const u32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    chance: (p) => next() < p,
    save: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
    load: (st) => {
      if (st.length !== 4 || !st.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32))
        throw new RangeError('an rng state is four 32-bit unsigned integers');
      [a, b, c, d] = st as [number, number, number, number];
    },
  };
}
