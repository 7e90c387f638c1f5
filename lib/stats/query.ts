import type { TerminalStatus } from '../jobs/record';
import type { TerminalRun } from '../jobs/runs';
import { formatIsoMicros, parseInstantMicros } from '../jobs/time';
import { addRun, emptyAggregate, mergeAggregate, TERMINAL_STATUSES, type RunAggregate } from '../rollup/aggregate';
import { BUCKET_OF, bucketStart, floorTo, MICROS_PER_DAY, MICROS_PER_HOUR, type Granularity } from '../rollup/buckets';
import { rollupSlots } from '../rollup/groups';
import type { JobStore } from '../store/port';
import { durationFigures, failureFigures, roundMicros } from './figures';
import { planFor, type GroupPlan } from './grouping';
import type {
  DurationFiguresBody,
  DurationGroupBody,
  DurationStatsBody,
  FailureFiguresBody,
  FailureGroupBody,
  FailureRateStatsBody,
  StatsQuery,
} from './results';
import { decomposeWindow, INTERVAL_MICROS, seriesBucketCount, seriesBuckets, type MicrosRange, type WindowPiece } from './window';

/** What the engine reads: rollups, and the runs of partial hours. */
export type StatsStore = Pick<JobStore, 'readRollups' | 'readRuns'>;

/**
 * The statistics engine: answers a query from week and day rollups for whole UTC weeks and days, hour rollups
 * for whole hours and the terminal runs of the partial hours at the window's edges, so the answer is exact for
 * any `[from, to)` and its cost is (buckets × groups) rollup items plus the runs of at most two partial hours.
 */

/** Aggregates per group: over the whole window, and per series bucket when asked. */
interface GroupAggregates {
  total: RunAggregate;
  series?: RunAggregate[];
}

/** Consecutive pieces of one source, coalesced into ranges: one rollup read (per scope) or one runs read each. */
function coalesce(pieces: WindowPiece[]): WindowPiece[] {
  const out: WindowPiece[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    if (last && last.source === piece.source && last.to === piece.from && piece.source !== 'runs') last.to = piece.to;
    else out.push({ ...piece });
  }
  return out;
}

/** Reads and aggregates one window: group key → aggregates (with series buckets of `seriesUnit` µs). */
async function aggregateWindow(
  store: StatsStore,
  q: StatsQuery,
  window: MicrosRange,
  seriesUnit: number | undefined,
): Promise<Map<string, GroupAggregates>> {
  const plan = planFor(q);
  const attempts = q.attempt ?? 'all';
  const groups = new Map<string, GroupAggregates>();
  const seriesOrigin = seriesUnit === undefined ? 0 : floorTo(window.from, seriesUnit);
  const seriesLength = seriesUnit === undefined ? 0 : seriesBucketCount(window, seriesUnit);

  const add = (key: string, at: number, apply: (agg: RunAggregate) => void) => {
    let g = groups.get(key);
    if (!g) {
      g = { total: emptyAggregate() };
      if (seriesUnit !== undefined) g.series = Array.from({ length: seriesLength }, emptyAggregate);
      groups.set(key, g);
    }
    apply(g.total);
    if (g.series && seriesUnit !== undefined) {
      const bucket = g.series[Math.floor((at - seriesOrigin) / seriesUnit)];
      if (bucket) apply(bucket);
    }
  };

  // Hour series cannot be cut out of day rollups, nor days out of weeks: per-day groups and series read days.
  const largest = seriesUnit === MICROS_PER_HOUR ? 'hour' : seriesUnit === MICROS_PER_DAY || q.groupBy === 'day' ? 'day' : 'week';
  const pieces = coalesce(decomposeWindow(window, largest));
  // Reads run in parallel; their figures are added in piece order, so that sums of floats (means) come out the
  // same however the reads happen to finish.
  const reads: Promise<() => void>[] = [];
  for (const piece of pieces) {
    if (piece.source === 'runs') {
      reads.push(
        store.readRuns(q.level, formatIsoMicros(piece.from), formatIsoMicros(piece.to)).then((runs) => () => {
          for (const run of runs) addRunToGroups(run, piece, plan, q, add);
        }),
      );
      continue;
    }
    const granularity: Granularity = piece.source;
    const bucketOf = BUCKET_OF[granularity];
    for (const scope of plan.scopes) {
      reads.push(
        store
          .readRollups({ level: q.level, attempts, grouping: plan.grouping, scope, granularity, fromBucket: bucketOf(piece.from), toBucket: bucketOf(piece.to) })
          .then((items) => () => {
            for (const item of items) {
              const at = bucketStart(granularity, item.bucket);
              // Guard the exactness promise against an over-wide store read.
              if (at === undefined || at < piece.from || at >= piece.to) continue;
              if (item.granularity !== granularity || item.scope !== scope || item.grouping !== plan.grouping || item.attempts !== attempts) continue;
              const key = plan.groupOf(item.key, at);
              if (key !== undefined) add(key, at, (agg) => mergeAggregate(agg, item.aggregate));
            }
          }),
      );
    }
  }
  for (const apply of await Promise.all(reads)) apply();
  return groups;
}

