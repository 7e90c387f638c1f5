import { JobSource } from '../jobs/record';
import type { TerminalRun } from '../jobs/runs';
import { dayBucketOf } from '../rollup/buckets';
import { ALL_SCOPE, groupingKey, sourceScope, splitTypeKey, typeKey, typeScope, type RollupGrouping } from '../rollup/groups';
import type { StatsGroupBy, StatsQuery } from './results';

/**
 * How a query's `groupBy` and filters map onto the rollup groupings of lib/rollup/groups.ts: which partitions
 * the engine reads, and, for the offline analyzer's raw runs, the group of one run.
 */

/** The filters a statistics query applies to runs. */
export type RunFilter = Pick<StatsQuery, 'source' | 'type'>;

/** Where a query's groups come from: one rollup grouping, the scopes to read and how a rollup key maps to a group. */
export interface GroupPlan {
  grouping: RollupGrouping;
  scopes: string[];
  /** The group of a rollup key whose bucket (or run) starts at `at` µs; undefined = filtered out. */
  groupOf(key: string, at: number): string | undefined;
}

/** True when a type key `<source>/<type>` passes the filters. */
function typeKeyMatches(key: string, filter: RunFilter): boolean {
  const k = splitTypeKey(key);
  return (filter.source === undefined || k.source === filter.source) && (filter.type === undefined || k.type === filter.type);
}

/** The rollup partitions a query reads, and the group each rollup key belongs to. */
export function planFor(q: Pick<StatsQuery, 'groupBy' | 'source' | 'type'>): GroupPlan {
  const filtered = q.source !== undefined || q.type !== undefined;
  const matches = (key: string) => typeKeyMatches(key, q);
  switch (q.groupBy) {
    case 'none':
    case 'day': {
      const label = (at: number) => (q.groupBy === 'day' ? dayBucketOf(at) : 'all');
      // Unfiltered totals have their own partition; filtered ones are the matching type keys.
      if (!filtered) return { grouping: 'none', scopes: [ALL_SCOPE], groupOf: (_key, at) => label(at) };
      return { grouping: 'type', scopes: [ALL_SCOPE], groupOf: (key, at) => (matches(key) ? label(at) : undefined) };
    }
    case 'type':
      return { grouping: 'type', scopes: [ALL_SCOPE], groupOf: (key) => (matches(key) ? key : undefined) };
    case 'source':
      return { grouping: 'type', scopes: [ALL_SCOPE], groupOf: (key) => (matches(key) ? splitTypeKey(key).source : undefined) };
    case 'fleet':
    case 'cluster': {
      let scopes = [ALL_SCOPE];
      const type = q.type;
      if (type !== undefined) {
        // A type without a source may exist under both sources: read both scoped partitions.
        scopes = (q.source ? [q.source] : JobSource.options).map((source) => typeScope(typeKey({ source, type })));
      } else if (q.source !== undefined) scopes = [sourceScope(q.source)];
      return { grouping: q.groupBy, scopes, groupOf: (key) => key };
    }
  }
}

/**
 * The group of one raw run belonging at `at` µs, as the engine forms it from rollups; undefined when the run
 * is filtered out or has no such group (no fleet, no cluster).
 */
export function runGroupKey(run: TerminalRun, groupBy: StatsGroupBy, filter: RunFilter, at: number): string | undefined {
  if (!typeKeyMatches(typeKey(run), filter)) return undefined;
  switch (groupBy) {
    case 'none':
    case 'type':
    case 'fleet':
    case 'cluster':
      return groupingKey(run, groupBy);
    case 'source':
      return run.source;
    case 'day':
      return dayBucketOf(at);
  }
}
