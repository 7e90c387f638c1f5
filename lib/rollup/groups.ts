import { JobSource } from '../jobs/record';
import type { Level, TerminalRun } from '../jobs/runs';

/**
 * Which groups a run feeds: the one statement of it, used by the writer (the rollups a run is added to), the
 * reader (which partitions a query reads, and the raw runs of partial hours), compaction (which partitions
 * exist) and the offline analyzer (the group of a raw run).
 */

/** The grouping a rollup partition is kept for (`groupBy=day` and `source` read `none` and `type` rollups). */
export type RollupGrouping = 'none' | 'type' | 'fleet' | 'cluster';

/**
 * Each grouping: the levels that have it, and whether it also keeps partitions filtered by source and by type.
 * `none` and `type` are kept unfiltered (a type key carries its source, so source/type filters are key
 * filters there); a filtered fleet or cluster breakdown is still read from rollups alone. Clusters are kept
 * for steps only: a job may target many clusters, a task targets one.
 */
export const ROLLUP_GROUPINGS: Record<RollupGrouping, { levels: readonly Level[]; filtered: boolean }> = {
  none: { levels: ['job', 'step'], filtered: false },
  type: { levels: ['job', 'step'], filtered: false },
  fleet: { levels: ['job', 'step'], filtered: true },
  cluster: { levels: ['step'], filtered: true },
};

/** The type key of a run: `<source>/<type>` (type = job type at level job, step type at level step). */
export const typeKey = (run: Pick<TerminalRun, 'source' | 'type'>) => `${run.source}/${run.type}`;

/** Splits a type key `<source>/<type>` (sources never contain a slash; types may). */
export function splitTypeKey(key: string): { source: string; type: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { source: key, type: '' } : { source: key.slice(0, slash), type: key.slice(slash + 1) };
}

/** The scope of an unfiltered partition. */
export const ALL_SCOPE = '*';
/** The scope of a fleet or cluster rollup partition filtered by source. */
export const sourceScope = (source: string) => `source=${source}`;
/** The scope of a fleet or cluster rollup partition filtered by type key (`<source>/<type>`). */
export const typeScope = (key: string) => `type=${key}`;

/** Every scope of a filtered grouping, given the type keys that exist. */
export const filteredScopes = (typeKeys: Iterable<string>) => [ALL_SCOPE, ...JobSource.options.map(sourceScope), ...[...typeKeys].sort().map(typeScope)];

/** The key of a run's group in one grouping; undefined when the run has no such group (no fleet, no cluster). */
export function groupingKey(run: TerminalRun, grouping: RollupGrouping): string | undefined {
  if (!ROLLUP_GROUPINGS[grouping].levels.includes(run.level)) return undefined;
  switch (grouping) {
    case 'none':
      return 'all';
    case 'type':
      return typeKey(run);
    case 'fleet':
      return run.fleetId || undefined;
    case 'cluster':
      return run.clusterId || undefined;
  }
}

/**
 * Which runs a rollup counts: every attempt, or first attempts only (`attempt=first`: the first-try failure
 * rate beside the rate over all attempts). First attempts are counted in both, so both read from rollups alone.
 */
export type RollupAttempts = 'all' | 'first';
/** Both kinds of rollup, `all` first. */
export const ROLLUP_ATTEMPTS: readonly RollupAttempts[] = ['all', 'first'];

/** One rollup a run is added to (in each of its week, day and hour buckets). */
export interface RollupSlot {
  attempts: RollupAttempts;
  grouping: RollupGrouping;
  scope: string;
  key: string;
}

/**
 * Every rollup a run belongs to: one per grouping it has a key in, and per filter scope of that grouping; a
 * first attempt's run belongs to the same rollups again among the first attempts.
 */
export function rollupSlots(run: TerminalRun): RollupSlot[] {
  const slots: RollupSlot[] = [];
  for (const attempts of run.attempt === 1 ? ROLLUP_ATTEMPTS : (['all'] as const)) {
    for (const grouping of Object.keys(ROLLUP_GROUPINGS) as RollupGrouping[]) {
      const key = groupingKey(run, grouping);
      if (key === undefined) continue;
      const scopes = ROLLUP_GROUPINGS[grouping].filtered ? [ALL_SCOPE, sourceScope(run.source), typeScope(typeKey(run))] : [ALL_SCOPE];
      for (const scope of scopes) slots.push({ attempts, grouping, scope, key });
    }
  }
  return slots;
}