/** Adds a terminal run of a partial hour to its group, through the same slots its rollups were written to. */
function addRunToGroups(
  run: TerminalRun,
  piece: MicrosRange,
  plan: GroupPlan,
  q: StatsQuery,
  add: (key: string, at: number, apply: (agg: RunAggregate) => void) => void,
): void {
  const at = parseInstantMicros(run.belongsAt);
  if (run.level !== q.level || at === undefined || at < piece.from || at >= piece.to) return;
  for (const slot of rollupSlots(run)) {
    if (slot.attempts !== (q.attempt ?? 'all') || slot.grouping !== plan.grouping || !plan.scopes.includes(slot.scope)) continue;
    const key = plan.groupOf(slot.key, at);
    if (key !== undefined) add(key, at, (agg) => addRun(agg, run.status, run.durationMs));
  }
}

/** The query's window in µs, and the one just before it of equal length. */
function windowsOf(q: StatsQuery): { current: MicrosRange; previous: MicrosRange } {
  const from = parseInstantMicros(q.from);
  const to = parseInstantMicros(q.to);
  if (from === undefined || to === undefined || from >= to) throw new RangeError(`invalid stats window [${q.from}, ${q.to})`);
  return { current: { from, to }, previous: { from: from - (to - from), to: from } };
}

/** Aggregates the query's window (and the previous one when comparing); groups sorted by key. */
async function aggregateQuery(store: StatsStore, q: StatsQuery) {
  const windows = windowsOf(q);
  const unit = q.interval === undefined ? undefined : INTERVAL_MICROS[q.interval];
  const [current, previous] = await Promise.all([
    aggregateWindow(store, q, windows.current, unit),
    q.compare === 'previous' ? aggregateWindow(store, q, windows.previous, undefined) : undefined,
  ]);
  const envelope = {
    from: formatIsoMicros(windows.current.from),
    to: formatIsoMicros(windows.current.to),
    level: q.level,
    groupBy: q.groupBy,
    ...(previous && { previous: { from: formatIsoMicros(windows.previous.from), to: formatIsoMicros(windows.previous.to) } }),
  };
  const series = unit === undefined ? [] : seriesBuckets(windows.current, unit);
  const keys = [...current.keys()].sort();
  return { envelope, current, previous, series, keys };
}

const difference = (a: number | null, b: number | null) => (a === null || b === null ? null : roundMicros(a - b));

/** One group of a stats body with figures `F` and a change `C`. */
type StatsGroup<F, C> = { key: string; series?: ({ from: string; to: string } & F)[]; previous?: F; change?: C } & F;

/**
 * The groups of a stats body: for each key with runs, its figures, plus the series and the previous window's
 * figures and change when asked. The same for both routes; only the figures and the change differ.
 */
