import { formatIsoMicros, parseInstantMicros } from '../jobs/time';
import { ceilTo, floorTo, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_WEEK, weekStartOf } from '../rollup/buckets';

/**
 * Time windows of the statistics, in integer microseconds since the epoch (the rollup buckets' unit): how a
 * window `[from, to)` splits into whole buckets and partial hours, and its series buckets.
 */

/** The length of one series bucket of `interval=day|hour`. */
export const INTERVAL_MICROS = { day: MICROS_PER_DAY, hour: MICROS_PER_HOUR } as const;

/** Default statistics window length when `from` is absent (API and offline analyzer alike). */
export const DEFAULT_WINDOW_DAYS = 7;

/**
 * The `[from, to)` of a statistics request, defaults applied: `to` = now rounded up to the next whole UTC hour
 * (so repeated queries in one hour agree and read whole rollups), `from` = `to` − 7 days. A bound that does not
 * parse comes back undefined; each caller words its own error, and checks the order.
 */
export function defaultedWindow(text: { from?: string; to?: string }, nowUs: number): { from?: number; to?: number } {
  const to = text.to === undefined ? ceilTo(nowUs, MICROS_PER_HOUR) : parseInstantMicros(text.to);
  if (to === undefined) return {};
  return { from: text.from === undefined ? to - DEFAULT_WINDOW_DAYS * MICROS_PER_DAY : parseInstantMicros(text.from), to };
}

/** A half-open time range `[from, to)` in µs. */
export interface MicrosRange {
  from: number;
  to: number;
}

/** One piece of a window: a whole rollup bucket, or a partial hour read from the terminal runs. */
export type WindowPiece = (MicrosRange & { source: 'week' | 'day' | 'hour' }) | (MicrosRange & { source: 'runs' });

/** The largest rollup bucket a query may read: `week` unless its groups or series are per day or hour. */
export type LargestBucket = 'week' | 'day' | 'hour';

/**
 * Splits `[from, to)` into whole UTC weeks (Monday to Monday) and days (as far as `largest` allows), whole UTC
 * hours and the partial hours at its edges, in time order: the pieces a query reads from week, day and hour
 * rollups and from terminal runs. The largest whole bucket that fits is always taken.
 */
export function decomposeWindow(range: MicrosRange, largest: LargestBucket = 'week'): WindowPiece[] {
  const pieces: WindowPiece[] = [];
  let at = range.from;
  while (at < range.to) {
    if (largest === 'week' && weekStartOf(at) === at && at + MICROS_PER_WEEK <= range.to) {
      pieces.push({ source: 'week', from: at, to: at + MICROS_PER_WEEK });
      at += MICROS_PER_WEEK;
    } else if (largest !== 'hour' && at % MICROS_PER_DAY === 0 && at + MICROS_PER_DAY <= range.to) {
      pieces.push({ source: 'day', from: at, to: at + MICROS_PER_DAY });
      at += MICROS_PER_DAY;
    } else if (at % MICROS_PER_HOUR === 0 && at + MICROS_PER_HOUR <= range.to) {
      pieces.push({ source: 'hour', from: at, to: at + MICROS_PER_HOUR });
      at += MICROS_PER_HOUR;
    } else {
      const end = Math.min(range.to, floorTo(at, MICROS_PER_HOUR) + MICROS_PER_HOUR);
      pieces.push({ source: 'runs', from: at, to: end });
      at = end;
    }
  }
  return pieces;
}

/** The series buckets of a window: each UTC day or hour it overlaps, clipped to the window. */
export function seriesBuckets(range: MicrosRange, unit: number): MicrosRange[] {
  const buckets: MicrosRange[] = [];
  for (let start = floorTo(range.from, unit); start < range.to; start += unit) {
    buckets.push({ from: Math.max(start, range.from), to: Math.min(start + unit, range.to) });
  }
  return buckets;
}

/** How many series buckets a window would have (without building them). */
export function seriesBucketCount(range: MicrosRange, unit: number): number {
  return range.to <= range.from ? 0 : (ceilTo(range.to, unit) - floorTo(range.from, unit)) / unit;
}

/** A window as the API reports it: ISO 8601 UTC with microseconds. */
export const formatWindow = (range: MicrosRange) => ({ from: formatIsoMicros(range.from), to: formatIsoMicros(range.to) });
