import { TerminalStatus } from '../jobs/record';
import { DurationSketch } from './sketch';

// The aggregate a rollup item holds: per terminal status, everything the statistics need, mergeable by
// addition. The writer adds runs to it, the reader merges items of it; turning it into figures is statistics'.

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

/** The aggregate of no runs of one status. */
export function emptyStatus(): StatusAggregate {
  return { runs: 0, withDuration: 0, sumMs: 0, sketch: new DurationSketch() };
}

/** An aggregate of no runs. */
export function emptyAggregate(): RunAggregate {
  return { succeeded: emptyStatus(), failed: emptyStatus(), timed_out: emptyStatus() };
}

/** Adds one terminal run. */
export function addRun(agg: RunAggregate, status: TerminalStatus, durationMs?: number): RunAggregate {
  agg[status].runs += 1;
  if (durationMs !== undefined) addDuration(agg, status, durationMs);
  return agg;
}

/** Adds the duration of a run counted before without one (a duration repaired by a later observation). */
export function addDuration(agg: RunAggregate, status: TerminalStatus, durationMs: number): RunAggregate {
  const s = agg[status];
  s.withDuration += 1;
  s.sumMs += durationMs;
  s.minMs = s.minMs === undefined ? durationMs : Math.min(s.minMs, durationMs);
  s.maxMs = s.maxMs === undefined ? durationMs : Math.max(s.maxMs, durationMs);
  s.sketch.add(durationMs);
  return agg;
}

/** Adds the runs of one status into another's: counts and sums add, min/max take the extremes, sketches merge. */
export function mergeStatus(a: StatusAggregate, b: StatusAggregate): void {
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
