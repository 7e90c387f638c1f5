import { formatIsoMicros, parseInstantMicros } from '../jobs/time';

/**
 * The rollup time buckets, in integer microseconds since the epoch (every stored time has microsecond
 * precision; a JS Date would misplace runs within a millisecond of a bucket edge). One family for the writer
 * (which buckets a run is counted in), the reader (which buckets a window reads) and compaction.
 */

export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
export const MICROS_PER_WEEK = 7 * MICROS_PER_DAY;
/** Weeks start on Monday (ISO 8601); the epoch, 1970-01-01, was a Thursday. */
const WEEK_OFFSET = 4 * MICROS_PER_DAY;

/** Rollup time buckets: `week` = its Monday `YYYY-MM-DD`, `day` = `YYYY-MM-DD`, `hour` = `YYYY-MM-DDTHH` (UTC). */
export type Granularity = 'week' | 'day' | 'hour';
/** Every granularity a run is counted in, largest first. */
export const GRANULARITIES: readonly Granularity[] = ['week', 'day', 'hour'];

/** Rounds an instant down to a multiple of `unit` µs (UTC hours and days are multiples since the epoch). */
export function floorTo(us: number, unit: number): number {
  return Math.floor(us / unit) * unit;
}

/** Rounds an instant up to a multiple of `unit` µs. */
export function ceilTo(us: number, unit: number): number {
  return Math.ceil(us / unit) * unit;
}

/** The day bucket `YYYY-MM-DD` holding an instant. */
export const dayBucketOf = (us: number) => formatIsoMicros(us).slice(0, 10);
/** The hour bucket `YYYY-MM-DDTHH` holding an instant. */
export const hourBucketOf = (us: number) => formatIsoMicros(us).slice(0, 13);
/** The start of the UTC week (Monday 00:00) holding an instant. */
export const weekStartOf = (us: number) => floorTo(us - WEEK_OFFSET, MICROS_PER_WEEK) + WEEK_OFFSET;
/** The week bucket holding an instant: its Monday, `YYYY-MM-DD`. */
export const weekBucketOf = (us: number) => dayBucketOf(weekStartOf(us));

/** The bucket of each granularity holding an instant. */
export const BUCKET_OF: Record<Granularity, (us: number) => string> = { week: weekBucketOf, day: dayBucketOf, hour: hourBucketOf };

/** The start of the bucket of one granularity holding an instant. */
const BUCKET_START: Record<Granularity, (us: number) => number> = {
  week: weekStartOf,
  day: (us) => floorTo(us, MICROS_PER_DAY),
  hour: (us) => floorTo(us, MICROS_PER_HOUR),
};
const BUCKET_LENGTH: Record<Granularity, number> = { week: MICROS_PER_WEEK, day: MICROS_PER_DAY, hour: MICROS_PER_HOUR };

/** Turns a bucket string back into its start instant (µs); undefined when it is not a bucket. */
export function bucketStart(granularity: Granularity, bucket: string): number | undefined {
  return parseInstantMicros(granularity === 'hour' ? `${bucket}:00Z` : bucket);
}

/** Every rollup bucket a run belonging at `us` is counted in, with the instant (µs) each bucket ends. */
export function rollupBuckets(us: number): { granularity: Granularity; bucket: string; endsAt: number }[] {
  return GRANULARITIES.map((granularity) => ({
    granularity,
    bucket: BUCKET_OF[granularity](us),
    endsAt: BUCKET_START[granularity](us) + BUCKET_LENGTH[granularity],
  }));
}

/** Each hour bucket `[from, to)` overlaps (µs). */
export function hourBucketsBetween(from: number, to: number): string[] {
  const hours: string[] = [];
  for (let at = floorTo(from, MICROS_PER_HOUR); at < to; at += MICROS_PER_HOUR) hours.push(hourBucketOf(at));
  return hours;
}
