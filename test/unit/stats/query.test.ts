import { describe, expect, it } from 'vitest';
import type { TerminalStatus } from '../../../lib/jobs/record';
import { durationStats, failureRateStats } from '../../../lib/stats/query';
import type { StatsGroupBy, StatsLevel, StatsQuery } from '../../../lib/stats/results';
import { decomposeWindow } from '../../../lib/stats/window';
import { MemoryJobStore } from '../../support/memory-store';
import {
  expectDurationFigures,
  expectDurationStats,
  expectFailureFigures,
  expectFailureRateStats,
  expectedGroups,
  generateRuns,
} from '../../support/stats-oracle';
import { formatIsoMicros, parseInstantMicros } from '../../../lib/jobs/time';
import type { TerminalRun } from '../../../lib/jobs/runs';

const DATA = { from: '2025-11-01T00:00:00Z', to: '2025-11-12T00:00:00Z' };
const WINDOWS = {
  midHour: { from: '2025-11-02T07:24:03.553733Z', to: '2025-11-09T15:10:00.000001Z' },
  wholeDays: { from: '2025-11-03T00:00:00Z', to: '2025-11-05T00:00:00Z' },
  insideOneHour: { from: '2025-11-04T10:15:00Z', to: '2025-11-04T10:45:30.5Z' },
  offsetsMidHour: { from: '2025-11-04T13:30:00+02:00', to: '2025-11-06T01:59:59.999999-03:00' },
  // Holds the whole week Monday 2025-11-03 to Monday 2025-11-10, read from week rollups.
  withWeek: { from: '2025-11-02T05:10:00Z', to: '2025-11-11T20:00:00.5Z' },
};

// Runs sitting exactly on the window edges and on hour boundaries: `from` is in, `to` is out.
const edgeRuns = (): TerminalRun[] =>
  [WINDOWS.midHour.from, WINDOWS.midHour.to, '2025-11-02T07:24:03.553732Z', '2025-11-03T00:00:00.000000Z', '2025-11-09T15:00:00.000000Z', '2025-11-10T00:00:00.000000Z', '2025-11-09T23:59:59.999999Z'].map(
    (at, i) => ({
      level: 'job',
      source: 'federation',
      jobId: `edge-${i}`,
      attempt: 1,
      type: 'CreateFederation',
      jobType: 'CreateFederation',
      status: 'failed',
      fleetId: 'fleet-0',
      durationMs: 1000 + i,
      belongsAt: formatIsoMicros(parseInstantMicros(at)!),
    }),
  );

const runs = [...generateRuns(7, 3000, DATA), ...edgeRuns()];
const store = new MemoryJobStore({ runs });

const GROUPINGS: [StatsLevel, StatsGroupBy][] = [
  ...(['type', 'source', 'fleet', 'day', 'none'] as const).map((g): [StatsLevel, StatsGroupBy] => ['job', g]),
  ...(['type', 'source', 'fleet', 'cluster', 'day', 'none'] as const).map((g): [StatsLevel, StatsGroupBy] => ['step', g]),
];

describe('decomposeWindow', () => {
  it('uses whole days, whole hours and the partial hours at the edges, covering the window exactly', () => {
    const from = parseInstantMicros(WINDOWS.midHour.from)!;
    const to = parseInstantMicros(WINDOWS.midHour.to)!;
    const pieces = decomposeWindow({ from, to });
    expect(pieces[0]).toEqual({ source: 'runs', from, to: parseInstantMicros('2025-11-02T08:00:00Z') });
    expect(pieces.at(-1)).toEqual({ source: 'runs', from: parseInstantMicros('2025-11-09T15:00:00Z'), to });
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.from).toBe(pieces[i - 1]!.to);
    expect(pieces.filter((p) => p.source === 'day')).toHaveLength(6); // Nov 3..8
    expect(pieces.filter((p) => p.source === 'hour')).toHaveLength(16 + 15); // 08..23 on Nov 2, 00..14 on Nov 9
    expect(decomposeWindow({ from, to }, 'hour').filter((p) => p.source === 'day')).toHaveLength(0);
  });

  it('uses whole Monday-to-Monday weeks where they fit, unless the query needs days', () => {
    const from = parseInstantMicros('2025-10-01T00:30:00Z')!; // a Wednesday
    const to = parseInstantMicros('2025-10-31T00:30:00Z')!;
    const pieces = decomposeWindow({ from, to });
    const weeks = pieces.filter((p) => p.source === 'week').map((p) => [formatIsoMicros(p.from).slice(0, 10), formatIsoMicros(p.to).slice(0, 10)]);
    expect(weeks).toEqual([['2025-10-06', '2025-10-13'], ['2025-10-13', '2025-10-20'], ['2025-10-20', '2025-10-27']]);
    expect(pieces.filter((p) => p.source === 'day')).toHaveLength(4 + 4); // Oct 2..5 and Oct 27..30
    expect(pieces.filter((p) => p.source === 'hour')).toHaveLength(23);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.from).toBe(pieces[i - 1]!.to);
    expect([pieces[0]!.from, pieces.at(-1)!.to]).toEqual([from, to]);
    const daysOnly = decomposeWindow({ from, to }, 'day');
    expect(daysOnly.filter((p) => p.source === 'week')).toHaveLength(0);
    expect(daysOnly.filter((p) => p.source === 'day')).toHaveLength(29);
  });
});

