// Seeded pseudo-random numbers, so a seed reproduces a run exactly. Never Math.random in the sim.

/** sfc32 (Chris Doty-Humphrey's Small Fast Counter): 128-bit state, passes PractRand, tiny. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Normal(mean, sd) by Box–Muller. */
  normal(mean: number, sd: number): number;
  /** Exponential with the given mean (memoryless time-to-failure). */
  exponential(mean: number): number;
  /** Log-normal with the given mean and coefficient of variation (repair times are right-skewed). */
  lognormal(mean: number, cv: number): number;
  pick<T>(items: readonly T[]): T;
  /** An independent stream derived from this one (one per machine keeps machines decoupled). */
  fork(label: string): Prng;
}

function hashString(text: string): number {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createPrng(seed: number | string): Prng {
  const s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = s ^ 0xdeadbeef;
  const raw = (): number => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) raw(); // warm up: the first outputs of sfc32 correlate with the seed
  let spare: number | undefined;
  const prng: Prng = {
    next: raw,
    uniform: (min, max) => min + (max - min) * raw(),
    chance: (p) => raw() < p,
    normal(mean, sd) {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return mean + sd * z;
      }
      let u = 0;
      while (u === 0) u = raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    exponential(mean) {
      let u = 0;
      while (u === 0) u = raw();
      return -mean * Math.log(u);
    },
    lognormal(mean, cv) {
      const sigma2 = Math.log(1 + cv * cv);
      const mu = Math.log(mean) - sigma2 / 2;
      return Math.exp(prng.normal(mu, Math.sqrt(sigma2)));
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(raw() * items.length)]!;
    },
    // Derived from the seed and the label only, not from how far this stream has run, so
    // adding draws to one machine never changes another machine's story.
    fork(label) {
      return createPrng(hashString(`${s}/${label}`));
    },
  };
  return prng;
}
