import { expect } from 'vitest';
import type { JobSource, TerminalStatus } from '../../lib/jobs/record';
import type { DurationStatsBody, FailureRateStatsBody, StatsQuery } from '../../lib/stats/results';
import { mulberry32 } from '../../lib/local/simulator/prng';
import { formatIsoMicros, parseInstantMicros } from '../../lib/jobs/time';
import type { TerminalRun } from '../../lib/jobs/runs';

/**
 * The test oracle of the statistics: expected figures computed straight from raw terminal runs (no rollups,
 * no sketches), and an assertion that an API body matches them. Integration tests can call
 * `expectDurationStats(body, runs, query)` / `expectFailureRateStats(body, runs, query)` with the runs the
 * simulator produced.
 */

const micros = (iso: string) => {
  const us = parseInstantMicros(iso);
  if (us === undefined) throw new Error(`bad time ${iso}`);
  return us;
};

/** The group key of a run under `groupBy`, or undefined when the run has no such group (no fleet, no cluster). */
export function groupKeyOf(run: TerminalRun, groupBy: StatsQuery['groupBy']): string | undefined {
  switch (groupBy) {
    case 'none':
      return 'all';
    case 'type':
      return `${run.source}/${run.type}`;
    case 'source':
      return run.source;
    case 'fleet':
      return run.fleetId;
    case 'cluster':
      return run.level === 'step' ? run.clusterId : undefined;
    case 'day':
      return formatIsoMicros(micros(run.belongsAt)).slice(0, 10);
  }
}