describe.each(Object.entries(WINDOWS))('window %s', (_name, window) => {
  it.each(GROUPINGS)('level %s groupBy %s: exact durations and failure rates', async (level, groupBy) => {
    const q: StatsQuery = { level, groupBy, ...window };
    const durations = await durationStats(store, q);
    expect(durations.groups.length).toBeGreaterThan(0);
    expectDurationStats(durations, runs, q);
    expectFailureRateStats(await failureRateStats(store, q), runs, q);
  });
});

describe('attempt=first', () => {
  it.each(GROUPINGS)('level %s groupBy %s: exact first-try figures, from rollups of first attempts', async (level, groupBy) => {
    const q: StatsQuery = { level, groupBy, ...WINDOWS.withWeek, attempt: 'first' };
    const failures = await failureRateStats(store, q);
    expectFailureRateStats(failures, runs, q);
    expectDurationStats(await durationStats(store, q), runs, q);
    // The retries are really left out: fewer runs than over all attempts.
    const all = await failureRateStats(store, { ...q, attempt: 'all' });
    expect(failures.groups.reduce((n, g) => n + g.total, 0)).toBeLessThan(all.groups.reduce((n, g) => n + g.total, 0));
  });

  it('with compare=previous and an interval, over a window with partial hours', async () => {
    const q: StatsQuery = { level: 'job', groupBy: 'type', ...WINDOWS.midHour, attempt: 'first', compare: 'previous', interval: 'day' };
    const body = await failureRateStats(store, q);
    expectFailureRateStats(body, runs, q);
    for (const group of body.groups) {
      const before = expectedGroups(runs, q, body.previous).get(group.key) ?? [];
      expectFailureFigures(group.previous!, before, `${group.key} previous`);
    }
  });
});

describe('filters', () => {
  const window = WINDOWS.midHour;
  const filters: { source?: 'federation' | 'policy'; type?: string; status?: TerminalStatus }[] = [
    { source: 'policy' },
    { type: 'Shared' }, // a type name both sources use: matches under either source
    { source: 'federation', type: 'Shared' },
    { type: 'Update/Instance' }, // a type with a slash
    { status: 'failed' },
    { status: 'timed_out', source: 'federation' },
  ];
  it.each(filters)('%o on every grouping', async (filter) => {
    for (const [level, groupBy] of GROUPINGS) {
      const q: StatsQuery = { level, groupBy, ...window, ...filter };
      expectDurationStats(await durationStats(store, q), runs, q);
      expectFailureRateStats(await failureRateStats(store, { ...q, status: undefined }), runs, { ...q, status: undefined });
    }
  });

  it('a type filter without source really spans both sources', async () => {
    const q: StatsQuery = { level: 'job', groupBy: 'source', type: 'Shared', ...window };
    const body = await failureRateStats(store, q);
    expect(body.groups.map((g) => g.key)).toEqual(['federation', 'policy']);
  });

  it('an unknown type gives no groups, not an error', async () => {
    const body = await durationStats(store, { level: 'job', groupBy: 'fleet', type: 'Nope', ...window });
    expect(body.groups).toEqual([]);
  });
});

describe('interval series', () => {
  it.each(['day', 'hour'] as const)('interval=%s: every bucket of the window, each exact', async (interval) => {
    const window = interval === 'day' ? WINDOWS.midHour : WINDOWS.offsetsMidHour;
    const q: StatsQuery = { level: 'step', groupBy: 'source', interval, ...window };
    const durations = await durationStats(store, q);
    const failures = await failureRateStats(store, q);
    const unitHours = interval === 'day' ? 24 : 1;
    for (const group of [...durations.groups, ...failures.groups]) {
      const series = group.series!;
      expect(series[0]!.from).toBe(durations.from);
      expect(series.at(-1)!.to).toBe(durations.to);
      for (let i = 1; i < series.length; i++) {
        expect(series[i]!.from).toBe(series[i - 1]!.to);
        if (i < series.length - 1) {
          expect(parseInstantMicros(series[i]!.to)! - parseInstantMicros(series[i]!.from)!).toBe(unitHours * 3_600_000_000);
        }
      }
    }
    for (const group of durations.groups) {
      for (const bucket of group.series!) {
        const expected = expectedGroups(runs, q, bucket).get(group.key) ?? [];
        expectDurationFigures(bucket, expected, undefined, `${group.key} ${bucket.from}`);
      }
    }
    for (const group of failures.groups) {
      expect(group.series!.reduce((n, b) => n + b.total, 0)).toBe(group.total);
      for (const bucket of group.series!) {
        expectFailureFigures(bucket, expectedGroups(runs, q, bucket).get(group.key) ?? [], `${group.key} ${bucket.from}`);
      }
    }
  });
});

