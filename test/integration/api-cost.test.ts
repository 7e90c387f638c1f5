import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationStats, failureRateStats } from '../../lib/stats/query';
import type { StatsQuery } from '../../lib/stats/results';
import type { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import type { JobStore } from '../../lib/store/port';
import { expectDurationStats, expectFailureRateStats } from '../support/stats-oracle';
import { expectStoreMatchesTruth, groundTruth, recordWorldDirectly } from './support/api-data';
import { createWorld } from './support/harness';
import { parseInstantMicros } from '../../lib/jobs/time';
import type { TerminalRun } from '../../lib/jobs/runs';

// The cost of a statistics query grows with buckets × groups, not with the runs in its window. Thousands of
// runs are written through the store's real write path (normalized simulator bodies, recordObservation): half
// of the jobs first, then the other half, so the same day, types and fleets hold twice the runs.

const DAY = { from: '2025-11-10T00:00:00.000000Z', to: '2025-11-11T00:00:00.000000Z' };
// Twelve simulated hours of the day hold data; the whole-day window still reads one day bucket.
const START = new Date('2025-11-10T12:00:00.000Z');
const UNTIL = new Date(DAY.to);
const world = await createWorld({ seed: 31, fleets: 3, policyJobsPerHour: 24, start: START });
const store: DynamoDbJobStore = world.store;
afterAll(() => world.close());

/** A store that counts the rollup items and raw runs the statistics engine read (alongside capacity units). */
function countingStore(inner: JobStore) {
  const counts = { rollupItems: 0, rollupQueries: 0, runs: 0 };
  const store: JobStore = Object.assign(Object.create(inner) as JobStore, {
    readRollups: async (...args: Parameters<JobStore['readRollups']>) => {
      const items = await inner.readRollups(...args);
      counts.rollupQueries += 1;
      counts.rollupItems += items.length;
      return items;
    },
    readRuns: async (...args: Parameters<JobStore['readRuns']>) => {
      const runs = await inner.readRuns(...args);
      counts.runs += runs.length;
      return runs;
    },
  });
  return { store, counts };
}

/** Read units and items one stats query consumed. */
async function statsCost(q: StatsQuery) {
  const { store: counted, counts } = countingStore(store);
  const before = store.capacity.readUnits;
  const body = await durationStats(counted, q);
  return { body, readUnits: store.capacity.readUnits - before, ...counts };
}

/** Read units of reading the window's raw runs instead. */
async function runsCost(level: 'job' | 'step', range: { from: string; to: string }) {
  const before = store.capacity.readUnits;
  const runs = await store.readRuns(level, range.from, range.to);
  return { runs: runs.length, readUnits: store.capacity.readUnits - before };
}

const us = (iso: string) => parseInstantMicros(iso)!;
const query = (overrides: Partial<StatsQuery>): StatsQuery => ({ level: 'job', groupBy: 'type', ...DAY, ...overrides });

let truth: TerminalRun[] = [];
/** Every other job (in order of creation), so both halves have every type, fleet and hour. */
let firstHalf = new Set<string>();
beforeAll(async () => {
  const all = groundTruth(world, UNTIL);
  const ids = [...new Set([...all.map((r) => r.jobId), ...world.sim.scenario.policyJobIds(UNTIL)])];
  firstHalf = new Set(ids.filter((_id, i) => i % 2 === 0));
  await recordWorldDirectly(world, store, UNTIL, { include: (id) => firstHalf.has(id) });
  truth = all.filter((r) => firstHalf.has(r.jobId));
});

describe('stats cost against DynamoDB Local', () => {
  it('reads rollups in proportion to buckets × groups, not to runs, and stays exact', async () => {
    await expectStoreMatchesTruth(store, truth, DAY);
    const jobRuns = truth.filter((r) => r.level === 'job').length;
    expect(truth.length).toBeGreaterThan(700);

    // DynamoDB Local reports consumed capacity for the queries the engine makes.
    const day = await statsCost(query({}));
    expect(day.readUnits).toBeGreaterThan(0);
    expectDurationStats(day.body, truth, query({}));
    const groups = day.body.groups.length;
    expect(groups).toBeGreaterThan(4);
    // One day bucket: one item per group, no raw run.
    expect(day).toMatchObject({ rollupItems: groups, rollupQueries: 1, runs: 0 });

    const raw = await runsCost('job', DAY);
    expect(raw.runs).toBe(jobRuns);
    expect(day.readUnits * 10, `rollups ${day.readUnits} RCU vs runs ${raw.readUnits} RCU`).toBeLessThan(raw.readUnits);

    // Whole hours: 23 hour buckets × groups items, still no raw run.
    const hours = query({ to: '2025-11-10T23:00:00Z' });
    const hourly = await statsCost(hours);
    expectDurationStats(hourly.body, truth, hours);
    expect(hourly.runs).toBe(0);
    expect(hourly.rollupItems).toBeLessThanOrEqual(23 * groups);
    expect(hourly.rollupItems).toBeGreaterThan(day.rollupItems);

    // Mid-hour edges: only the runs of the two partial hours are read.
    const ragged = query({ from: '2025-11-10T00:20:00Z', to: '2025-11-10T22:40:00.5Z' });
    const edges = await statsCost(ragged);
    expectDurationStats(edges.body, truth, ragged);
    const within = (r: TerminalRun, from: string, to: string) => us(r.belongsAt) >= us(from) && us(r.belongsAt) < us(to);
    const partial = truth.filter(
      (r) => r.level === 'job' && (within(r, ragged.from, '2025-11-10T01:00:00Z') || within(r, '2025-11-10T22:00:00Z', ragged.to)),
    );
    expect(edges.runs).toBe(partial.length);
    expect(edges.runs).toBeLessThan(jobRuns / 10);

    // Steps: many more runs, the same shape of cost.
    const steps = query({ level: 'step', groupBy: 'cluster' });
    const stepCost = await statsCost(steps);
    expectDurationStats(stepCost.body, truth, steps);
    expect(stepCost).toMatchObject({ rollupItems: stepCost.body.groups.length, runs: 0 });
    const rawSteps = await runsCost('step', DAY);
    expect(stepCost.readUnits * 10).toBeLessThan(rawSteps.readUnits);
    expectFailureRateStats(await failureRateStats(store, steps), truth, steps);
  });

  it('costs the same when the window holds twice as many runs', async () => {
    // Hour buckets × fleets: enough items that a change in their size would show in the read units, and groups
    // that both halves have.
    const q = query({ groupBy: 'fleet', to: '2025-11-10T23:00:00Z' });
    const steps = query({ level: 'step', groupBy: 'fleet', to: '2025-11-10T23:00:00Z' });
    const before = await statsCost(q);
    const rawBefore = await runsCost('job', DAY);
    const stepsBefore = await statsCost(steps);
    const rawStepsBefore = await runsCost('step', DAY);

    await recordWorldDirectly(world, store, UNTIL, { include: (id) => !firstHalf.has(id) });
    const all = groundTruth(world, UNTIL);
    await expectStoreMatchesTruth(store, all, DAY);
    const after = await statsCost(q);
    const rawAfter = await runsCost('job', DAY);
    const stepsAfter = await statsCost(steps);
    const rawStepsAfter = await runsCost('step', DAY);
    expect(rawAfter.runs).toBeGreaterThan(1.8 * rawBefore.runs);
    expect(rawAfter.readUnits).toBeGreaterThan(1.5 * rawBefore.readUnits);
    expectDurationStats(after.body, all, q);

    expect(after.body.groups.map((g) => g.key)).toEqual(before.body.groups.map((g) => g.key));
    // At most one item per hour bucket and group, however many runs (a bucket may gain its first run).
    const HOURS = 23;
    expect(after.rollupItems).toBeLessThanOrEqual(HOURS * after.body.groups.length);
    expect(after.rollupItems).toBeLessThanOrEqual(before.rollupItems * 1.1);
    expect(after.runs).toBe(0);
    // Items grow a little as more sketch bins fill (bounded by the bin count), and DynamoDB counts reads in
    // 4 KB steps (0.5 RCU): allow one step or 30 %, while the runs' read cost doubles.
    const unchanged = (a: number, b: number) => expect(b, `${a} → ${b} RCU`).toBeLessThanOrEqual(Math.max(a * 1.3, a + 0.5));
    const line = `${before.body.groups.length} groups; job runs ${rawBefore.runs} → ${rawAfter.runs}, all runs ${all.length}; rollups ${before.readUnits} → ${after.readUnits} RCU; runs ${rawBefore.readUnits} → ${rawAfter.readUnits} RCU`;
    unchanged(before.readUnits, after.readUnits);
    expect(after.readUnits * 10, line).toBeLessThan(rawAfter.readUnits);
    console.info(line);

    // The same for steps, whose window holds about a thousand runs more after the second half.
    expect(rawStepsAfter.runs).toBeGreaterThan(1.8 * rawStepsBefore.runs);
    expect(rawStepsAfter.runs).toBeGreaterThan(800);
    expect(stepsAfter.rollupItems).toBeLessThanOrEqual(HOURS * stepsAfter.body.groups.length);
    expect(stepsAfter.rollupItems).toBeLessThanOrEqual(stepsBefore.rollupItems * 1.1);
    unchanged(stepsBefore.readUnits, stepsAfter.readUnits);
    expect(stepsAfter.readUnits * 10).toBeLessThan(rawStepsAfter.readUnits);
    expectDurationStats(stepsAfter.body, all, steps);
  });
});
