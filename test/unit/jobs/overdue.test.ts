import { describe, expect, it } from 'vitest';
import { overdueLimit, overdueOf } from '../../../lib/jobs/overdue';
import type { JobRecord } from '../../../lib/jobs/record';
import { formatIsoMicros, parseInstantMicros } from '../../../lib/jobs/time';
import { OverdueJudge } from '../../../lib/stats/overdue';
import { durationStats } from '../../../lib/stats/query';
import { MemoryJobStore } from '../../support/memory-store';
import type { TerminalRun } from '../../../lib/jobs/runs';

const us = (iso: string) => parseInstantMicros(iso)!;
const NOW = us('2025-11-10T12:00:00Z');
const OPTIONS = { factor: 2, minRuns: 5 };

describe('overdueLimit', () => {
  it('takes the declared timeout first, else factor × p99 of a type with enough runs, else none', () => {
    expect(overdueLimit(600, { p99Ms: 10, count: 100 }, OPTIONS)).toEqual({ limitSec: 600, basis: 'declared' });
    expect(overdueLimit(undefined, { p99Ms: 90_000, count: 5 }, OPTIONS)).toEqual({ limitSec: 180, basis: 'p99' });
    expect(overdueLimit(undefined, { p99Ms: 90_000, count: 4 }, OPTIONS)).toBeUndefined();
    expect(overdueLimit(undefined, { p99Ms: null, count: 0 }, OPTIONS)).toBeUndefined();
    expect(overdueLimit(undefined, undefined, OPTIONS)).toBeUndefined();
    expect(overdueLimit(undefined, { p99Ms: 1234.567, count: 9 }, { factor: 1.5, minRuns: 1 })).toEqual({ limitSec: 1.851851, basis: 'p99' });
  });
});

describe('overdueOf', () => {
  const limit = { limitSec: 600, basis: 'declared' } as const;
  it('is overdue once the age passes the limit, from startedAt else createdAt, with the time it passed', () => {
    expect(overdueOf({ id: 'a', status: 'running', startedAt: '2025-11-10T11:49:59.000000Z' }, limit, NOW)).toEqual({ since: '2025-11-10T11:59:59.000000Z', ...limit });
    expect(overdueOf({ id: 'a', status: 'pending', createdAt: '2025-11-10T11:40:00.000000Z' }, limit, NOW)).toMatchObject({ since: '2025-11-10T11:50:00.000000Z' });
    // Exactly at the limit is not past it.
    expect(overdueOf({ id: 'a', status: 'running', startedAt: '2025-11-10T11:50:00.000000Z' }, limit, NOW)).toBeUndefined();
  });

  it('is never overdue when terminal or unknown, without a limit or a start, or starting in the future', () => {
    for (const status of ['succeeded', 'failed', 'timed_out', 'unknown'] as const) {
      expect(overdueOf({ id: 'a', status, startedAt: '2025-11-09T00:00:00.000000Z' }, limit, NOW)).toBeUndefined();
    }
    expect(overdueOf({ id: 'a', status: 'running', startedAt: '2025-11-09T00:00:00.000000Z' }, undefined, NOW)).toBeUndefined();
    expect(overdueOf({ id: 'a', status: 'running' }, limit, NOW)).toBeUndefined();
    expect(overdueOf({ id: 'skewed', status: 'running', startedAt: '2025-11-10T13:00:00.000000Z' }, limit, NOW)).toBeUndefined();
    expect(overdueOf({ id: 'skewed', status: 'running', startedAt: '2025-11-10T13:00:00.000000Z' }, limit, us('2025-11-10T13:20:00Z'))).toBeDefined();
  });
});

describe('OverdueJudge', () => {
  // 20 federation CreateFederation runs of 60..79 s over the last 30 days.
  const runs: TerminalRun[] = Array.from({ length: 20 }, (_, i) => ({
    level: 'job',
    source: 'federation',
    jobId: `done-${i}`,
    attempt: 1,
    type: 'CreateFederation',
    jobType: 'CreateFederation',
    status: 'succeeded',
    durationMs: 60_000 + i * 1000,
    belongsAt: formatIsoMicros(NOW - (i + 1) * 86_400_000_000),
  }));
  const store = new MemoryJobStore({ runs });
  const judge = new OverdueJudge(() => store, OPTIONS);
  const federation = (startedAt: string, type = 'CreateFederation'): JobRecord => ({
    source: 'federation',
    jobId: 'running-1',
    type,
    status: 'running',
    startedAt,
    attempt: 1,
    steps: [{ stepId: 's1', type: 'InstallFederationChart', status: 'running', startedAt }],
    observedAt: formatIsoMicros(NOW),
  });

  it('gives a federation job without a declared timeout the p99 basis of its type, as /stats/durations gives it', async () => {
    const stats = await durationStats(store, { level: 'job', groupBy: 'type', from: '2025-10-11T12:00:00Z', to: '2025-11-10T12:00:00Z' });
    const p99 = stats.groups.find((g) => g.key === 'federation/CreateFederation')!.p99Ms!;
    // The sorted durations' element at floor(0.99 · 19) is 78 s; the sketch gives it within 1 %.
    expect(Math.abs(p99 - 78_000)).toBeLessThan(780);
    const late = await judge.judge(federation('2025-11-10T11:57:00.000000Z'), NOW);
    const limitSec = Math.round(2 * p99 * 1000) / 1e6;
    expect(late.overdue).toEqual({ since: formatIsoMicros(us('2025-11-10T11:57:00Z') + Math.round(limitSec * 1e6)), limitSec, basis: 'p99' });
    // Its step type has no runs: no basis, never overdue.
    expect(late.steps[0]).not.toHaveProperty('overdue');
    expect((await judge.judge(federation('2025-11-10T11:58:00.000000Z'), NOW)).overdue).toBeUndefined();
    // A type with no history is never overdue.
    expect((await judge.judge(federation('2025-11-01T00:00:00.000000Z', 'DeleteFederation'), NOW)).overdue).toBeUndefined();
  });

  it('gives a task its declared waitTimeOut, and reads the rollups once per level and hour', async () => {
    const before = store.reads.rollupQueries;
    const policy: JobRecord = {
      source: 'policy',
      jobId: 'p-1',
      type: 'UpdateConstraint',
      status: 'running',
      startedAt: '2025-11-10T11:00:00.000000Z',
      waitTimeoutSec: 7200,
      attempt: 1,
      steps: [
        { stepId: 't1', type: 'UpdateConstraint', status: 'running', startedAt: '2025-11-10T11:00:00.000000Z', waitTimeoutSec: 1800 },
        { stepId: 't2', type: 'UpdateConstraint', status: 'succeeded', startedAt: '2025-11-10T11:00:00.000000Z', waitTimeoutSec: 60 },
      ],
      observedAt: formatIsoMicros(NOW),
    };
    const view = await judge.judge(policy, NOW);
    expect(view.overdue).toBeUndefined();
    expect(view.steps[0]!.overdue).toEqual({ since: '2025-11-10T11:30:00.000000Z', limitSec: 1800, basis: 'declared' });
    expect(view.steps[1]).not.toHaveProperty('overdue');
    expect(store.reads.rollupQueries).toBe(before);
    await judge.judge(federation('2025-11-10T11:00:00.000000Z'), NOW + 1000);
    const once = store.reads.rollupQueries;
    await judge.judge(federation('2025-11-10T11:00:00.000000Z'), NOW + 2000);
    expect(store.reads.rollupQueries).toBe(once);
  });
});
