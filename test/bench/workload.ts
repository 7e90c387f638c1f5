// The synthetic history the benchmark writes: terminal jobs with steps over a month, seeded, so two runs of
// the bench measure the same data. Plus the exact statistics a naive reader would compute from raw runs.
import type { JobRecord, TerminalStatus } from '../../lib/jobs/record';
import { mulberry32 } from '../../lib/local/simulator/prng';
import type { TerminalRun } from '../../lib/jobs/runs';

/** The month the stats scenario spreads its runs over, with half a day of margin on each side of the window. */
export const DATA_FROM_MS = Date.parse('2025-09-30T12:00:00Z');
export const DATA_TO_MS = Date.parse('2025-10-31T12:00:00Z');
/** A 30-day window that is not aligned on hours: the engine must also read the raw runs of two partial hours. */
export const WINDOW = { from: '2025-10-01T00:30:00.000000Z', to: '2025-10-31T00:30:00.000000Z' };
export const TYPES = 20;
export const STEPS_PER_JOB = 2;

const rng = mulberry32;

const isoMicros = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;

/** Terminal job `i` of the synthetic history: one observation, already terminal, with its steps. */
export function syntheticJob(i: number, seed = 1): JobRecord {
  const r = rng(seed * 1_000_003 + i);
  const typeIndex = i % TYPES;
  const source = typeIndex < 5 ? 'federation' : 'policy';
  const normal = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  // Log-normal durations, a different median per type (30 s .. 10 min), µs precision as UCS reports.
  const durationUs = Math.max(1, Math.round(30e6 * (1 + typeIndex) * Math.exp(0.8 * normal)));
  const finishUs = Math.floor((DATA_FROM_MS + r() * (DATA_TO_MS - DATA_FROM_MS)) * 1000);
  const startUs = finishUs - durationUs;
  const u = r();
  const status: TerminalStatus = u < 0.88 ? 'succeeded' : u < 0.96 ? 'failed' : 'timed_out';
  const split = 0.2 + 0.6 * r();
  const midUs = startUs + Math.round(durationUs * split);
  const stepStatus: TerminalStatus[] = status === 'succeeded' ? ['succeeded', 'succeeded'] : ['succeeded', status];
  const steps = [
    [startUs, midUs],
    [midUs, finishUs],
  ].map(([s = 0, f = 0], k) => ({
    stepId: `job-${i}-step-${k}`,
    type: k === 0 ? 'prepare' : 'apply',
    status: stepStatus[k] ?? 'succeeded',
    rawStatus: stepStatus[k] === 'succeeded' ? 'Success' : 'Failed',
    startedAt: isoMicros(s),
    finishedAt: isoMicros(f),
    durationMs: (f - s) / 1000,
  }));
  return {
    source,
    jobId: `bench-${seed}-${i}`,
    name: `bench job ${i}`,
    type: `type-${String(typeIndex).padStart(2, '0')}`,
    rawStatus: status === 'succeeded' ? 'Success' : status === 'failed' ? 'Failed' : 'TimedOut',
    status,
    createdAt: isoMicros(startUs - 1_000_000),
    startedAt: isoMicros(startUs),
    finishedAt: isoMicros(finishUs),
    durationMs: durationUs / 1000,
    attempt: 1,
    steps: steps.slice(0, STEPS_PER_JOB),
    observedAt: isoMicros(finishUs + 1_000_000),
  };
}

/** The sorted durations' element at `floor(q·(n−1))`: the percentile DESIGN.md defines. */
export function exactPercentile(sorted: number[], q: number): number | undefined {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** One group of the naive baseline: the figures both stats endpoints answer, computed from raw runs. */
export interface BaselineGroup {
  key: string;
  total: number;
  failed: number;
  timedOut: number;
  durations: number[];
}

/** The naive computation: every raw run of the window, grouped in memory (`type`, `day` or `none`). */
export function baselineGroups(runs: TerminalRun[], groupBy: 'type' | 'day' | 'none'): Map<string, BaselineGroup> {
  const groups = new Map<string, BaselineGroup>();
  for (const run of runs) {
    const key = groupBy === 'type' ? `${run.source}/${run.type}` : groupBy === 'day' ? run.belongsAt.slice(0, 10) : 'all';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, total: 0, failed: 0, timedOut: 0, durations: [] }));
    g.total += 1;
    if (run.status === 'failed') g.failed += 1;
    if (run.status === 'timed_out') g.timedOut += 1;
    if (run.durationMs !== undefined) g.durations.push(run.durationMs);
  }
  for (const g of groups.values()) g.durations.sort((a, b) => a - b);
  return groups;
}
