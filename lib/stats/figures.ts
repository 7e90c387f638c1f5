import type { TerminalStatus } from '../jobs/record';
import { emptyStatus, mergeStatus, TERMINAL_STATUSES, type RunAggregate } from '../rollup/aggregate';
import type { DurationFiguresBody, FailureFiguresBody } from './results';

/** Duration figures of one group, as `/stats/durations` reports them (the body schema's type). */
export type DurationFigures = DurationFiguresBody;
/** Failure figures of one group, as `/stats/failure-rates` reports them (the body schema's type). */
export type FailureFigures = FailureFiguresBody;

/** Rounds to the microsecond, the precision of every duration we store. */
export function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Duration figures over the given statuses (all terminal ones by default), percentiles from the sketch. */
export function durationFigures(agg: RunAggregate, statuses: readonly TerminalStatus[] = TERMINAL_STATUSES): DurationFigures {
  const merged = emptyStatus();
  for (const status of statuses) mergeStatus(merged, agg[status]);
  const [p50, p90, p95, p99] = merged.sketch
    .quantiles([0.5, 0.9, 0.95, 0.99], { min: merged.minMs, max: merged.maxMs })
    .map((v) => (v === undefined ? null : roundMicros(v)));
  return {
    count: merged.withDuration,
    minMs: merged.minMs ?? null,
    maxMs: merged.maxMs ?? null,
    meanMs: merged.withDuration ? roundMicros(merged.sumMs / merged.withDuration) : null,
    p50Ms: p50 ?? null,
    p90Ms: p90 ?? null,
    p95Ms: p95 ?? null,
    p99Ms: p99 ?? null,
  };
}

/** The Wilson score interval of k successes in n trials (95 % by default). */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Exact bounds at the extremes: floating point would give 5.5e-17 instead of 0 for k = 0.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** Run counts by terminal status, whatever they were counted from (rollups, or raw runs in the analyzer). */
export type StatusCounts = Record<TerminalStatus, number>;

/** Failure rate = (failed + timed_out) / terminal runs, with its Wilson 95 % interval. */
export function failureFiguresOf(counts: StatusCounts): FailureFigures {
  const total = counts.succeeded + counts.failed + counts.timed_out;
  const bad = counts.failed + counts.timed_out;
  return {
    total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    timedOut: counts.timed_out,
    failureRate: total ? bad / total : null,
    ci95: total ? wilsonInterval(bad, total) : null,
  };
}

/** {@link failureFiguresOf} the run counts of an aggregate. */
export function failureFigures(agg: RunAggregate): FailureFigures {
  return failureFiguresOf({ succeeded: agg.succeeded.runs, failed: agg.failed.runs, timed_out: agg.timed_out.runs });
}
