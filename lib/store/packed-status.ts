import type { StatusAggregate } from '../rollup/aggregate';
import { DurationSketch } from '../rollup/sketch';

/**
 * The packed form of one status's figures in a compacted rollup item (`sP`, `fP`, `tP`; KEYS.md): every figure
 * the loose attributes hold (`sN`, `sD`, `sSum`, `sMin`, `sMax`, `sZ`, `sB<i>`), in one binary attribute.
 * Reads pay per attribute and per byte; a rollup holds ~180 sketch bins per status, ~10 bytes each as loose
 * attributes and 2–3 bytes packed, so compacted items are ~3× smaller and read ~3× faster (RESULTS.md).
 *
 * Layout, little-endian: version byte; varints runs, withDuration, zero-duration count; a flags byte (1 = min
 * present, 2 = max present); float64 sum, then min and max when present; varint bin count; per bin, ascending,
 * the index (the first zigzag-encoded, then the gap to the previous one) and the count, as varints.
 */
const VERSION = 1;
const HAS_MIN = 1;
const HAS_MAX = 2;

/** Packs one status's figures. */
export function packStatus(s: StatusAggregate): Uint8Array {
  const out: number[] = [VERSION];
  const varint = (value: number, what: string) => {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot pack ${what} ${value}: not a count`);
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  };
  const float64 = (value: number) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) out.push(view.getUint8(i));
  };
  varint(s.runs, 'runs');
  varint(s.withDuration, 'runs with a duration');
  varint(s.sketch.zeroCount, 'zero durations');
  out.push((s.minMs === undefined ? 0 : HAS_MIN) | (s.maxMs === undefined ? 0 : HAS_MAX));
  float64(s.sumMs);
  if (s.minMs !== undefined) float64(s.minMs);
  if (s.maxMs !== undefined) float64(s.maxMs);
  const bins = [...s.sketch.bins].filter(([, count]) => count !== 0).sort(([a], [b]) => a - b);
  varint(bins.length, 'bins');
  let previous: number | undefined;
  for (const [index, count] of bins) {
    if (!Number.isSafeInteger(index)) throw new RangeError(`cannot pack bin index ${index}`);
    varint(previous === undefined ? (index < 0 ? -2 * index - 1 : 2 * index) : index - previous, 'a bin index');
    varint(count, `bin ${index}'s count`);
    previous = index;
  }
  return Uint8Array.from(out);
}

/** The figures packed by {@link packStatus}; throws a RangeError naming the fault when the bytes are corrupt. */
export function unpackStatus(bytes: Uint8Array): StatusAggregate {
  let at = 0;
  const varint = (what: string) => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new RangeError(`packed figures end inside ${what} at byte ${at}`);
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new RangeError(`packed figures hold an over-long number in ${what} at byte ${at}`);
    }
  };
  const float64 = (what: string) => {
    if (at + 8 > bytes.length) throw new RangeError(`packed figures end inside ${what} at byte ${at}`);
    const value = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true);
    at += 8;
    if (!Number.isFinite(value)) throw new RangeError(`packed figures hold a ${what} that is not a finite number`);
    return value;
  };
  if (bytes[0] !== VERSION) throw new RangeError(`packed figures have format version ${bytes[0] ?? 'none'}, expected ${VERSION}`);
  at = 1;
  const runs = varint('the run count');
  const withDuration = varint('the count of runs with a duration');
  const sketch = new DurationSketch();
  sketch.zeroCount = varint('the zero-duration count');
  if (at >= bytes.length) throw new RangeError(`packed figures end inside the flags at byte ${at}`);
  const flags = bytes[at++]!;
  if (flags > (HAS_MIN | HAS_MAX)) throw new RangeError(`packed figures have unknown flags ${flags}`);
  const s: StatusAggregate = { runs, withDuration, sumMs: float64('sum'), sketch };
  if (flags & HAS_MIN) s.minMs = float64('min');
  if (flags & HAS_MAX) s.maxMs = float64('max');
  const n = varint('the bin count');
  let index = 0;
  for (let i = 0; i < n; i++) {
    const raw = varint(`bin ${i}'s index`);
    if (i === 0) index = raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
    else if (raw === 0) throw new RangeError(`packed figures repeat a bin index at bin ${i}`);
    else index += raw;
    const count = varint(`bin ${i}'s count`);
    if (count === 0) throw new RangeError(`packed figures hold an empty bin at bin ${i}`);
    sketch.addBin(index, count);
  }
  if (at !== bytes.length) throw new RangeError(`packed figures have ${bytes.length - at} byte(s) after the last bin`);
  // Every run with a duration is in exactly one bin, the zero bin included.
  if (withDuration > runs || sketch.count !== withDuration) {
    throw new RangeError(`packed figures disagree: ${runs} runs, ${withDuration} with a duration, ${sketch.count} in the sketch`);
  }
  return s;
}
