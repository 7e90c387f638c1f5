import { TerminalStatus } from '../jobs/record';
import type { DurationFiguresBody, FailureFiguresBody } from './results';
import { DurationSketch } from './sketch';

/** Everything the statistics need about the runs of one status in one group: mergeable by addition. */
export interface StatusAggregate {
  /** Terminal runs. */
  runs: number;
  /** Runs that have a duration (the rest never started, or finished before they started). */
  withDuration: number;
  sumMs: number;
  minMs?: number;
  maxMs?: number;
  sketch: DurationSketch;
}

/** The runs of one group, per terminal status. */
export type RunAggregate = Record<TerminalStatus, StatusAggregate>;

/** The terminal statuses in a fixed order. */
export const TERMINAL_STATUSES: readonly TerminalStatus[] = TerminalStatus.options;

function emptyStatus(): StatusAggregate {
  return { runs: 0, withDuration: 0, sumMs: 0, sketch: new DurationSketch() };
}

/** An aggregate of no runs. */
export function emptyAggregate(): RunAggregate {
  return { succeeded: emptyStatus(), failed: emptyStatus(), timed_out: emptyStatus() };
}

/** Adds one terminal run. */
export function addRun(agg: RunAggregate, status: TerminalStatus, durationMs?: number): RunAggregate {
  const s = agg[status];
  s.runs += 1;
  if (durationMs !== undefined) {
    s.withDuration += 1;
    s.sumMs += durationMs;
    s.minMs = s.minMs === undefined ? durationMs : Math.min(s.minMs, durationMs);
    s.maxMs = s.maxMs === undefined ? durationMs : Math.max(s.maxMs, durationMs);
    s.sketch.add(durationMs);
  }
  return agg;
}

/** Adds the runs of one status into another's: counts and sums add, min/max take the extremes, sketches merge. */
function mergeStatus(a: StatusAggregate, b: StatusAggregate): void {
  a.runs += b.runs;
  a.withDuration += b.withDuration;
  a.sumMs += b.sumMs;
  if (b.minMs !== undefined) a.minMs = a.minMs === undefined ? b.minMs : Math.min(a.minMs, b.minMs);
  if (b.maxMs !== undefined) a.maxMs = a.maxMs === undefined ? b.maxMs : Math.max(a.maxMs, b.maxMs);
  a.sketch.merge(b.sketch);
}

/** Adds `other` into `into` and returns `into`. */
export function mergeAggregate(into: RunAggregate, other: RunAggregate): RunAggregate {
  for (const status of TERMINAL_STATUSES) mergeStatus(into[status], other[status]);
  return into;
}

/** Duration figures of one group, as `/stats/durations` reports them (the body schema's type). */
export type DurationFigures = DurationFiguresBody;

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

/** Failure figures of one group, as `/stats/failure-rates` reports them (the body schema's type). */
export type FailureFigures = FailureFiguresBody;

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

/** Failure rate = (failed + timed_out) / terminal runs, with its Wilson 95 % interval. */
export function failureFigures(agg: RunAggregate): FailureFigures {
  const total = agg.succeeded.runs + agg.failed.runs + agg.timed_out.runs;
  const bad = agg.failed.runs + agg.timed_out.runs;
  return {
    total,
    succeeded: agg.succeeded.runs,
    failed: agg.failed.runs,
    timedOut: agg.timed_out.runs,
    failureRate: total ? bad / total : null,
    ci95: total ? wilsonInterval(bad, total) : null,
  };
}
