import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AcceleratedClock, ManualClock, Scenario, goTimeString, rfc3339Cst, isoMicros, type GroundTruthRun } from '../../lib/local/simulator';
import { FederationJob, PolicyJob, parseUcsResponse } from '../../lib/ucs/schemas';

const START = new Date('2025-11-10T00:00:00.000Z');
const HOUR = 3_600_000;

function scenario(seed: number, now: Date = START): Scenario {
  return new Scenario({ seed, fleets: 4, policyJobsPerHour: 12, start: START, now: () => now });
}

/** Epoch µs of a Go `time.String()` UTC time (test-side parser, independent of the simulator's formatter). */
function goUs(s: string | undefined): number {
  const m = s === undefined ? null : /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))? \+0000 UTC$/.exec(s);
  if (!m) throw new Error(`not a Go UTC time: ${s}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000 + Number((m[3] ?? '').padEnd(6, '0').slice(0, 6));
}

/** Epoch µs of an RFC 3339 time with a numeric offset. */
function rfcUs(s: string | undefined): number {
  const m = s === undefined ? null : /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([+-]\d{2}:\d{2}|Z)$/.exec(s);
  if (!m) throw new Error(`not RFC 3339: ${s}`);
  return Date.parse(`${m[1]}${m[3]}`) * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** Epoch µs of the ground truth's ISO form. */
function isoUs(s: string): number {
  return rfcUs(s);
}

// The exact shapes the simulator promises (seed pages, quirks included); every body is also checked
// against the client's lenient schemas, so the tests prove the simulator speaks what the client reads.
const Meta = z.object({ uid: z.string(), name: z.string().optional(), creationTimestamp: z.string(), updateTimestamp: z.string() });
const FedStatus = z.object({ phase: z.string(), reason: z.string().optional(), startTime: z.string(), completionTime: z.string() });
const SimFederationJob = z.object({
  kind: z.literal('Job'),
  apiVersion: z.literal('v3'),
  metadata: Meta,
  spec: z.object({
    type: z.string(),
    federationUID: z.string(),
    subJobs: z.array(z.object({ kind: z.literal('Job'), apiVersion: z.literal('v3'), metadata: Meta, spec: z.object({ type: z.string(), federationUID: z.string() }), status: FedStatus })),
  }),
  status: FedStatus,
});
const PolStatus = z.object({ status: z.string(), reason: z.string().optional(), startTime: z.string().optional(), finishTime: z.string().optional() });
const SimPolicyJob = z.object({
  kind: z.literal('job'),
  apiVersion: z.literal('job.workflow.io/v1alpha1'),
  metadata: Meta.extend({ name: z.string() }),
  spec: z.object({
    taskList: z.array(
      z.object({
        kind: z.literal('task'),
        metadata: Meta,
        spec: z.object({ jobID: z.string(), target: z.string(), targetType: z.literal('cluster'), type: z.string(), runway: z.enum(['parallel', 'serial']), waitTimeOut: z.number() }),
        status: PolStatus,
      }),
    ),
    operation: z.enum(['create', 'retry']),
    waitTimeOut: z.number(),
    type: z.string(),
    relatedObjects: z.object({ clusterGroupID: z.string() }),
  }),
  status: PolStatus,
});
const asFed = (b: unknown): z.infer<typeof SimFederationJob> => {
  parseUcsResponse(FederationJob, b, 'progress');
  return SimFederationJob.parse(b);
};
const asPol = (b: unknown): z.infer<typeof SimPolicyJob> => {
  parseUcsResponse(PolicyJob, b, 'policy job');
  return SimPolicyJob.parse(b);
};
const ClusterGroupItem = z.object({ metadata: z.object({ uid: z.string() }), spec: z.object({ clusterIds: z.array(z.string()) }) });
const asGroup = (b: unknown): z.infer<typeof ClusterGroupItem> => ClusterGroupItem.parse(b);

const canonical: Record<string, string> = { Success: 'succeeded', Succeeded: 'succeeded', Failed: 'failed', TimedOut: 'timed_out' };

describe('time formats', () => {
  it('renders the seed pages’ own values identically', () => {
    for (const s of ['2023-07-31 13:16:22.100528 +0000 UTC', '2025-11-10 07:24:03.529155 +0000 UTC']) expect(goTimeString(goUs(s))).toBe(s);
    expect(rfc3339Cst(rfcUs('2025-11-10T15:24:03.553733+08:00'))).toBe('2025-11-10T15:24:03.553733+08:00');
    expect(rfc3339Cst(rfcUs('2025-11-10T07:24:03.553733Z'))).toBe('2025-11-10T15:24:03.553733+08:00');
  });

  it('trims trailing zeros like Go and keeps six digits in the ground-truth form', () => {
    const us = Date.parse('2025-11-10T07:24:03Z') * 1000 + 100_000;
    expect(goTimeString(us)).toBe('2025-11-10 07:24:03.1 +0000 UTC');
    expect(goTimeString(us - 100_000)).toBe('2025-11-10 07:24:03 +0000 UTC');
    expect(isoMicros(us)).toBe('2025-11-10T07:24:03.100000Z');
    expect(goUs(goTimeString(us + 7))).toBe(us + 7);
  });
});

describe('Scenario determinism', () => {
  it('answers identically for the same seed and time, whatever was asked before', () => {
    const a = scenario(11);
    const b = scenario(11);
    const late = new Date(START.getTime() + 9 * HOUR);
    // a is asked about a late time first (lazy generation far ahead), b only about the times compared.
    a.terminalRuns(late);
    for (const t of [START, new Date(START.getTime() + 1.5 * HOUR), new Date(START.getTime() + 6 * HOUR)]) {
      expect(a.fleetIds(t)).toEqual(b.fleetIds(t));
      for (const f of b.fleetIds(t)) expect(a.federationJobAt(f, t)).toEqual(b.federationJobAt(f, t));
      expect(a.policyJobIds(t)).toEqual(b.policyJobIds(t));
      for (const id of b.policyJobIds(t)) expect(a.policyJobAt(id, t)).toEqual(b.policyJobAt(id, t));
    }
    expect(a.terminalRuns(late)).toEqual(b.terminalRuns(late));
  });

  it('differs between seeds', () => {
    expect(scenario(1).fleetIds(START)).not.toEqual(scenario(2).fleetIds(START));
  });
});

describe('Scenario ground truth', () => {
  const sc = scenario(7);
  const until = new Date(START.getTime() + 24 * HOUR);
  const runs = sc.terminalRuns(until);

  it('covers every source, level and terminal status, with retries', () => {
    const kinds = new Set(runs.map((r) => `${r.source}/${r.level}/${r.status}`));
    for (const k of ['federation/job/succeeded', 'federation/job/failed', 'federation/step/failed', 'policy/job/succeeded', 'policy/job/failed', 'policy/job/timed_out', 'policy/step/timed_out']) {
      expect(kinds).toContain(k);
    }
    expect(runs.some((r) => r.source === 'policy' && r.level === 'job' && r.attempt === 2)).toBe(true);
  });

  it('each run is what the endpoint shows at finishedAt, and durationMs is finish − start of the rendered strings', () => {
    for (const r of runs) {
      const at = new Date(r.finishedAt);
      const before = new Date(isoUs(r.finishedAt) / 1000 - 1);
      if (r.source === 'federation') {
        const body = asFed(sc.federationJobAt(r.fleetId!, at));
        expect(body.metadata.uid).toBe(r.jobId);
        expect(body.spec.type).toBe(r.jobType);
        const obj = r.level === 'job' ? body : body.spec.subJobs.find((s) => s.metadata.uid === r.stepId)!;
        expect(canonical[obj.status.phase]).toBe(r.status);
        expect(isoMicros(goUs(obj.status.startTime))).toBe(r.startedAt);
        expect(isoMicros(goUs(obj.status.completionTime))).toBe(r.finishedAt);
        expect(r.durationMs).toBeCloseTo((goUs(obj.status.completionTime) - goUs(obj.status.startTime)) / 1000, 6);
        const prev = asFed(sc.federationJobAt(r.fleetId!, before));
        const prevObj = r.level === 'job' ? prev : prev.spec.subJobs.find((s) => s.metadata.uid === r.stepId)!;
        if (prev.metadata.uid === r.jobId && r.durationMs >= 1) expect(canonical[prevObj.status.phase]).toBeUndefined();
      } else {
        const body = asPol(sc.policyJobAt(r.jobId, at));
        expect(body.spec.operation).toBe(r.attempt === 1 ? 'create' : 'retry');
        expect(body.spec.relatedObjects.clusterGroupID).toBe(r.fleetId);
        const task = body.spec.taskList.find((t) => t.metadata.uid === r.stepId);
        if (r.level === 'step') expect(task!.spec.target).toBe(r.clusterId);
        const obj = r.level === 'job' ? body : task!;
        expect(canonical[obj.status.status]).toBe(r.status);
        expect(isoMicros(rfcUs(obj.status.startTime))).toBe(r.startedAt);
        expect(isoMicros(rfcUs(obj.status.finishTime))).toBe(r.finishedAt);
        expect(r.durationMs).toBeCloseTo((rfcUs(obj.status.finishTime) - rfcUs(obj.status.startTime)) / 1000, 6);
        const prev = asPol(sc.policyJobAt(r.jobId, before));
        const prevObj = r.level === 'job' ? prev : prev.spec.taskList.find((t) => t.metadata.uid === r.stepId)!;
        if (r.durationMs >= 1) expect(prevObj.status.finishTime).toBeUndefined();
      }
      expect(r.durationMs).toBe((isoUs(r.finishedAt) - isoUs(r.startedAt)) / 1000);
    }
  });

  it('misses nothing: every job terminal at `until` has its run', () => {
    const key = (r: Pick<GroundTruthRun, 'jobId' | 'finishedAt'>): string => `${r.jobId}@${r.finishedAt}`;
    const jobRuns = new Set(runs.filter((r) => r.level === 'job').map(key));
    for (const id of sc.policyJobIds(until)) {
      const body = asPol(sc.policyJobAt(id, until));
      if (body.status.finishTime) expect(jobRuns).toContain(key({ jobId: id, finishedAt: isoMicros(rfcUs(body.status.finishTime)) }));
    }
    for (const f of sc.fleetIds(until)) {
      const body = asFed(sc.federationJobAt(f, until));
      if (body.status.phase !== 'Running' && body.status.phase !== 'Pending') {
        expect(jobRuns).toContain(key({ jobId: body.metadata.uid, finishedAt: isoMicros(goUs(body.status.completionTime)) }));
      }
    }
  });

  it('counts each (job, attempt, step) once and durations vary from sub-second to minutes', () => {
    const ids = runs.map((r) => `${r.level}/${r.jobId}/${r.attempt}/${r.stepId ?? ''}`);
    expect(new Set(ids).size).toBe(ids.length);
    const steps = runs.filter((r) => r.source === 'policy' && r.level === 'step' && r.status === 'succeeded').map((r) => r.durationMs);
    expect(Math.min(...steps)).toBeLessThan(2000);
    expect(Math.max(...steps)).toBeGreaterThan(30_000);
  });

  it('serves bodies that validate against the client schemas', () => {
    const t = new Date(START.getTime() + 5 * HOUR);
    for (const f of sc.fleetIds(t)) parseUcsResponse(FederationJob, sc.federationJobAt(f, t), 'progress');
    for (const id of sc.policyJobIds(t)) parseUcsResponse(PolicyJob, sc.policyJobAt(id, t), 'policy job');
  });
});

describe('Scenario timeouts, retries and runways', () => {
  it('times a job out waitTimeOut seconds after its start', () => {
    const now = new Date(START.getTime() + HOUR);
    const sc = scenario(3, now);
    const id = sc.addPolicyJob({ outcomes: ['timed_out'], waitTimeOutSec: 300, runway: 'parallel', tasks: 2 });
    const started = rfcUs(asPol(sc.policyJobAt(id, new Date(now.getTime() + 1000))).status.startTime);
    const justBefore = new Date(started / 1000 + 300_000 - 1);
    expect(asPol(sc.policyJobAt(id, justBefore)).status.status).toBe('Running');
    const [run] = sc.terminalRuns(new Date(now.getTime() + 2 * HOUR)).filter((r) => r.jobId === id && r.level === 'job');
    expect(run?.status).toBe('timed_out');
    expect(run!.durationMs).toBeGreaterThanOrEqual(300_000);
    expect(run!.durationMs).toBeLessThan(301_000);
    const body = asPol(sc.policyJobAt(id, new Date(run!.finishedAt)));
    expect(body.status.status).toBe('TimedOut');
    expect(body.spec.taskList.some((t) => t.status.status === 'TimedOut')).toBe(true);
  });

  it('generated timed-out jobs all last at least their waitTimeOut', () => {
    const sc = scenario(5);
    const until = new Date(START.getTime() + 48 * HOUR);
    const timedOut = sc.terminalRuns(until).filter((r) => r.level === 'job' && r.status === 'timed_out');
    expect(timedOut.length).toBeGreaterThan(0);
    for (const r of timedOut) expect(r.durationMs).toBeGreaterThanOrEqual(sc.policyJobInfo(r.jobId)!.waitTimeOutSec * 1000);
  });

  it('a retry keeps the job uid, goes back to Running and produces attempt 2 with its steps counted again', () => {
    const now = new Date(START.getTime() + HOUR);
    const sc = scenario(3, now);
    const id = sc.addPolicyJob({ outcomes: ['failed', 'succeeded'], retryAfterSec: 60, tasks: 3, runway: 'parallel' });
    const runs = sc.terminalRuns(new Date(now.getTime() + 2 * HOUR)).filter((r) => r.jobId === id);
    const jobs = runs.filter((r) => r.level === 'job');
    expect(jobs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    const steps1 = runs.filter((r) => r.level === 'step' && r.attempt === 1).map((r) => r.stepId).sort();
    const steps2 = runs.filter((r) => r.level === 'step' && r.attempt === 2).map((r) => r.stepId).sort();
    expect(steps1).toHaveLength(3);
    expect(steps2).toEqual(steps1);
    const failedAt = new Date(jobs[0]!.finishedAt);
    const afterRetry = asPol(sc.policyJobAt(id, new Date(failedAt.getTime() + 60_000)));
    expect(afterRetry.metadata.uid).toBe(id);
    expect(afterRetry.spec.operation).toBe('retry');
    expect(afterRetry.status.status).toBe('Running');
    expect(afterRetry.status.finishTime).toBeUndefined();
    expect(isoUs(jobs[1]!.startedAt)).toBeGreaterThan(isoUs(jobs[0]!.finishedAt));
  });

  it('serial tasks run one after another and stop at the first failure', () => {
    const now = new Date(START.getTime() + HOUR);
    const sc = scenario(4, now);
    const fleetId = sc.fleetIds(now).find((f) => asGroup(sc.clusterGroupsAt(now).find((g) => asGroup(g).metadata.uid === f)).spec.clusterIds.length >= 3)!;
    const ok = sc.addPolicyJob({ outcomes: ['succeeded'], runway: 'serial', tasks: 3, fleetId });
    const tasks = asPol(sc.policyJobAt(ok, new Date(now.getTime() + HOUR))).spec.taskList;
    for (let i = 1; i < tasks.length; i++) expect(rfcUs(tasks[i]!.status.startTime)).toBeGreaterThanOrEqual(rfcUs(tasks[i - 1]!.status.finishTime));
    const bad = sc.addPolicyJob({ outcomes: ['failed'], runway: 'serial', tasks: 3, fleetId });
    const body = asPol(sc.policyJobAt(bad, new Date(now.getTime() + HOUR)));
    const statuses: string[] = body.spec.taskList.map((t) => t.status.status);
    const failedAt = statuses.indexOf('Failed');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    for (const t of body.spec.taskList.slice(failedAt + 1)) expect(t.status).toEqual({ status: 'Pending' });
  });

  it('deleteJob makes a job 404 from now on; addFleet adds a fleet with a federation job', () => {
    let now = new Date(START.getTime() + 3 * HOUR);
    const sc = new Scenario({ seed: 9, fleets: 2, policyJobsPerHour: 12, start: START, now: () => now });
    const [id] = sc.policyJobIds(now);
    expect(sc.deleteJob(id!)).toBe(true);
    expect(sc.policyJobAt(id!, now)).toBeUndefined();
    expect(sc.policyJobIds(now)).not.toContain(id);
    expect(sc.policyJobAt(id!, new Date(now.getTime() - 1))).toBeDefined();
    const fleet = sc.addFleet();
    expect(sc.fleetIds(now)).toContain(fleet);
    now = new Date(now.getTime() + 1000);
    expect(asFed(sc.federationJobAt(fleet, now)).spec.type).toBe('CreateFederation');
    expect(sc.deleteJob(fleet)).toBe(true);
    expect(sc.federationJobAt(fleet, now)).toBeUndefined();
  });
});

describe('clocks', () => {
  it('ManualClock moves only when told; AcceleratedClock runs factor× real time', async () => {
    const manual = new ManualClock(START);
    manual.advance(1500);
    expect(manual.now().getTime() - START.getTime()).toBe(1500);
    manual.set(new Date(START.getTime() - 10));
    expect(manual.now().getTime()).toBe(START.getTime() - 10);
    const before = performance.now();
    const fast = new AcceleratedClock(START, 600);
    await new Promise((r) => setTimeout(r, 50));
    const elapsed = fast.now().getTime() - START.getTime();
    const real = performance.now() - before;
    // 600× the real time that passed, measured around it: a ratio, whatever the machine's load.
    expect(elapsed).toBeGreaterThanOrEqual(50 * 600 * 0.9);
    expect(elapsed).toBeLessThanOrEqual(real * 600 + 1);
    expect(() => new AcceleratedClock(START, 0)).toThrow(RangeError);
  });
});
