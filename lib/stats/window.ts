import { formatIsoMicros } from '../jobs/time';

/**
 * Time windows of the statistics, in integer microseconds since the epoch: every stored time has microsecond
 * precision, and a JS Date (milliseconds) would misplace runs that sit within a millisecond of a window edge.
 */

export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
export const MICROS_PER_WEEK = 7 * MICROS_PER_DAY;
/** The length of one series bucket of `interval=day|hour`. */
export const INTERVAL_MICROS = { day: MICROS_PER_DAY, hour: MICROS_PER_HOUR } as const;
/** Weeks start on Monday (ISO 8601); the epoch, 1970-01-01, was a Thursday. */
const WEEK_OFFSET = 4 * MICROS_PER_DAY;

// YYYY-MM-DD, optionally THH:MM[:SS[.fraction]] with Z or ±HH[:]MM; date-only means midnight UTC.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

/** Parses an ISO 8601 instant (date-only = midnight UTC, else an explicit Z or offset) to µs; undefined if invalid. */
export function parseInstantMicros(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (m[4] !== undefined && zone === undefined) return undefined; // a local time is ambiguous
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: reject instead.
  if (new Date(ms).getUTCDate() !== day || year < 1970 || year > 9999) return undefined;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const micros = Number(frac.padEnd(6, '0').slice(0, 6)); // sub-microsecond digits are truncated
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/**
 * Formats µs since the epoch as ISO 8601 UTC with microseconds (`2025-11-10T07:24:03.553733Z`): the format every
 * stored time has, so window bounds compare with stored times as strings.
 */
export const formatMicros = formatIsoMicros;

/** The day bucket `YYYY-MM-DD` holding an instant. */
export const dayBucketOf = (us: number) => formatMicros(us).slice(0, 10);
/** The hour bucket `YYYY-MM-DDTHH` holding an instant. */
export const hourBucketOf = (us: number) => formatMicros(us).slice(0, 13);
/** The start of the UTC week (Monday 00:00) holding an instant. */
export const weekStartOf = (us: number) => floorTo(us - WEEK_OFFSET, MICROS_PER_WEEK) + WEEK_OFFSET;
/** The week bucket holding an instant: its Monday, `YYYY-MM-DD`. */
export const weekBucketOf = (us: number) => dayBucketOf(weekStartOf(us));

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

/** Rounds an instant down to a multiple of `unit` µs (UTC hours and days are multiples since the epoch). */
export function floorTo(us: number, unit: number): number {
  return Math.floor(us / unit) * unit;
}

/** Rounds an instant up to a multiple of `unit` µs. */
export function ceilTo(us: number, unit: number): number {
  return Math.ceil(us / unit) * unit;
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
