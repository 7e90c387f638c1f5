import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeExport, exactDurationFigures, findExport, formatAnalysis } from '../../lib/local/analyze';
import { wilsonInterval } from '../../lib/stats/figures';

// The hand-written fixture (test/fixtures/exports/items/*.jsonl, laid out by build-fixtures.ts): two full
// exports under the prefix `exports/`; the newer one has three data files, one of them an empty partition.
const FIXTURE = join(__dirname, '..', 'fixtures', 'exports', 'two-exports');
const WINDOW = { from: '2025-11-09T00:00:00Z', to: '2025-11-12T00:00:00Z' };

describe('analyze: reading an export in the AWS layout', () => {
  it('finds the newest export under a prefix, by exportTime', async () => {
    const found = await findExport(FIXTURE);
    expect(found.exportId).toBe('01762829700000-0a1b2c3d');
    expect(found.summary.itemCount).toBe(12);
  });

  it('reads every data file (including the empty one) and groups job runs by type', async () => {
    const { durations, failureRates } = await analyzeExport(FIXTURE, { ...WINDOW });
    expect(durations.groups.map((g) => g.key)).toEqual(['federation/enable', 'policy/deploy']);
    const fed = durations.groups[0];
    expect(fed).toMatchObject({ count: 2, minMs: 1000, maxMs: 3000.5, meanMs: 2000.25, p50Ms: 1000, p99Ms: 1000 });
    // The timed-out policy run has no duration: it counts in failure rates, not in `count`.
    expect(durations.groups[1]).toMatchObject({ key: 'policy/deploy', count: 1, p50Ms: 2000 });
    expect(failureRates.groups).toEqual([
      { key: 'federation/enable', total: 2, succeeded: 1, failed: 1, timedOut: 0, failureRate: 0.5, ci95: wilsonInterval(1, 2) },
      { key: 'policy/deploy', total: 2, succeeded: 1, failed: 0, timedOut: 1, failureRate: 0.5, ci95: wilsonInterval(1, 2) },
    ]);
    expect(durations).toMatchObject({ from: '2025-11-09T00:00:00.000000Z', to: '2025-11-12T00:00:00.000000Z', level: 'job', groupBy: 'type' });
  });

  it('honours the window [from, to): the run of 2025-11-20 only counts when the window reaches it', async () => {
    const wide = await analyzeExport(FIXTURE, { from: '2025-11-01', to: '2025-11-21', groupBy: 'none' });
    expect(wide.failureRates.groups).toMatchObject([{ key: 'all', total: 5 }]);
    const edge = await analyzeExport(FIXTURE, { from: '2025-11-10T07:00:00.000001Z', to: '2025-11-20T00:00:00Z', groupBy: 'none' });
    expect(edge.failureRates.groups).toMatchObject([{ key: 'all', total: 3 }]);
  });

  it('groups by fleet (runs without a fleet have no group), source and day', async () => {
    const fleet = await analyzeExport(FIXTURE, { ...WINDOW, groupBy: 'fleet' });
    expect(fleet.failureRates.groups.map((g) => [g.key, g.total])).toEqual([['fleet-a', 2], ['fleet-b', 1]]);
    const source = await analyzeExport(FIXTURE, { ...WINDOW, groupBy: 'source' });
    expect(source.failureRates.groups.map((g) => [g.key, g.total])).toEqual([['federation', 2], ['policy', 2]]);
    const day = await analyzeExport(FIXTURE, { ...WINDOW, groupBy: 'day' });
    expect(day.failureRates.groups.map((g) => [g.key, g.total])).toEqual([['2025-11-10', 2], ['2025-11-11', 2]]);
  });

  it('reads step runs by cluster, and filters by source, type and status like the API', async () => {
    const steps = await analyzeExport(FIXTURE, { ...WINDOW, level: 'step', groupBy: 'cluster' });
    expect(steps.failureRates.groups.map((g) => [g.key, g.succeeded, g.failed])).toEqual([['cluster-1', 1, 0], ['cluster-2', 0, 1]]);
    const failedOnly = await analyzeExport(FIXTURE, { ...WINDOW, status: 'failed' });
    expect(failedOnly.durations.groups).toMatchObject([{ key: 'federation/enable', count: 1, p50Ms: 3000.5 }]);
    expect(failedOnly.failureRates.groups).toHaveLength(2); // status narrows durations only
    const policy = await analyzeExport(FIXTURE, { ...WINDOW, source: 'policy', type: 'deploy' });
    expect(policy.failureRates.groups.map((g) => g.key)).toEqual(['policy/deploy']);
  });

  it('reads an older export when asked for it by id', async () => {
    const older = await analyzeExport(FIXTURE, { ...WINDOW, groupBy: 'none', exportId: '01762743300000-9f8e7d6c' });
    expect(older.failureRates.groups).toMatchObject([{ key: 'all', total: 1, succeeded: 1 }]);
  });

  it('rejects groupBy cluster at level job, as the API does', async () => {
    await expect(analyzeExport(FIXTURE, { ...WINDOW, groupBy: 'cluster' })).rejects.toThrow(/needs --level step/);
  });

  it('prints a readable table', async () => {
    const text = formatAnalysis(await analyzeExport(FIXTURE, { ...WINDOW }));
    expect(text).toMatch(/federation\/enable\s+2\s+1000\.0/);
    expect(text).toMatch(/policy\/deploy\s+2\s+1\s+0\s+1\s+50\.0%/);
  });
});

describe('exact percentiles', () => {
  it('takes the sorted element at floor(q·(n−1))', () => {
    const durations = Array.from({ length: 101 }, (_, i) => (i * 37) % 101); // 0..100 shuffled
    const f = exactDurationFigures(durations);
    expect([f.p50Ms, f.p90Ms, f.p95Ms, f.p99Ms]).toEqual([50, 90, 95, 99]);
    expect(exactDurationFigures([5, 1, 3, 2])).toMatchObject({ p50Ms: 2, p90Ms: 3, p99Ms: 3, minMs: 1, maxMs: 5, meanMs: 2.75 });
    expect(exactDurationFigures([])).toMatchObject({ count: 0, p50Ms: null, meanMs: null });
  });
});
