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
    const n = this.count;
    if (n === 0) return undefined;
    const rank = Math.floor(q * (n - 1));
    let value: number | undefined;
    let seen = this.zeroCount;
    if (rank < seen) value = 0;
    else {
      for (const i of [...this.bins.keys()].sort((a, b) => a - b)) {
        seen += this.bins.get(i) ?? 0;
        if (rank < seen) {
          value = binValue(i);
          break;
        }
      }
    }
    value ??= 0;
    if (bounds.min !== undefined && value < bounds.min) value = bounds.min;
    if (bounds.max !== undefined && value > bounds.max) value = bounds.max;
    return value;
  }
}

/** Version byte of the packed bin format below; a reader refuses any other. */
const PACKED_BINS_VERSION = 1;

/**
 * Packs bin counts into bytes: a version byte, the number of bins, then per bin (ascending index) the index
 * (the first zigzag-encoded, since indexes can be negative; then the gap to the previous one) and the count,
 * all as LEB128 varints. About 2–3 bytes per bin, against ~10 for one DynamoDB attribute per bin: rollup
 * items shrink ~3× and read as ~20 attributes instead of ~500 (test/bench/RESULTS.md).
 */
export function packBins(bins: ReadonlyMap<number, number>): Uint8Array {
  const out: number[] = [PACKED_BINS_VERSION];
  const entries = [...bins].filter(([, count]) => count !== 0).sort(([a], [b]) => a - b);
  const varint = (value: number) => {
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  };
  varint(entries.length);
  let previous: number | undefined;
  for (const [index, count] of entries) {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`cannot pack bin ${index} with count ${count}: both must be safe integers, the count positive`);
    }
    varint(previous === undefined ? (index < 0 ? -2 * index - 1 : 2 * index) : index - previous);
    varint(count);
    previous = index;
  }
  return Uint8Array.from(out);
}

/** Adds the bins packed by {@link packBins} to `into`; throws a RangeError naming the fault on corrupt bytes. */
export function unpackBins(bytes: Uint8Array, into: DurationSketch): DurationSketch {
  let at = 0;
  const varint = (what: string) => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new RangeError(`packed bins end inside ${what} at byte ${at}`);
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError(`packed bins hold an over-long number in ${what} at byte ${at}`);
    }
    return value;
  };
  if (bytes[0] !== PACKED_BINS_VERSION) throw new RangeError(`packed bins have format version ${bytes[0] ?? 'none'}, expected ${PACKED_BINS_VERSION}`);
  at = 1;
  const n = varint('the bin count');
  const decoded: [number, number][] = []; // applied only once all bytes check out
  let index = 0;
  for (let i = 0; i < n; i++) {
    const raw = varint(`bin ${i}'s index`);
    if (i === 0) index = raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
    else if (raw === 0) throw new RangeError(`packed bins repeat an index at bin ${i}`);
    else index += raw;
    const count = varint(`bin ${i}'s count`);
    if (count === 0) throw new RangeError(`packed bins hold an empty bin at bin ${i}`);
    decoded.push([index, count]);
  }
  if (at !== bytes.length) throw new RangeError(`packed bins have ${bytes.length - at} byte(s) after the last bin`);
  for (const [i, count] of decoded) into.addBin(i, count);
  return into;
}
