import * as z from 'zod';
import type { JobSource, TerminalStatus } from '../jobs/record';
import { Level } from '../jobs/runs';

/**
 * The statistics queries and the bodies they answer with (DESIGN.md "HTTP API"), as zod schemas: the engine's
 * result types are inferred from them, the HTTP layer validates against them and the OpenAPI document is
 * generated from them, so the three cannot drift.
 */

/** `job` = whole jobs, `step` = their sub-jobs / tasks. */
export const StatsLevel = Level;
export type StatsLevel = Level;

/** How groups are formed: `none` gives one group keyed `all`; `day` keys by UTC date; `cluster` needs level `step`. */
export const StatsGroupBy = z.enum(['type', 'source', 'fleet', 'cluster', 'day', 'none']);
export type StatsGroupBy = z.infer<typeof StatsGroupBy>;

/** What a query groups when it does not say (API and offline analyzer alike). */
export const STATS_DEFAULTS = { level: 'job', groupBy: 'type' } as const satisfies { level: StatsLevel; groupBy: StatsGroupBy };

/** `groupBy=cluster` exists only for steps (a job may target many clusters): true when a query breaks the rule. */
export const groupByNeedsSteps = (q: { level: StatsLevel; groupBy: StatsGroupBy }) => q.groupBy === 'cluster' && q.level !== 'step';

/** `attempt=all` counts every attempt of each job; `first` only attempt 1 (and its steps): the first-try figures. */
export const StatsAttempt = z.enum(['all', 'first']);
export type StatsAttempt = z.infer<typeof StatsAttempt>;

/** Series granularity of `interval=`. */
export const StatsInterval = z.enum(['day', 'hour']);
export type StatsInterval = z.infer<typeof StatsInterval>;

/** A validated statistics query; `from`/`to` are ISO 8601 instants, window `[from, to)`. */
export interface StatsQuery {
  level: StatsLevel;
  groupBy: StatsGroupBy;
  source?: JobSource;
  /** Job type (level job) or step type (level step), under any source unless `source` is given. */
  type?: string;
  /** Durations only: restrict to one canonical terminal status. */
  status?: TerminalStatus;
  from: string;
  to: string;
  interval?: StatsInterval;
  compare?: 'previous';
  /** Every attempt (default) or first attempts only. */
  attempt?: StatsAttempt;
}

const IsoTime = z.string().meta({ format: 'date-time', description: 'ISO 8601 UTC with microseconds' });
const Ms = z.number().nullable();

/** Duration figures of a set of runs; `count` = runs with a duration, the rest are null when it is 0. */
export const DurationFiguresBody = z.object({
  count: z.number().int().nonnegative(),
  minMs: Ms,
  maxMs: Ms,
  meanMs: Ms,
  p50Ms: Ms,
  p90Ms: Ms,
  p95Ms: Ms,
  p99Ms: Ms,
});
export type DurationFiguresBody = z.infer<typeof DurationFiguresBody>;

/** Failure figures of a set of runs; rate and interval are null when `total` is 0. */
export const FailureFiguresBody = z.object({
  total: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  timedOut: z.number().int().nonnegative(),
  failureRate: z.number().min(0).max(1).nullable(),
  ci95: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).nullable(),
});
export type FailureFiguresBody = z.infer<typeof FailureFiguresBody>;

/** `compare=previous`: current minus previous, null where either side has no value. */
export const DurationChangeBody = z.object({
  count: z.number().int(),
  meanMs: Ms,
  p50Ms: Ms,
  p90Ms: Ms,
  p95Ms: Ms,
  p99Ms: Ms,
});
export const FailureChangeBody = z.object({
  total: z.number().int(),
  /** Difference of the rates (a fraction: 0.05 = five percentage points). */
  failureRate: z.number().nullable(),
});

const SeriesWindow = z.object({ from: IsoTime, to: IsoTime });

const DurationGroupBody = DurationFiguresBody.extend({
  key: z.string(),
  series: z.array(SeriesWindow.extend(DurationFiguresBody.shape)).optional(),
  previous: DurationFiguresBody.optional(),
  change: DurationChangeBody.optional(),
});
export type DurationGroupBody = z.infer<typeof DurationGroupBody>;

const FailureGroupBody = FailureFiguresBody.extend({
  key: z.string(),
  series: z.array(SeriesWindow.extend(FailureFiguresBody.shape)).optional(),
  previous: FailureFiguresBody.optional(),
  change: FailureChangeBody.optional(),
});
export type FailureGroupBody = z.infer<typeof FailureGroupBody>;

const StatsEnvelope = z.object({
  from: IsoTime,
  to: IsoTime,
  level: StatsLevel,
  groupBy: StatsGroupBy,
  /** `compare=previous`: the window of equal length just before `[from, to)`. */
  previous: SeriesWindow.optional(),
});

/** Body of `GET /stats/durations`. */
export const DurationStatsBody = StatsEnvelope.extend({ groups: z.array(DurationGroupBody) });
export type DurationStatsBody = z.infer<typeof DurationStatsBody>;

/** Body of `GET /stats/failure-rates`. */
export const FailureRateStatsBody = StatsEnvelope.extend({ groups: z.array(FailureGroupBody) });
export type FailureRateStatsBody = z.infer<typeof FailureRateStatsBody>;
