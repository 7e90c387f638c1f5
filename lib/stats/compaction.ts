// Rollup compaction. Run writes ADD each figure (counts, sums, one attribute per sketch bin) as loose
// attributes, so concurrent collectors never conflict on a hot rollup; reads then pay for ~10 bytes and one
// attribute per bin. Compaction rewrites an item with all of a status's figures in one binary attribute
// (lib/store/packed-status.ts), under a condition that no run was added since it read the item: statistics read
// the same figures before and after, from far smaller items (test/bench/RESULTS.md). Figures added after a
// compaction are loose again until the next one.
import * as z from 'zod';
import { mapConcurrently } from '../concurrency';
import { Level } from '../jobs/runs';
import { parseInstantMicros } from '../jobs/time';
import {
  ceilTo,
  dayBucketOf,
  floorTo,
  GRANULARITIES,
  hourBucketOf,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_WEEK,
  weekBucketOf,
  weekStartOf,
  type Granularity,
} from '../rollup/buckets';
import { ALL_SCOPE, filteredScopes, ROLLUP_ATTEMPTS, ROLLUP_GROUPINGS, type RollupAttempts, type RollupGrouping } from '../rollup/groups';
import type { JobStore, PartitionCompaction } from '../store/port';
import type { MicrosRange } from './window';

/** The event of a compaction run: a time range whose week, day and hour buckets are compacted. */
export const CompactionInput = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .strict();
export type CompactionInput = z.infer<typeof CompactionInput>;

/** A compaction event that cannot be run; the message names the field. */
export class CompactionInputError extends Error {
  override readonly name = 'CompactionInputError';
}

/**
 * The range of a compaction event. Without `from`/`to` it is the scheduled default: from the start of
 * yesterday (UTC) to now, so each day is compacted again after its last hour closed. Pass an older range after a
 * backfill. Bad input throws a CompactionInputError naming the field.
 */
export function compactionRange(event: unknown, nowUs: number): MicrosRange {
  // A bare EventBridge scheduled event (no `input` set) means the scheduled default.
  const scheduled = typeof event === 'object' && event !== null && 'detail-type' in event;
  const parsed = CompactionInput.safeParse(scheduled ? {} : (event ?? {}));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CompactionInputError(`invalid compaction event: ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`);
  }
  const time = (field: 'from' | 'to', fallback: number) => {
    const text = parsed.data[field];
    if (text === undefined) return fallback;
    const us = parseInstantMicros(text);
    if (us === undefined) throw new CompactionInputError(`invalid compaction event: ${field}: "${text}" is not an ISO 8601 time`);
    return us;
  };
  const to = time('to', nowUs);
  const from = time('from', floorTo(nowUs, MICROS_PER_DAY) - MICROS_PER_DAY);
  if (from >= to) throw new CompactionInputError('invalid compaction event: from must be before to');
  return { from, to };
}

/** What a compaction run did, summed over every partition. */
export interface CompactionSummary {
  from: string;
  to: string;
  partitions: number;
  examined: number;
  compacted: number;
  binsFolded: number;
  raced: number;
}

/** Partitions compacted at a time. */
const PARTITION_CONCURRENCY = 4;

/**
 * Compacts every rollup partition (`ROLLUP_GROUPINGS` in lib/rollup/groups.ts) in the week, day and hour buckets that
 * overlap `range`. The `type` partitions are read first: their keys name the per-type fleet and cluster scopes.
 */
export async function compactRollups(store: JobStore, range: MicrosRange): Promise<CompactionSummary> {
  const buckets: Record<Granularity, [string, string]> = {
    week: [weekBucketOf(range.from), weekBucketOf(weekStartOf(range.to - 1) + MICROS_PER_WEEK)],
    day: [dayBucketOf(range.from), dayBucketOf(ceilTo(range.to, MICROS_PER_DAY))],
    hour: [hourBucketOf(range.from), hourBucketOf(ceilTo(range.to, MICROS_PER_HOUR))],
  };
  const summary: CompactionSummary = {
    from: `${buckets.hour[0]}:00:00Z`,
    to: `${buckets.hour[1]}:00:00Z`,
    partitions: 0,
    examined: 0,
    compacted: 0,
    binsFolded: 0,
    raced: 0,
  };
  const compact = async (level: Level, attempts: RollupAttempts, grouping: RollupGrouping, scopes: readonly string[]): Promise<PartitionCompaction[]> => {
    const ranges = scopes.flatMap((scope) =>
      GRANULARITIES.map((granularity) => ({ level, attempts, grouping, scope, granularity, fromBucket: buckets[granularity][0], toBucket: buckets[granularity][1] })),
    );
    const results = await mapConcurrently(ranges, PARTITION_CONCURRENCY, (range) => store.compactRollups(range));
    for (const r of results) {
      summary.partitions += 1;
      summary.examined += r.examined;
      summary.compacted += r.compacted;
      summary.binsFolded += r.binsFolded;
      summary.raced += r.raced;
    }
    return results;
  };
  for (const level of Level.options) {
    for (const attempts of ROLLUP_ATTEMPTS) {
      const typeKeys = new Set((await compact(level, attempts, 'type', [ALL_SCOPE])).flatMap((r) => r.keys));
      await compact(level, attempts, 'none', [ALL_SCOPE]);
      // The filtered partitions (ROLLUP_GROUPINGS) of the levels that have them.
      for (const grouping of ['fleet', 'cluster'] as const) {
        if (ROLLUP_GROUPINGS[grouping].levels.includes(level)) await compact(level, attempts, grouping, filteredScopes(typeKeys));
      }
    }
  }
  return summary;
}
