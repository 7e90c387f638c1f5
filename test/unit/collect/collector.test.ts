import { describe, expect, it } from 'vitest';
import { collectTargets, type CollectOptions, type CollectorDeps } from '../../../lib/collect/collector';
import type { EventPublisher } from '../../../lib/events/publisher';
import type { ServiceEvent } from '../../../lib/jobs/events';
import { OverdueJudge } from '../../../lib/stats/overdue';
import { discoverTargets } from '../../../lib/collect/discover';
import { DEFAULT_SCHEDULE } from '../../../lib/collect/schedule';
import type { TargetKind } from '../../../lib/jobs/target';
import { Scenario } from '../../../lib/local/simulator';
import { driftBody } from '../../../lib/local/simulator/faults';
import { rngFor } from '../../../lib/local/simulator/prng';
import type { UcsApi } from '../../../lib/ucs/api';
import { NotFoundError } from '../../../lib/ucs/errors';
import { FederationJob, PolicyJob } from '../../../lib/ucs/schemas';
import { MemoryJobStore } from '../../support/memory-store';

// The collector over the in-memory store, which records observations with the same rules as the DynamoDB
// store (lib/jobs/runs.ts). UCS is the simulator's world called in-process (no HTTP): its ground truth is the
// independent count the collected runs must equal.

const START = new Date('2025-11-10T00:00:00.000Z');

function world(options: { fleets: number; policyJobsPerHour: number; missingStartRate?: number }) {
  let now = START;
  const { missingStartRate = 0, ...scenarioOptions } = options;
  const scenario = new Scenario({ seed: 11, start: START, now: () => now, ...scenarioOptions });
  const missing = (what: string) => new NotFoundError(`no ${what}`, { status: 404, errorCode: 'UCS.00000013' });
  // UCS sometimes answers a partial body: without `status.startTime` (the simulator's `missing-optional` drift).
  const draws = rngFor(3, 'missing-start');
  const partial = (body: Record<string, unknown>) => (draws.next() < missingStartRate ? driftBody(body, 'missing-optional') : body);
  const ucs: UcsApi = {
    getFederationProgress: (id) => {
      const body = scenario.federationJobAt(id, now);
      return body ? Promise.resolve(FederationJob.parse(partial(body))) : Promise.reject(missing(`fleet ${id}`));
    },
    getPolicyJob: (id) => {
      const body = scenario.policyJobAt(id, now);
      return body ? Promise.resolve(PolicyJob.parse(partial(body))) : Promise.reject(missing(`policy job ${id}`));
    },
    listFleetIds: () => Promise.resolve(scenario.fleetIds(now)),
    listPolicyJobIds: () => Promise.resolve(scenario.policyJobIds(now)),
  };
  const store = new MemoryJobStore();
  const published: ServiceEvent[] = [];
  let outage = false;
  const events: EventPublisher = {
    publish: (batch) => {
      if (outage) return Promise.reject(new Error('EventBridge unavailable'));
      published.push(...batch);
      return Promise.resolve({ failed: [] });
    },
  };
  const overdue = new OverdueJudge(() => store, { factor: 2, minRuns: 5 });
  const deps: CollectorDeps = { store, ucs, now: () => now, events, overdue };
  const options_: CollectOptions = { shard: 0, shards: 1, concurrency: 4, requestTimeoutMs: 1000, schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: 60 } };
  return {
    scenario,
    store,
    ucs,
    published,
    setOutage: (down: boolean) => (outage = down),
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    now: () => now,
    async pass() {
      await discoverTargets(deps);
      const summaries = [];
      for (const kind of ['fleet', 'policy-job'] as TargetKind[]) summaries.push(await collectTargets(kind, deps, options_));
      return summaries;
    },
  };
}

const runKey = (r: { level: string; source: string; jobId: string; attempt: number; stepId?: string; status: string }) =>
  `${r.level}|${r.source}|${r.jobId}|${r.attempt}|${r.stepId ?? ''}|${r.status}`;