describe('compare=previous', () => {
  it('adds the figures of the equal window just before, and the change', async () => {
    const window = WINDOWS.offsetsMidHour;
    const q: StatsQuery = { level: 'job', groupBy: 'type', compare: 'previous', ...window };
    const from = parseInstantMicros(window.from)!;
    const to = parseInstantMicros(window.to)!;
    const previousWindow = { from: formatIsoMicros(from - (to - from)), to: formatIsoMicros(from) };

    const durations = await durationStats(store, q);
    expect(durations.previous).toEqual(previousWindow);
    const before = expectedGroups(runs, q, previousWindow);
    for (const group of durations.groups) {
      expectDurationFigures(group.previous!, before.get(group.key) ?? [], undefined, `previous ${group.key}`);
      expect(group.change!.count).toBe(group.count - group.previous!.count);
      expect(group.change!.p90Ms).toBeCloseTo(group.p90Ms! - group.previous!.p90Ms!, 3);
    }
    const failures = await failureRateStats(store, q);
    for (const group of failures.groups) {
      expectFailureFigures(group.previous!, before.get(group.key) ?? [], `previous ${group.key}`);
      expect(group.change!.failureRate).toBeCloseTo(group.failureRate! - group.previous!.failureRate!, 12);
    }
  });
});

describe('cost', () => {
  it('reads rollup items in proportion to buckets × groups, and only the runs of the two edge hours', async () => {
    const many = generateRuns(11, 8000, DATA);
    const big = new MemoryJobStore({ runs: many });
    const q: StatsQuery = { level: 'job', groupBy: 'type', ...WINDOWS.midHour };
    const body = await failureRateStats(big, q);
    const pieces = decomposeWindow({ from: parseInstantMicros(q.from)!, to: parseInstantMicros(q.to)! });
    const buckets = pieces.filter((p) => p.source !== 'runs').length;
    expect(big.reads.rollupItems).toBeLessThanOrEqual(buckets * body.groups.length);
    expect(big.reads.rollupQueries).toBe(3); // one day range and two hour ranges
    expect(big.reads.runQueries).toBe(2);
    const edgeRunCount = many.filter(
      (r) => r.level === 'job' && ((r.belongsAt >= '2025-11-02T07' && r.belongsAt < '2025-11-02T08') || r.belongsAt.startsWith('2025-11-09T15')),
    ).length;
    expect(big.reads.runs).toBeLessThanOrEqual(edgeRunCount);
    expect(body.groups.reduce((n, g) => n + g.total, 0)).toBeGreaterThan(10 * big.reads.runs);
  });

  it('reads a whole week as one week rollup per group, unless grouping by day', async () => {
    const q: StatsQuery = { level: 'job', groupBy: 'type', ...WINDOWS.withWeek };
    const byType = new MemoryJobStore({ runs });
    const body = await durationStats(byType, q);
    expect(byType.reads.rollupQueries).toBe(4); // hours, the week, a day, hours
    expect(byType.reads.rollupItems).toBeLessThanOrEqual((18 + 1 + 1 + 20) * body.groups.length);
    const byDay = new MemoryJobStore({ runs });
    await durationStats(byDay, { ...q, groupBy: 'day' });
    expect(byDay.reads.rollupQueries).toBe(3); // hours, 8 days, hours
  });

  it('a window of whole hours reads no runs at all', async () => {
    const fresh = new MemoryJobStore({ runs });
    await durationStats(fresh, { level: 'step', groupBy: 'cluster', ...WINDOWS.wholeDays });
    expect(fresh.reads.runQueries).toBe(0);
  });
});

describe('empty groups and ordering', () => {
  it('omits groups without runs (of the status asked) and sorts keys', async () => {
    const only: TerminalRun[] = [
      { level: 'job', source: 'policy', jobId: 'a', attempt: 1, type: 'B', jobType: 'B', status: 'succeeded', belongsAt: '2025-11-03T10:00:00.000000Z' },
      { level: 'job', source: 'federation', jobId: 'b', attempt: 1, type: 'A', jobType: 'A', status: 'failed', durationMs: 5, belongsAt: '2025-11-03T10:30:00.000000Z' },
    ];
    const s = new MemoryJobStore({ runs: only });
    const q: StatsQuery = { level: 'job', groupBy: 'type', ...WINDOWS.wholeDays };
    const all = await durationStats(s, q);
    expect(all.groups.map((g) => g.key)).toEqual(['federation/A', 'policy/B']);
    // A run without a duration still makes its group appear, with count 0 and null figures.
    expect(all.groups[1]).toMatchObject({ count: 0, minMs: null, meanMs: null, p50Ms: null });
    const failedOnly = await durationStats(s, { ...q, status: 'failed' });
    expect(failedOnly.groups.map((g) => g.key)).toEqual(['federation/A']);
  });
});
