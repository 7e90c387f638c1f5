import * as z from 'zod';
import { JobSource, TerminalStatus } from '../jobs/record';
import { formatIsoMicros, parseInstantMicros } from '../jobs/time';
import { failureFiguresOf, roundMicros, type DurationFigures, type StatusCounts } from '../stats/figures';
import { runGroupKey } from '../stats/grouping';
import { groupByNeedsSteps, STATS_DEFAULTS, StatsAttempt, StatsGroupBy, StatsLevel, type DurationStatsBody, type FailureRateStatsBody } from '../stats/results';
import { defaultedWindow } from '../stats/window';
import { ExportFormatError, findExport, issuesOf, readExportRuns } from './export-reader';

export { ExportFormatError, findExport } from './export-reader';
export { formatAnalysis } from './analyze-format';

/**
 * `npm run analyze`: the durations and failure rates of a DynamoDB export folder, computed like the API but
 * exact: it reads every terminal run (./export-reader.ts), groups runs with the engine's own rule
 * (lib/stats/grouping.ts) and applies the API's defaults and formulas, but sorts raw durations for its
 * percentiles instead of reading sketches, so it stays an independent check on the rollups.
 *
 * Memory: what is kept is one number per terminal run in the window and matching the filters (its duration,
 * for exact percentiles) plus a few counters per group.
 */

/** A bad analyzer option (the analyzer's 400). */
export class AnalyzeOptionError extends Error {
  override name = 'AnalyzeOptionError';
}

/** The analyzer's query: the API's stats parameters, plus which export to read. */
export const AnalyzeOptions = z.object({
  level: StatsLevel.default(STATS_DEFAULTS.level),
  groupBy: StatsGroupBy.default(STATS_DEFAULTS.groupBy),
  from: z.string().optional(),
  to: z.string().optional(),
  source: JobSource.optional(),
  type: z.string().optional(),
  /** Durations only, as in the API. */
  status: TerminalStatus.optional(),
  /** `first`: attempt 1 of each job only (and its steps), as the API's `attempt=first`. */
  attempt: StatsAttempt.default('all'),
  /** An export id to read instead of the newest one. */
  exportId: z.string().optional(),
});
export type AnalyzeOptions = z.input<typeof AnalyzeOptions>;

/** What `analyze --json` prints: the two API bodies. */
export interface AnalysisResult {
  durations: DurationStatsBody;
  failureRates: FailureRateStatsBody;
}

/** Per group: counts by status (failure rates) and the durations of runs of the durations' statuses. */
interface GroupTally {
  counts: StatusCounts;
  /** Runs counted by `/stats/durations` (of `status`, if given), with or without a duration. */
  durationRuns: number;
  durations: number[];
}

interface ResolvedQuery {
  level: StatsLevel;
  groupBy: StatsGroupBy;
  from: number;
  to: number;
  source?: JobSource;
  type?: string;
  status?: TerminalStatus;
  attempt: StatsAttempt;
}

/** Resolves options like the API does: `to` defaults to now rounded up to the hour, `from` to `to` − 7 days. */
export function resolveAnalyzeQuery(options: AnalyzeOptions, nowMicros = Date.now() * 1000): ResolvedQuery {
  const parsed = AnalyzeOptions.safeParse(options);
  if (!parsed.success) throw new AnalyzeOptionError(issuesOf(parsed.error));
  const o = parsed.data;
  if (groupByNeedsSteps(o)) throw new AnalyzeOptionError('--groupBy cluster needs --level step');
  const { from, to } = defaultedWindow(o, nowMicros);
  if (to === undefined) throw new AnalyzeOptionError(`--to: "${o.to}" is not a valid ISO 8601 time`);
  if (from === undefined) throw new AnalyzeOptionError(`--from: "${o.from}" is not a valid ISO 8601 time`);
  if (from >= to) throw new AnalyzeOptionError(`--from must be before --to (${formatIsoMicros(from)} >= ${formatIsoMicros(to)})`);
  return { level: o.level, groupBy: o.groupBy, from, to, source: o.source, type: o.type, status: o.status, attempt: o.attempt };
}

/** Exact duration figures: percentile q is the sorted durations' element at floor(q·(n−1)). */
export function exactDurationFigures(durations: number[]): DurationFigures {
  const sorted = Float64Array.from(durations).sort();
  const n = sorted.length;
  const at = (q: number) => (n ? roundMicros(sorted[Math.floor(q * (n - 1))] ?? 0) : null);
  let sum = 0;
  for (const d of sorted) sum += d;
  return {
    count: n,
    minMs: n ? (sorted[0] ?? null) : null,
    maxMs: n ? (sorted[n - 1] ?? null) : null,
    meanMs: n ? roundMicros(sum / n) : null,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
  };
}

/** Analyzes the export in `dir`: the `/stats/durations` and `/stats/failure-rates` bodies of the query. */
export async function analyzeExport(dir: string, options: AnalyzeOptions, nowMicros?: number): Promise<AnalysisResult> {
  const q = resolveAnalyzeQuery(options, nowMicros);
  const found = await findExport(dir, options.exportId);
  const groups = new Map<string, GroupTally>();
  await readExportRuns(found, (run, file, line) => {
    const at = parseInstantMicros(run.belongsAt);
    if (at === undefined) throw new ExportFormatError(file, line, `belongsAt "${run.belongsAt}" is not a time`);
    if (run.level !== q.level || at < q.from || at >= q.to || (q.attempt === 'first' && run.attempt !== 1)) return;
    const key = runGroupKey(run, q.groupBy, q, at);
    if (key === undefined) return;
    let g = groups.get(key);
    if (!g) {
      g = { counts: { succeeded: 0, failed: 0, timed_out: 0 }, durationRuns: 0, durations: [] };
      groups.set(key, g);
    }
    g.counts[run.status] += 1;
    if (q.status === undefined || run.status === q.status) {
      g.durationRuns += 1;
      if (run.durationMs !== undefined) g.durations.push(run.durationMs);
    }
  });

  const envelope = { from: formatIsoMicros(q.from), to: formatIsoMicros(q.to), level: q.level, groupBy: q.groupBy };
  const keys = [...groups.keys()].sort();
  const durations: DurationStatsBody = { ...envelope, groups: [] };
  const failureRates: FailureRateStatsBody = { ...envelope, groups: [] };
  for (const key of keys) {
    const g = groups.get(key);
    if (!g) continue;
    if (g.durationRuns > 0) durations.groups.push({ key, ...exactDurationFigures(g.durations) });
    // The API's own formula (rate, Wilson interval), fed with exact counts.
    const figures = failureFiguresOf(g.counts);
    if (figures.total > 0) failureRates.groups.push({ key, ...figures });
  }
  return { durations, failureRates };
}

