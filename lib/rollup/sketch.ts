/**
 * A DDSketch-style duration sketch with 1 % relative accuracy: durations fall in logarithmic bins whose
 * counts simply add, so sketches merge exactly (rollup items store the bins, DynamoDB `ADD`s them).
 * Hand-written (40 lines) because `@datadog/sketches-js` drags protobuf code into every Lambda bundle and we
 * need the bin index itself as a DynamoDB attribute name.
 */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);

/** Durations below this many ms (our precision is 1 µs) go in the zero bin and read back as exactly 0. */
export const MIN_INDEXABLE_MS = 0.001;

/** The bin of a positive duration (ms): gamma^(i-1) < ms <= gamma^i. `null` means the zero bin. */
export function binIndex(durationMs: number): number | null {
  if (!(durationMs >= MIN_INDEXABLE_MS)) return null;
  return Math.ceil(Math.log(durationMs) / LN_GAMMA);
}

/** The representative value of bin `i`, within RELATIVE_ACCURACY of every duration in it. */
export function binValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

/** A mergeable multiset of durations, kept as bin counts. */
export class DurationSketch {
  zeroCount = 0;
  readonly bins = new Map<number, number>();

  /** How many durations the sketch holds. */
  get count(): number {
    let n = this.zeroCount;
    for (const c of this.bins.values()) n += c;
    return n;
  }

  /** Adds `times` copies of one duration. */
  add(durationMs: number, times = 1): this {
    const i = binIndex(durationMs);
    if (i === null) this.zeroCount += times;
    else this.addBin(i, times);
    return this;
  }

  /** Adds `times` to bin `index` directly (rollup items store bins, not durations). */
  addBin(index: number, times: number): this {
    if (times) this.bins.set(index, (this.bins.get(index) ?? 0) + times);
    return this;
  }

  /** Adds every bin of `other` into this sketch. */
  merge(other: DurationSketch): this {
    this.zeroCount += other.zeroCount;
    for (const [i, c] of other.bins) this.addBin(i, c);
    return this;
  }

  /**
   * The duration at sorted index floor(q·(n−1)) (DESIGN.md), within 1 % relative error; clamped to the exact
   * `min`/`max` when given. `undefined` for an empty sketch.
   */
  quantile(q: number, bounds: { min?: number; max?: number } = {}): number | undefined {
    return this.quantiles([q], bounds)[0];
  }

  /** {@link quantile} for several `qs` at once: one count, one sort of the bins, one walk over them. */
  quantiles(qs: readonly number[], bounds: { min?: number; max?: number } = {}): (number | undefined)[] {
    const n = this.count;
    if (n === 0) return qs.map(() => undefined);
    const sorted = [...this.bins.entries()].sort(([a], [b]) => a - b);
    const clamp = (v: number) => Math.min(Math.max(v, bounds.min ?? v), bounds.max ?? v);
    return qs.map((q) => {
      const rank = Math.floor(q * (n - 1));
      let seen = this.zeroCount;
      if (rank < seen) return clamp(0);
      for (const [i, c] of sorted) {
        seen += c;
        if (rank < seen) return clamp(binValue(i));
      }
      return clamp(0);
    });
  }
}