/** The runs of each group for a query over `[from, to)` (status not applied: durations filter it themselves). */
export function expectedGroups(runs: readonly TerminalRun[], q: StatsQuery, window = { from: q.from, to: q.to }) {
  const from = micros(window.from);
  const to = micros(window.to);
  const groups = new Map<string, TerminalRun[]>();
  for (const run of runs) {
    const at = micros(run.belongsAt);
    if (run.level !== q.level || at < from || at >= to) continue;
    if (q.source !== undefined && run.source !== q.source) continue;
    if (q.type !== undefined && run.type !== q.type) continue;
    if (q.attempt === 'first' && run.attempt !== 1) continue;
    const key = groupKeyOf(run, q.groupBy);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return groups;
}

/** Exact duration figures of runs: the percentiles are the sorted durations' element at floor(q·(n−1)). */
export function exactDurations(runs: readonly TerminalRun[], status?: TerminalStatus) {
  const durations = runs
    .filter((r) => status === undefined || r.status === status)
    .flatMap((r) => (r.durationMs === undefined ? [] : [r.durationMs]))
    .sort((a, b) => a - b);
  const n = durations.length;
  const at = (q: number) => (n ? durations[Math.floor(q * (n - 1))]! : null);
  return {
    runs: runs.filter((r) => status === undefined || r.status === status).length,
    count: n,
    minMs: n ? durations[0]! : null,
    maxMs: n ? durations[n - 1]! : null,
    meanMs: n ? durations.reduce((s, d) => s + d, 0) / n : null,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
  };
}

/** Exact failure figures of runs. */
export function exactFailures(runs: readonly TerminalRun[]) {
  const count = (s: TerminalStatus) => runs.filter((r) => r.status === s).length;
  const total = runs.length;
  return {
    total,
    succeeded: count('succeeded'),
    failed: count('failed'),
    timedOut: count('timed_out'),
    failureRate: total ? (count('failed') + count('timed_out')) / total : null,
  };
}

/** Asserts a value is within 1 % relative error (plus the µs rounding) of the exact one. */
export function expectWithinOnePercent(actual: number | null, exact: number | null, label = ''): void {
  if (exact === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  expect(Math.abs(actual! - exact), `${label}: ${actual} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.01 + 0.0005);
}

/** Asserts duration figures against the exact ones of `runs`. */
export function expectDurationFigures(
  actual: { count: number; minMs: number | null; maxMs: number | null; meanMs: number | null; p50Ms: number | null; p90Ms: number | null; p95Ms: number | null; p99Ms: number | null },
  runs: readonly TerminalRun[],
  status: TerminalStatus | undefined,
  label: string,
): void {
  const exact = exactDurations(runs, status);
  expect(actual.count, `${label} count`).toBe(exact.count);
  expect(actual.minMs, `${label} min`).toBe(exact.minMs);
  expect(actual.maxMs, `${label} max`).toBe(exact.maxMs);
  if (exact.meanMs === null) expect(actual.meanMs).toBeNull();
  else expect(Math.abs(actual.meanMs! - exact.meanMs), `${label} mean`).toBeLessThanOrEqual(0.0006);
  expectWithinOnePercent(actual.p50Ms, exact.p50Ms, `${label} p50`);
  expectWithinOnePercent(actual.p90Ms, exact.p90Ms, `${label} p90`);
  expectWithinOnePercent(actual.p95Ms, exact.p95Ms, `${label} p95`);
  expectWithinOnePercent(actual.p99Ms, exact.p99Ms, `${label} p99`);
}

/** Asserts failure figures against the exact ones of `runs`. */
export function expectFailureFigures(
  actual: { total: number; succeeded: number; failed: number; timedOut: number; failureRate: number | null; ci95: [number, number] | null },
  runs: readonly TerminalRun[],
  label: string,
): void {
  const exact = exactFailures(runs);
  const { total, succeeded, failed, timedOut } = actual;
  expect({ total, succeeded, failed, timedOut }, label).toEqual({
    total: exact.total,
    succeeded: exact.succeeded,
    failed: exact.failed,
    timedOut: exact.timedOut,
  });
  if (exact.failureRate === null) expect(actual.failureRate, label).toBeNull();
  else {
    expect(actual.failureRate!, label).toBeCloseTo(exact.failureRate, 12);
    // Wilson's bounds at k = 0 or k = n are 0 / 1 only up to float rounding.
    expect(actual.ci95![0], label).toBeLessThanOrEqual(exact.failureRate + 1e-12);
    expect(actual.ci95![1], label).toBeGreaterThanOrEqual(exact.failureRate - 1e-12);
  }
}

/** Asserts a `/stats/durations` body matches the raw runs: same groups (sorted, none empty), exact figures. */
export function expectDurationStats(body: DurationStatsBody, runs: readonly TerminalRun[], q: StatsQuery): void {
  const groups = expectedGroups(runs, q);
  const keys = [...groups.entries()].filter(([, rs]) => exactDurations(rs, q.status).runs > 0).map(([k]) => k).sort();
  expect(body.groups.map((g) => g.key)).toEqual(keys);
  for (const group of body.groups) expectDurationFigures(group, groups.get(group.key)!, q.status, `${q.groupBy}:${group.key}`);
}

/** Asserts a `/stats/failure-rates` body matches the raw runs. */
export function expectFailureRateStats(body: FailureRateStatsBody, runs: readonly TerminalRun[], q: StatsQuery): void {
  const groups = expectedGroups(runs, q);
  expect(body.groups.map((g) => g.key)).toEqual([...groups.keys()].sort());
  for (const group of body.groups) expectFailureFigures(group, groups.get(group.key)!, `${q.groupBy}:${group.key}`);
}

/** A small deterministic PRNG (mulberry32), so generated data is the same on every run. */
export const seededRandom = mulberry32;

const TYPES: Record<JobSource, string[]> = {
  federation: ['CreateFederation', 'DeleteFederation', 'Shared'],
  policy: ['EnablePolicy', 'Shared', 'Update/Instance'],
};
const STEP_TYPES: Record<JobSource, string[]> = {
  federation: ['InstallFederationChart', 'CreateCert', 'Shared'],
  policy: ['PolicyTask', 'Shared'],
};

/**
 * Terminal runs (jobs and their steps) with `belongsAt` spread over `[from, to)`: both sources, a type name
 * shared by both sources, fleets missing on some policy jobs, steps with and without clusters, every status,
 * runs without a duration, zero durations, durations from 1 µs to hours, and retried jobs (attempt 2).
 */
export function generateRuns(seed: number, jobs: number, window: { from: string; to: string }): TerminalRun[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const from = micros(window.from);
  const span = micros(window.to) - from;
  const statuses: TerminalStatus[] = ['succeeded', 'succeeded', 'succeeded', 'failed', 'timed_out'];
  const duration = () => {
    const r = random();
    if (r < 0.05) return undefined;
    if (r < 0.07) return 0;
    return Math.round(Math.exp(Math.log(0.001) + random() * (Math.log(7_200_000) - Math.log(0.001))) * 1000) / 1000;
  };
  const runs: TerminalRun[] = [];
  for (let j = 0; j < jobs; j++) {
    const source = pick<JobSource>(['federation', 'policy']);
    const jobType = pick(TYPES[source]);
    const fleetId = source === 'federation' || random() < 0.6 ? `fleet-${Math.floor(random() * 4)}` : undefined;
    const belongsAt = formatIsoMicros(from + Math.floor(random() * span));
    const jobId = `job-${seed}-${j}`;
    // Every seventh job is a retry (attempt 2): attempt=first leaves it and its steps out. No random draw, so
    // the rest of the data is what it always was.
    const base = { source, jobId, attempt: j % 7 === 3 ? 2 : 1, jobType, fleetId, belongsAt };
    runs.push({ ...base, level: 'job', type: jobType, status: pick(statuses), durationMs: duration() });
    const steps = Math.floor(random() * 3);
    for (let s = 0; s < steps; s++) {
      runs.push({
        ...base,
        level: 'step',
        stepId: `step-${s}`,
        type: pick(STEP_TYPES[source]),
        clusterId: random() < 0.8 ? `cluster-${Math.floor(random() * 5)}` : undefined,
        status: pick(statuses),
        durationMs: duration(),
      });
    }
  }
  return runs;
}
