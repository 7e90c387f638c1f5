import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectTargets } from '../../lib/collect/collector';
import { shardOf } from '../../lib/collect/shard';
import type { JobRecord } from '../../lib/jobs/record';
import { durationStats, failureRateStats } from '../../lib/stats/query';
import * as keys from '../../lib/store/keys';
import type { UcsApi } from '../../lib/ucs/api';
import { createWorld } from './support/harness';
import { crashingClient, tableSnapshot } from './support/store';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'ucs', name), 'utf8')) as Record<string, unknown>;

const worlds: { close(): Promise<void> }[] = [];
async function world(...args: Parameters<typeof createWorld>) {
  const w = await createWorld(...args);
  worlds.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

/** Every partition a comparison of two histories needs: jobs seen, plus the rollups. */
async function historyPartitions(w: Awaited<ReturnType<typeof createWorld>>): Promise<string[]> {
  const jobs = (await w.store.listJobs({}, 100)).items;
  const pks = jobs.map((j) => keys.jobPk(j.source, j.jobId));
  for (const level of ['job', 'step'] as const) {
    pks.push(keys.rollupPk(level, 'none', '*'), keys.rollupPk(level, 'type', '*'), keys.rollupPk(level, 'fleet', '*'));
  }
  pks.push(keys.rollupPk('step', 'cluster', '*'));
  return pks.sort();
}

const stripVolatile = (items: unknown[]) =>
  (items as Record<string, unknown>[]).filter((i) => i.kind !== 'target').map((i) => ({ ...i, lastPolledAt: undefined }));

describe('collectors against the UCS simulator and DynamoDB Local', () => {
  it('polls the seed examples into the expected revisions, runs and rollups, then a steady poll writes nothing', async () => {
    const w = await world({ fleets: 0, policyJobsPerHour: 0 });
    const policy = fixture('policy-job.seed.json');
    const federation = fixture('federation-progress.seed.json');
    w.sim.scenario.serveRecorded('fleet', 'fleet-seed', federation);
    w.sim.scenario.serveRecorded('policy-job', 'c7678551-1f7e-4699-9ea1-3baa2d32f552', policy);
    const now = w.clock.now().toISOString();
    await w.store.addTarget('fleet', 'fleet-seed', now, 'api');
    await w.store.addTarget('policy-job', 'c7678551-1f7e-4699-9ea1-3baa2d32f552', now, 'api');

    const fleetRun = await w.collect('fleet');
    const policyRun = await w.collect('policy-job');
    expect(fleetRun).toMatchObject({ polled: 1, changed: 1, newTerminalRuns: 5, failed: 0 });
    expect(policyRun).toMatchObject({ polled: 1, changed: 1, newTerminalRuns: 2, failed: 0 });

    const observedAt = '2025-11-10T00:00:00.000000Z';
    const expectedPolicy = { ...(fixture('policy-job.expected.json') as JobRecord), observedAt };
    const expectedFederation = { ...(fixture('federation-progress.expected.json') as JobRecord), observedAt };
    expect(await w.store.getJob('policy', expectedPolicy.jobId)).toEqual({ job: expectedPolicy, history: [expectedPolicy] });
    expect(await w.store.getJob('federation', expectedFederation.jobId)).toEqual({ job: expectedFederation, history: [expectedFederation] });

    const [policyDay] = await w.store.readRollups({ level: 'job', grouping: 'type', scope: '*', granularity: 'day', fromBucket: '2025-11-10', toBucket: '2025-11-11' });
    expect(policyDay?.aggregate.succeeded).toMatchObject({ runs: 1, minMs: 4984.451, maxMs: 4984.451 });
    const [fedSteps] = await w.store.readRollups({ level: 'step', grouping: 'fleet', scope: '*', granularity: 'hour', fromBucket: '2023-07-31T13', toBucket: '2023-07-31T14' });
    expect(fedSteps).toMatchObject({ key: 'fleet-seed' });
    expect(fedSteps?.aggregate.succeeded).toMatchObject({ runs: 4, sumMs: 63745.468 + 1348.715, maxMs: 63745.468, minMs: 0 });

    // The same answers a minute later: no store read beyond the due list, and no write at all.
    w.clock.advance(60_000);
    const before = { ...w.store.capacity };
    expect(await w.collect('fleet')).toMatchObject({ polled: 1, unchanged: 1, changed: 0 });
    expect(await w.collect('policy-job')).toMatchObject({ polled: 0 }); // terminal: re-checked in 5 min
    expect(w.store.capacity.writeRequests).toBe(before.writeRequests);
    expect(w.store.capacity.writeUnits).toBe(before.writeUnits);
  });

  it('gives five concurrent collectors the same history, runs and rollups as one sequential collector', async () => {
    const sequential = await world({ seed: 11, fleets: 3, policyJobsPerHour: 40 });
    const concurrent = await world({ seed: 11, fleets: 3, policyJobsPerHour: 40 });
    for (let step = 0; step < 24; step++) {
      await sequential.collectAll({ ignoreSchedule: true });
      await Promise.all(Array.from({ length: 5 }, () => concurrent.collectAll({ ignoreSchedule: true }, concurrent.otherStore())));
      sequential.clock.advance(30_000);
      concurrent.clock.advance(30_000);
    }
    const pks = await historyPartitions(sequential);
    expect(pks.length).toBeGreaterThan(8);
    const expected = stripVolatile(await tableSnapshot(sequential.doc, sequential.tableName, pks));
    expect(expected.filter((i: Record<string, unknown>) => i.kind === 'run').length).toBeGreaterThan(10);
    expect(stripVolatile(await tableSnapshot(concurrent.doc, concurrent.tableName, pks))).toEqual(expected);
  });

  it('converges to the fault-free history when 30 % of UCS answers are faults', async () => {
    const clean = await world({ seed: 5 });
    const faulty = await world({
      seed: 5,
      faults: { error500Rate: 0.1, throttleRate: 0.08, timeoutRate: 0.04, malformedRate: 0.08, seed: 3 },
      clientOverrides: { timeoutMs: 300, maxAttempts: 1 },
    });
    let failures = 0;
    for (let step = 0; step < 16; step++) {
      await clean.collectAll({ ignoreSchedule: true });
      // Run again at the same instant until every target answered once.
      for (let tries = 0; tries < 30; tries++) {
        const summaries = await faulty.collectAll({ ignoreSchedule: true, requestTimeoutMs: 300 });
        const failed = summaries.reduce((n, s) => n + s.failed, 0);
        failures += failed;
        if (failed === 0) break;
      }
      clean.clock.advance(45_000);
      faulty.clock.advance(45_000);
    }
    expect(failures).toBeGreaterThan(5);
    const pks = await historyPartitions(clean);
    expect(stripVolatile(await tableSnapshot(faulty.doc, faulty.tableName, pks))).toEqual(
      stripVolatile(await tableSnapshot(clean.doc, clean.tableName, pks)),
    );
  });

  it('converges to the fault-free figures when answers drift: partial bodies get their durations back, once', async () => {
    const clean = await world({ seed: 5, policyJobsPerHour: 120 });
    const faulty = await world({
      seed: 5,
      policyJobsPerHour: 120,
      faults: { error500Rate: 0.03, malformedRate: 0.03, driftRate: 0.3, seed: 4 },
      clientOverrides: { timeoutMs: 300, maxAttempts: 1 },
    });
    let repaired = 0;
    for (let step = 0; step < 20; step++) {
      await clean.collectAll({ ignoreSchedule: true });
      for (let tries = 0; tries < 30; tries++) {
        const summaries = await faulty.collectAll({ ignoreSchedule: true, requestTimeoutMs: 300 });
        repaired += summaries.reduce((n, s) => n + s.durationsRepaired, 0);
        if (summaries.every((s) => s.failed === 0)) break;
      }
      clean.clock.advance(45_000);
      faulty.clock.advance(45_000);
    }
    // Convergence: the last answer of every target without faults, as the next scheduled runs would bring.
    faulty.sim.setFaults({});
    await clean.collectAll({ ignoreSchedule: true });
    for (const s of await faulty.collectAll({ ignoreSchedule: true })) repaired += s.durationsRepaired;
    expect(repaired, 'drifted answers hid durations that later answers gave back').toBeGreaterThan(0);
    const window = { from: '2025-11-09T00:00:00.000000Z', to: '2025-11-11T00:00:00.000000Z' };
    for (const level of ['job', 'step'] as const) {
      for (const groupBy of ['none', 'type'] as const) {
        const q = { level, groupBy, ...window };
        expect(await durationStats(faulty.store, q), `${level} ${groupBy}`).toEqual(await durationStats(clean.store, q));
        expect(await failureRateStats(faulty.store, q), `${level} ${groupBy}`).toEqual(await failureRateStats(clean.store, q));
      }
    }
    const total = (await failureRateStats(clean.store, { level: 'step', groupBy: 'none', ...window })).groups[0]?.total ?? 0;
    expect(total).toBeGreaterThan(20);
  }, 240_000);

  it('loses nothing and counts nothing twice when the store dies half-way through a run', async () => {
    const reference = await world({ seed: 9, fleets: 2 });
    const crashed = await world({ seed: 9, fleets: 2 });
    reference.clock.advance(10 * 60_000);
    crashed.clock.advance(10 * 60_000);
    await reference.collectAll({ ignoreSchedule: true, concurrency: 1 });
    const dying = crashed.otherStore(crashingClient(crashed.doc, 4, 'after'));
    const summaries = await crashed.collectAll({ ignoreSchedule: true, concurrency: 1 }, dying);
    expect(summaries.reduce((n, s) => n + s.failed, 0)).toBeGreaterThan(0);
    await crashed.collectAll({ ignoreSchedule: true, concurrency: 1 });
    const pks = await historyPartitions(reference);
    const strip = (items: unknown[]) => stripVolatile(items).map((i) => ({ ...i, observedAt: undefined }));
    expect(strip(await tableSnapshot(crashed.doc, crashed.tableName, pks))).toEqual(
      strip(await tableSnapshot(reference.doc, reference.tableName, pks)),
    );
  });

  it('counts a retried policy job twice, re-checks it after it ends, and retires it after 24 h or on a 404', async () => {
    const w = await world({ fleets: 1, policyJobsPerHour: 0 });
    const retried = w.sim.scenario.addPolicyJob({ outcomes: ['failed', 'succeeded'], tasks: 2, taskDurationsSec: [20, 30], retryAfterSec: 120 });
    const doomed = w.sim.scenario.addPolicyJob({ tasks: 1, taskDurationsSec: [10] });
    await w.collectAll();
    for (let i = 0; i < 12; i++) {
      w.clock.advance(30_000);
      await w.collect('policy-job');
    }
    const history = (await w.store.getJob('policy', retried))?.history ?? [];
    expect(history.map((r) => r.attempt)).toContain(2);
    expect(history.at(-1)?.status).toBe('succeeded');
    const runs = await w.store.readRuns('job', '2025-11-10T00:00:00.000000Z', '2025-11-11T00:00:00.000000Z');
    expect(runs.filter((r) => r.jobId === retried).map((r) => [r.attempt, r.status])).toEqual([[1, 'failed'], [2, 'succeeded']]);
    const truth = w.sim.scenario.terminalRuns(w.clock.now()).filter((r) => r.jobId === retried && r.level === 'job');
    expect(runs.filter((r) => r.jobId === retried).map((r) => r.durationMs)).toEqual(truth.map((r) => r.durationMs));

    const target = await w.store.getTarget('policy-job', retried);
    expect(target?.terminalSince).toBeDefined();
    expect(Date.parse(target!.nextPollAt)).toBeGreaterThan(w.clock.now().getTime());

    w.sim.scenario.deleteJob(doomed);
    w.clock.advance(10 * 60_000);
    await w.collect('policy-job');
    expect(await w.store.getTarget('policy-job', doomed)).toMatchObject({ state: 'retired', retiredReason: expect.stringMatching(/404/) });

    let checks = 0;
    for (let hour = 0; hour < 26; hour++) {
      w.clock.advance(3_600_000);
      const s = await w.collect('policy-job');
      checks += s.polled;
    }
    expect(checks).toBeGreaterThan(3);
    expect(checks).toBeLessThan(26);
    expect(await w.store.getTarget('policy-job', retried)).toMatchObject({ state: 'retired', retiredReason: expect.stringMatching(/24 h/) });
    expect((await w.store.listTargets({ kind: 'policy-job', includeRetired: true })).map((t) => t.id).sort()).toEqual([doomed, retried].sort());
    expect(await w.store.dueTargets('policy-job', w.clock.now().toISOString())).toEqual([]);
  });

  it('stops starting polls when the remaining time cannot fit a request, and the next run finishes the rest', async () => {
    const w = await world({ fleets: 12, policyJobsPerHour: 0 });
    await w.collectAll({ ignoreSchedule: true });
    w.clock.advance(60_000);
    // The Lambda's remaining time, driven by what the run did rather than by the wall clock: ample until the
    // simulator has answered 5 polls of this run, then less than one request needs.
    const before = w.sim.stats().requests;
    const remainingTimeMs = () => (w.sim.stats().requests - before < 5 ? 60_000 : 100);
    const first = await w.collect('fleet', { requestTimeoutMs: 200, concurrency: 1, remainingTimeMs });
    expect(first.polled).toBe(5);
    expect(first.skippedForTime).toBe(7);
    const second = await w.collect('fleet', { requestTimeoutMs: 200 });
    expect(second.due).toBe(first.skippedForTime);
    expect(second.skippedForTime).toBe(0);
  });

  it('partitions the targets among shards with no overlap and no gap', async () => {
    const w = await world({ fleets: 17, policyJobsPerHour: 0 });
    await w.collectAll();
    const seen: string[] = [];
    const spy: UcsApi = {
      ...w.ucs,
      getFederationProgress: (id, o) => {
        seen.push(id);
        return w.ucs.getFederationProgress(id, o);
      },
      getPolicyJob: (id, o) => w.ucs.getPolicyJob(id, o),
      listFleetIds: (o) => w.ucs.listFleetIds(o),
      listPolicyJobIds: (o) => w.ucs.listPolicyJobIds(o),
    };
    const shards = 4;
    const perShard: string[][] = [];
    for (let shard = 0; shard < shards; shard++) {
      seen.length = 0;
      await collectTargets('fleet', { ...w.deps, ucs: spy }, { shard, shards, concurrency: 4, requestTimeoutMs: 2000, schedule: { maxBackoffSec: 60, terminalWatchSec: 86400, terminalFirstRecheckSec: 300, pollIntervalSec: 60 } });
      perShard.push([...seen]);
      for (const id of seen) expect(shardOf('fleet', id, shards)).toBe(shard);
    }
    const all = perShard.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...w.sim.scenario.fleetIds()].sort());
    expect(perShard.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
  });
});
