import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../lib/jobs/fingerprint';
import type { JobRecord, JobStep } from '../../../lib/jobs/record';
import { durationRepairs, newTerminalRuns, nextAttempt, planObservation, type StoredState } from '../../../lib/jobs/runs';

// The rules of DESIGN.md's history semantics, on hand-built states: which attempt an observation belongs to,
// which runs it finishes, and what recording it does. The oracle is the contract's wording, case by case.

const T = (minute: number) => `2025-11-10T07:${String(minute).padStart(2, '0')}:00.000000Z`;

const step = (stepId: string, status: JobStep['status'], extra: Partial<JobStep> = {}): JobStep => ({ stepId, type: 'InstallTask', status, ...extra });

const record = (overrides: Partial<JobRecord> = {}): JobRecord => ({
  source: 'policy',
  jobId: 'job-1',
  type: 'UpdateConstraint',
  status: 'running',
  fleetId: 'fleet-1',
  startedAt: T(0),
  attempt: 1,
  steps: [],
  observedAt: T(1),
  ...overrides,
});

const stored = (r: JobRecord, extra: Partial<StoredState> = {}): StoredState => ({
  ...r,
  fingerprint: fingerprint(r),
  revision: 1,
  attemptTerminal: r.status === 'succeeded' || r.status === 'failed' || r.status === 'timed_out',
  ...extra,
});

describe('nextAttempt', () => {
  it('starts a job never seen at attempt 1, or where its answer says (a policy job first seen in a retry: 2)', () => {
    expect(nextAttempt(undefined, record())).toEqual({ attempt: 1 });
    expect(nextAttempt(undefined, record({ attempt: 2 }))).toEqual({ attempt: 2 });
    // Once seen, the history decides: the answer's lower bound does not move a known attempt.
    expect(nextAttempt(stored(record({ attempt: 1 })), record({ attempt: 2 }))).toMatchObject({ attempt: 1 });
  });

  it('keeps the attempt, compared with the stored state, while the attempt has not ended', () => {
    const latest = stored(record({ attempt: 3 }));
    expect(nextAttempt(latest, record({ status: 'failed', finishedAt: T(5) }))).toEqual({ attempt: 3, previous: latest });
  });

  it.each(['running', 'pending'] as const)('counts a job seen %s after it ended as a retry: the next attempt, with nothing to compare', (status) => {
    const latest = stored(record({ status: 'failed', finishedAt: T(5), attempt: 2 }));
    expect(nextAttempt(latest, record({ status, startedAt: T(9) }))).toEqual({ attempt: 3 });
  });

  it('counts a job terminal again with another start time as a retry that ended between two polls', () => {
    const latest = stored(record({ status: 'failed', finishedAt: T(5) }));
    expect(nextAttempt(latest, record({ status: 'succeeded', startedAt: T(8), finishedAt: T(9) }))).toEqual({ attempt: 2 });
  });

  it('counts a job terminal again with another finish time as a retry, even when an answer lacked the start time', () => {
    const partial = stored(record({ status: 'failed', startedAt: undefined, finishedAt: T(5) }));
    expect(nextAttempt(partial, record({ status: 'succeeded', startedAt: T(8), finishedAt: T(9) }))).toEqual({ attempt: 2 });
    // The same finish with the start time back: the same run, complete now (a duration repair, not a retry).
    expect(nextAttempt(partial, record({ status: 'failed', startedAt: T(1), finishedAt: T(5) }))).toEqual({ attempt: 1, previous: partial });
  });

  it('keeps the attempt when an ended job changes but not its start time (a new reason, a late step)', () => {
    const latest = stored(record({ status: 'failed', finishedAt: T(5) }));
    expect(nextAttempt(latest, record({ status: 'failed', finishedAt: T(5), reason: 'quota' }))).toEqual({ attempt: 1, previous: latest });
    // Without a start time on either side there is nothing to tell a retry by.
    const unstarted = stored(record({ status: 'failed', startedAt: undefined }));
    expect(nextAttempt(unstarted, record({ status: 'failed', startedAt: T(7) }))).toEqual({ attempt: 1, previous: unstarted });
  });
});

