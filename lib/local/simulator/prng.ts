// A tiny seeded PRNG: the scenario must be a pure function of (seed, simulated time), so every random
// draw comes from a stream keyed by what it decides (seed, "policy", job index…), never from Math.random.

/** A source of uniform numbers in [0, 1) with a few distribution helpers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** Log-normal with the given median and shape σ (of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** One of `items`, weighted by `weights` (same length). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A UUID-shaped id (version nibble 4), deterministic from the stream. */
  uuid(): string;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
}

/** FNV-1a over the parts' string forms, then a murmur3 finalizer: a 32-bit key for one stream. */
export function streamKey(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: tiny, fast, good enough for simulation and test data (not for secrets). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic stream for the given key parts, e.g. `rngFor(seed, 'policy', 12)`. */
export function rngFor(...parts: (string | number)[]): Rng {
  const next = mulberry32(streamKey(...parts));
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    logNormal: (median, sigma) => {
      // Box-Muller; 1 - u keeps log() away from 0.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * z);
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    weighted: (items, weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      let u = next() * total;
      for (let i = 0; i < items.length; i++) {
        u -= weights[i] ?? 0;
        if (u < 0) return items[i] as (typeof items)[number];
      }
      return items[items.length - 1] as (typeof items)[number];
    },
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    hex: (n) => {
      let out = '';
      for (let i = 0; i < n; i++) out += Math.floor(next() * 16).toString(16);
      return out;
    },
    uuid: () => {
      const h = rng.hex(32);
      const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
  return rng;
}