function buildGroups<F extends object, C>(
  aggregated: Awaited<ReturnType<typeof aggregateQuery>>,
  figures: (agg: RunAggregate) => F,
  hasRuns: (agg: RunAggregate) => boolean,
  change: (now: F, before: F) => C,
): StatsGroup<F, C>[] {
  const { current, previous, series, keys } = aggregated;
  const groups: StatsGroup<F, C>[] = [];
  for (const key of keys) {
    const g = current.get(key);
    if (!g || !hasRuns(g.total)) continue;
    const now = figures(g.total);
    const group: StatsGroup<F, C> = { key, ...now };
    if (g.series) {
      group.series = series.map((b, i) => ({
        from: formatIsoMicros(b.from),
        to: formatIsoMicros(b.to),
        ...figures(g.series?.[i] ?? emptyAggregate()),
      }));
    }
    if (previous) {
      const before = figures(previous.get(key)?.total ?? emptyAggregate());
      group.previous = before;
      group.change = change(now, before);
    }
    groups.push(group);
  }
  return groups;
}

/** Duration statistics (`GET /stats/durations`): groups with no terminal run (of `status`, if given) are left out. */
export async function durationStats(store: StatsStore, q: StatsQuery): Promise<DurationStatsBody> {
  const aggregated = await aggregateQuery(store, q);
  const statuses: readonly TerminalStatus[] = q.status ? [q.status] : TERMINAL_STATUSES;
  const groups: DurationGroupBody[] = buildGroups(
    aggregated,
    (agg): DurationFiguresBody => durationFigures(agg, statuses),
    (agg) => statuses.some((s) => agg[s].runs > 0),
    (now, before) => ({
      count: now.count - before.count,
      meanMs: difference(now.meanMs, before.meanMs),
      p50Ms: difference(now.p50Ms, before.p50Ms),
      p90Ms: difference(now.p90Ms, before.p90Ms),
      p95Ms: difference(now.p95Ms, before.p95Ms),
      p99Ms: difference(now.p99Ms, before.p99Ms),
    }),
  );
  return { ...aggregated.envelope, groups };
}

/** Failure-rate statistics (`GET /stats/failure-rates`): groups with no terminal run are left out. */
export async function failureRateStats(store: StatsStore, q: StatsQuery): Promise<FailureRateStatsBody> {
  // Failure rates always cover every terminal status (`status` only narrows durations).
  const aggregated = await aggregateQuery(store, q);
  const groups: FailureGroupBody[] = buildGroups(
    aggregated,
    (agg): FailureFiguresBody => failureFigures(agg),
    (agg) => TERMINAL_STATUSES.some((s) => agg[s].runs > 0),
    (now, before) => ({
      total: now.total - before.total,
      failureRate: now.failureRate === null || before.failureRate === null ? null : now.failureRate - before.failureRate,
    }),
  );
  return { ...aggregated.envelope, groups };
}

/** Both routes' figures of one group, from one read of its rollups. */
export interface GroupFigures {
  key: string;
  durations: DurationFiguresBody;
  failures: FailureFiguresBody;
}

/**
 * The figures `/stats/durations` and `/stats/failure-rates` give for `q` (no series, no comparison), per group
 * with at least one terminal run, from one read of the rollups: what the alert evaluation compares, so an
 * alert shows exactly the numbers the API shows for the same window.
 */
export async function groupFigures(store: StatsStore, q: Omit<StatsQuery, 'interval' | 'compare' | 'status'>): Promise<GroupFigures[]> {
  const aggregated = await aggregateQuery(store, { ...q, interval: undefined, compare: undefined, status: undefined });
  const out: GroupFigures[] = [];
  for (const key of aggregated.keys) {
    const g = aggregated.current.get(key);
    if (!g || !TERMINAL_STATUSES.some((s) => g.total[s].runs > 0)) continue;
    out.push({ key, durations: durationFigures(g.total), failures: failureFigures(g.total) });
  }
  return out;
}