describe('newTerminalRuns', () => {
  it('finishes the job run once: when the job turns terminal, not when it stays terminal', () => {
    const done = record({ status: 'succeeded', finishedAt: T(4), durationMs: 240_000, clusterIds: ['c1'] });
    expect(newTerminalRuns(done, record())).toEqual([
      {
        level: 'job',
        source: 'policy',
        jobId: 'job-1',
        attempt: 1,
        type: 'UpdateConstraint',
        jobType: 'UpdateConstraint',
        status: 'succeeded',
        fleetId: 'fleet-1',
        clusterIds: ['c1'],
        startedAt: T(0),
        finishedAt: T(4),
        durationMs: 240_000,
        belongsAt: T(4),
      },
    ]);
    expect(newTerminalRuns(done, done)).toEqual([]);
  });

  it('puts a run without finishedAt at the observation that first saw it terminal', () => {
    const [run] = newTerminalRuns(record({ status: 'timed_out', observedAt: T(30) }), undefined);
    expect(run).toMatchObject({ status: 'timed_out', belongsAt: T(30) });
    expect(run).not.toHaveProperty('finishedAt');
    expect(run).not.toHaveProperty('durationMs');
  });

  it('finishes each step once, at its own finish, with its cluster only when it targets one', () => {
    const before = record({ steps: [step('a', 'succeeded', { finishedAt: T(2) }), step('b', 'running'), step('c', 'pending')] });
    const now = record({
      observedAt: T(6),
      steps: [
        step('a', 'succeeded', { finishedAt: T(2) }),
        step('b', 'failed', { target: 'cluster-9', targetType: 'cluster', finishedAt: T(5) }),
        step('c', 'succeeded', { target: 'fleet-x', targetType: 'clustergroup' }),
        step('d', 'succeeded'),
      ],
    });
    const runs = newTerminalRuns(now, before);
    expect(runs.map((r) => [r.level, r.stepId, r.status, r.clusterId, r.belongsAt])).toEqual([
      ['step', 'b', 'failed', 'cluster-9', T(5)],
      ['step', 'c', 'succeeded', undefined, T(6)],
      ['step', 'd', 'succeeded', undefined, T(6)],
    ]);
    expect(runs.every((r) => r.jobType === 'UpdateConstraint' && r.type === 'InstallTask' && r.attempt === 1)).toBe(true);
  });

  it('counts every terminal step of a new attempt again (no previous state to compare with)', () => {
    const retried = record({ attempt: 2, status: 'succeeded', finishedAt: T(9), steps: [step('a', 'succeeded'), step('b', 'failed')] });
    expect(newTerminalRuns(retried, undefined).map((r) => [r.level, r.stepId ?? '', r.attempt])).toEqual([
      ['job', '', 2],
      ['step', 'a', 2],
      ['step', 'b', 2],
    ]);
  });
});

describe('durationRepairs', () => {
  const partial = record({ status: 'succeeded', startedAt: undefined, finishedAt: T(4), steps: [step('a', 'succeeded', { finishedAt: T(3) }), step('b', 'running')] });
  const complete = record({
    status: 'succeeded',
    finishedAt: T(4),
    durationMs: 240_000,
    observedAt: T(5),
    steps: [step('a', 'succeeded', { startedAt: T(1), finishedAt: T(3), durationMs: 120_000 }), step('b', 'succeeded', { startedAt: T(2), finishedAt: T(4), durationMs: 120_000 })],
  });

  it('gives the job and each step that ended without a duration the one a later observation shows', () => {
    expect(durationRepairs(complete, partial).map((r) => [r.level, r.stepId ?? '', r.durationMs, r.startedAt])).toEqual([
      ['job', '', 240_000, T(0)],
      ['step', 'a', 120_000, T(1)],
    ]);
    // Step b was running before: it is a new run (newTerminalRuns), not a repair.
    expect(newTerminalRuns(complete, partial).map((r) => r.stepId)).toEqual(['b']);
  });

  it('repairs nothing that had a duration, that is not terminal on both sides, or in a new attempt', () => {
    expect(durationRepairs(complete, complete)).toEqual([]);
    expect(durationRepairs(partial, complete)).toEqual([]);
    expect(durationRepairs(complete, record({ status: 'running', startedAt: undefined }))).toEqual([]);
    expect(durationRepairs(complete, undefined)).toEqual([]);
  });

  it('is planned with the revision, so a retry never repairs the attempt before it', () => {
    const latest = stored(partial);
    const plan = planObservation(latest, complete, fingerprint(complete));
    expect(plan).toMatchObject({ outcome: 'changed', attempt: 1, runs: [{ stepId: 'b' }] });
    expect(plan.outcome === 'changed' && plan.repairs.map((r) => r.stepId ?? 'job')).toEqual(['job', 'a']);
    const retry = record({ status: 'succeeded', startedAt: T(20), finishedAt: T(25), durationMs: 300_000, observedAt: T(26) });
    const later = planObservation(stored(complete), retry, fingerprint(retry));
    expect(later).toMatchObject({ attempt: 2, repairs: [] });
  });
});