describe('collectTargets on the in-memory store', () => {
  it('counts exactly the terminal runs of the simulated world, retries included, each once', async () => {
    const w = world({ fleets: 2, policyJobsPerHour: 12 });
    const retried = w.scenario.addPolicyJob({ outcomes: ['failed', 'succeeded'], tasks: 2, taskDurationsSec: [20, 40], retryAfterSec: 120 });
    let newRuns = 0;
    // Every minute for four hours, as the scheduled collectors would.
    for (let minute = 0; minute < 240; minute++) {
      for (const s of await w.pass()) newRuns += s.newTerminalRuns;
      w.advance(60_000);
    }
    const from = '2025-11-01T00:00:00.000000Z';
    const to = '2025-11-20T00:00:00.000000Z';
    const counted = [...(await w.store.readRuns('job', from, to)), ...(await w.store.readRuns('step', from, to))];
    // Every run is observable: a job is polled every minute while it runs, and each of the world's runs lasts longer.
    const truth = w.scenario.terminalRuns(w.now());
    const expected = new Set(truth.map(runKey));
    const got = counted.map(runKey);
    expect(new Set(got).size, 'no run counted twice').toBe(got.length);
    expect(got.filter((k) => !expected.has(k)), 'no run that did not happen').toEqual([]);
    expect([...expected].filter((k) => !got.includes(k)), 'no run missed').toEqual([]);
    expect(newRuns, 'the summaries report what was counted').toBe(counted.length);
    expect(counted.length, 'a world with something in it').toBeGreaterThan(100);
    expect(counted.filter((r) => r.attempt > 1).length, 'retries among them').toBeGreaterThan(1);

    const job = await w.store.getJob('policy', retried);
    expect(job?.job).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(counted.filter((r) => r.jobId === retried && r.level === 'job').map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
  });

  it('gives a run first seen without its start time its duration once a complete answer comes, exactly once', async () => {
    const w = world({ fleets: 2, policyJobsPerHour: 12, missingStartRate: 0.3 });
    let repaired = 0;
    for (let minute = 0; minute < 240; minute++) {
      for (const s of await w.pass()) repaired += s.durationsRepaired;
      w.advance(60_000);
    }
    const from = '2025-11-01T00:00:00.000000Z';
    const to = '2025-11-20T00:00:00.000000Z';
    const counted = [...(await w.store.readRuns('job', from, to)), ...(await w.store.readRuns('step', from, to))];
    const truth = new Map(w.scenario.terminalRuns(w.now()).map((r) => [runKey(r), r.durationMs]));
    expect(repaired, 'partial answers hid durations that later answers gave').toBeGreaterThan(5);
    const wrong = counted.filter((r) => r.durationMs !== truth.get(runKey(r))).map((r) => `${runKey(r)}: ${r.durationMs} vs ${truth.get(runKey(r))}`);
    // Only a run whose every answer was partial may still lack its duration; none may have a wrong one.
    expect(wrong.filter((line) => !line.includes(': undefined vs'))).toEqual([]);
    expect(wrong.length).toBeLessThan(counted.length / 20);
    expect(counted.length).toBe(truth.size);
  });

  it('writes nothing for a target whose state did not change, and retires a job UCS no longer knows', async () => {
    const w = world({ fleets: 1, policyJobsPerHour: 0 });
    const job = w.scenario.addPolicyJob({ tasks: 1, taskDurationsSec: [30] });
    await w.pass();
    w.advance(5 * 60_000);
    await w.pass();
    const before = (await w.store.getJob('policy', job))?.history.length;
    const [, steady] = await w.pass();
    expect(steady).toMatchObject({ polled: 0 });
    w.advance(10 * 60_000);
    const [, recheck] = await w.pass();
    expect(recheck).toMatchObject({ polled: 1, changed: 0, unchanged: 1 });
    expect((await w.store.getJob('policy', job))?.history.length).toBe(before);

    w.scenario.deleteJob(job);
    w.advance(60 * 60_000);
    const [, gone] = await w.pass();
    expect(gone).toMatchObject({ retired: 1 });
    expect(await w.store.getTarget('policy-job', job)).toMatchObject({ state: 'retired', retiredReason: expect.stringMatching(/404/) });
  });

  it('retires a stored target whose id is not a UCS id without calling UCS, and discovery never stores one', async () => {
    const w = world({ fleets: 1, policyJobsPerHour: 0 });
    const calls: string[] = [];
    const spy = { ...w.ucs };
    w.ucs.getFederationProgress = (id, o) => (calls.push(id), spy.getFederationProgress(id, o));
    w.ucs.getPolicyJob = (id, o) => (calls.push(id), spy.getPolicyJob(id, o));
    w.ucs.listPolicyJobIds = () => Promise.resolve(['..', 'fz-\ud800', 'a\u0000b']);
    // As a target stored before ids were checked: through the store, not the API.
    for (const id of ['..', 'fz-\ud800']) await w.store.addTarget('policy-job', id, w.now().toISOString(), 'api');
    const [fleets, jobs] = await w.pass();
    expect(jobs).toMatchObject({ due: 2, polled: 0, failed: 0, retired: 2 });
    expect(fleets).toMatchObject({ failed: 0 });
    expect(calls.filter((id) => id === '..' || id.startsWith('fz-'))).toEqual([]);
    const stored = await w.store.listTargets({ kind: 'policy-job', includeRetired: true });
    expect(stored.map((t) => [t.id, t.state, t.retiredReason])).toEqual([
      ['..', 'retired', expect.stringMatching(/^not a UCS id: it must be a UUID or a Kubernetes name/)],
      ['fz-\ud800', 'retired', expect.stringMatching(/^not a UCS id/)],
    ]);
    // The next pass polls nothing: the watch list is clean.
    w.advance(60_000);
    expect((await w.pass())[1]).toMatchObject({ due: 0, failed: 0 });
  });

  it('publishes one Job Run Finished per counted run, keeps events through an outage, and tells an overdue job once', async () => {
    const w = world({ fleets: 1, policyJobsPerHour: 0 });
    // A job UCS never moves past running (a stuck controller), past its declared 300 s and its task's.
    const slow = w.scenario.addPolicyJob({ tasks: 1, taskDurationsSec: [200], waitTimeOutSec: 300 });
    const stuckAt = new Date(w.now().getTime() + 30_000);
    const real = w.ucs.getPolicyJob.bind(w.ucs);
    w.ucs.getPolicyJob = (id, o) => (id === slow ? Promise.resolve(PolicyJob.parse(w.scenario.policyJobAt(id, stuckAt))) : real(id, o));
    const quick = w.scenario.addPolicyJob({ tasks: 2, taskDurationsSec: [20, 30] });
    w.setOutage(true);
    let pendingDuringOutage = 0;
    for (let minute = 0; minute < 4; minute++) {
      for (const s of await w.pass()) pendingDuringOutage = Math.max(pendingDuringOutage, s.eventsPending);
      w.advance(60_000);
    }
    expect(w.published).toEqual([]);
    expect(pendingDuringOutage, 'the summary shows what waits').toBeGreaterThan(0);
    w.setOutage(false);
    for (let minute = 0; minute < 20; minute++) {
      await w.pass();
      w.advance(60_000);
    }
    const runsFinished = w.published.filter((e) => e.detailType === 'Job Run Finished');
    const counted = [...(await w.store.readRuns('job', '2025-11-01T00:00:00.000000Z', '2025-11-20T00:00:00.000000Z')), ...(await w.store.readRuns('step', '2025-11-01T00:00:00.000000Z', '2025-11-20T00:00:00.000000Z'))];
    expect(new Set(runsFinished.map((e) => e.detail.id)).size).toBe(counted.length);
    expect(runsFinished.filter((e) => e.detail.jobId === quick && e.detail.level === 'job')).toHaveLength(1);
    expect(w.store.outbox.size, 'nothing left behind').toBe(0);
    const told = w.published.filter((e) => e.detailType === 'Job Overdue' && e.detail.jobId === slow);
    // The job (declared 300 s) and its task (its waitTimeOut, 300 s too): once each, however many polls saw them late.
    expect(told.map((e) => e.detail.level).sort()).toEqual(['job', 'step']);
    const job = told.find((e) => e.detail.level === 'job')!.detail;
    expect(job).toMatchObject({ limitSec: 300, basis: 'declared', source: 'policy', jobId: slow, attempt: 1 });
    expect(job.runningSec as number).toBeGreaterThan(300);
    // The task runs on a cluster: the readable `where` of the alarm message names it.
    const step = told.find((e) => e.detail.level === 'step')!.detail;
    expect(step.where).toBe(`cluster ${String(step.clusterId)}`);
    const fleetId = job.fleetId as string | undefined;
    expect(job.where).toBe(fleetId === undefined ? 'no known fleet or cluster' : `fleet ${fleetId}`);
  });
});