describe('planObservation', () => {
  it('ignores an observation older than the stored state, and one with the stored fingerprint', () => {
    const latest = stored(record({ attempt: 2, observedAt: T(10) }));
    expect(planObservation(latest, record({ status: 'failed', observedAt: T(9) }), 'other')).toEqual({ outcome: 'stale', attempt: 2 });
    expect(planObservation(latest, record({ observedAt: T(11) }), latest.fingerprint)).toEqual({ outcome: 'unchanged', attempt: 2 });
  });

  it('stores a change as the next revision of its attempt; an ended attempt stays ended until a retry', () => {
    const failed = record({ status: 'failed', finishedAt: T(5), observedAt: T(6) });
    const plan = planObservation(stored(record(), { revision: 4 }), failed, fingerprint(failed));
    expect(plan).toMatchObject({ outcome: 'changed', attempt: 1, revision: 5, attemptTerminal: true, stored: { ...failed, attempt: 1 } });
    expect(plan.outcome === 'changed' && plan.runs.map((r) => r.level)).toEqual(['job']);

    // A reason added to the ended attempt: a revision, no new run, still ended.
    const explained = { ...failed, reason: 'quota', observedAt: T(7) };
    const again = planObservation(stored(failed, { revision: 5 }), explained, fingerprint(explained));
    expect(again).toMatchObject({ outcome: 'changed', attempt: 1, revision: 6, attemptTerminal: true, runs: [] });

    // The retry starts: attempt 2, not ended yet.
    const retry = record({ status: 'running', startedAt: T(20), observedAt: T(21) });
    expect(planObservation(stored(explained, { revision: 6 }), retry, fingerprint(retry))).toMatchObject({
      outcome: 'changed',
      attempt: 2,
      revision: 7,
      attemptTerminal: false,
      runs: [],
      stored: { attempt: 2 },
    });
  });

  it('over a retried job polled at every state, yields each run (job, attempt, step) exactly once', () => {
    const states: JobRecord[] = [
      record({ observedAt: T(1), steps: [step('a', 'running')] }),
      record({ observedAt: T(2), steps: [step('a', 'failed', { finishedAt: T(2) })] }),
      record({ status: 'failed', finishedAt: T(3), observedAt: T(3), steps: [step('a', 'failed', { finishedAt: T(2) })] }),
      record({ status: 'failed', finishedAt: T(3), observedAt: T(4), reason: 'late', steps: [step('a', 'failed', { finishedAt: T(2) })] }),
      record({ status: 'running', startedAt: T(10), observedAt: T(11), steps: [step('a', 'running')] }),
      record({ status: 'succeeded', startedAt: T(10), finishedAt: T(12), observedAt: T(13), steps: [step('a', 'succeeded', { finishedAt: T(12) })] }),
      record({ status: 'succeeded', startedAt: T(10), finishedAt: T(12), observedAt: T(14), steps: [step('a', 'succeeded', { finishedAt: T(12) })] }),
    ];
    let latest: StoredState | undefined;
    const counted: string[] = [];
    for (const state of states) {
      const fp = fingerprint(state);
      const plan = planObservation(latest, state, fp);
      if (plan.outcome !== 'changed') continue;
      counted.push(...plan.runs.map((r) => `${r.attempt}/${r.level}/${r.stepId ?? ''}/${r.status}`));
      latest = { ...plan.stored, fingerprint: fp, revision: plan.revision, attemptTerminal: plan.attemptTerminal };
    }
    expect(counted).toEqual(['1/step/a/failed', '1/job//failed', '2/job//succeeded', '2/step/a/succeeded']);
    expect(latest?.revision).toBe(6);
  });
});
