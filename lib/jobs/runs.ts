import * as z from 'zod';
import { definedOnly, isTerminal, JobRecord, JobSource, TerminalStatus, type JobStep } from './record';

/**
 * What a run is, and the two rules of DESIGN.md's history semantics that decide it: which attempt an
 * observation belongs to, and which terminal runs it shows for the first time. Pure functions: the DynamoDB
 * adapter and the in-memory test store both apply them, and only translate the outcome into writes.
 */

/** Statistics are kept for whole jobs and for their steps (sub-jobs, tasks). */
export const Level = z.enum(['job', 'step']);
export type Level = z.infer<typeof Level>;

/** One terminal run of a job or a step: what every statistic counts, exactly once. */
export const TerminalRun = z.object({
  level: Level,
  source: JobSource,
  jobId: z.string(),
  attempt: z.number().int(),
  stepId: z.string().optional(),
  /** The job type (level job) or the step type (level step). */
  type: z.string(),
  jobType: z.string(),
  status: TerminalStatus,
  rawStatus: z.string().optional(),
  fleetId: z.string().optional(),
  /** Level step: the task's cluster target. */
  clusterId: z.string().optional(),
  /** Level job: every cluster the job's tasks targeted. */
  clusterIds: z.array(z.string()).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  /** The time the run belongs to: `finishedAt`, else the first terminal observation (DESIGN.md). */
  belongsAt: z.string(),
});
export type TerminalRun = z.infer<typeof TerminalRun>;

/** A stored state of a job (its latest, or a revision): the record and what the rules keep beside it. */
export const StoredState = JobRecord.extend({
  /** The observed state's fingerprint (lib/jobs/fingerprint.ts): an equal one is the same state. */
  fingerprint: z.string(),
  revision: z.number().int().min(1),
  /** Whether the current attempt already reached a terminal status (a later non-terminal state is a retry). */
  attemptTerminal: z.boolean(),
});
export type StoredState = z.infer<typeof StoredState>;

/**
 * The attempt an observation belongs to. A job that reached a terminal status and is seen running or
 * pending again, or terminal again with another start or finish time, is a retry: attempt + 1. (Another finish
 * time alone tells a retry that ended between two polls from an answer that lacked the start time.)
 * `previous` is the stored state of the same attempt (absent for a new attempt): what the observation's runs
 * are compared with.
 */
export function nextAttempt(latest: StoredState | undefined, record: JobRecord): { attempt: number; previous?: StoredState } {
  // First seen: where the answer says it can start (a policy job seen first in a retry is past attempt 1).
  if (!latest) return { attempt: Math.max(1, record.attempt) };
  if (!latest.attemptTerminal) return { attempt: latest.attempt, previous: latest };
  const differs = (field: 'startedAt' | 'finishedAt') =>
    record[field] !== undefined && latest[field] !== undefined && record[field] !== latest[field];
  const rerun =
    record.status === 'running' || record.status === 'pending' || (isTerminal(record.status) && (differs('startedAt') || differs('finishedAt')));
  return rerun ? { attempt: latest.attempt + 1 } : { attempt: latest.attempt, previous: latest };
}

/** The run of a terminal job (`step` absent) or of one of its terminal steps, as this observation shows it. */
function runOf(record: JobRecord, step?: JobStep): TerminalRun {
  const base = { source: record.source, jobId: record.jobId, attempt: record.attempt, jobType: record.type, fleetId: record.fleetId };
  if (!step) {
    return definedOnly<TerminalRun>({
      ...base,
      level: 'job',
      type: record.type,
      status: record.status as TerminalStatus,
      rawStatus: record.rawStatus,
      clusterIds: record.clusterIds?.length ? record.clusterIds : undefined,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      durationMs: record.durationMs,
      belongsAt: record.finishedAt ?? record.observedAt,
    });
  }
  return definedOnly<TerminalRun>({
    ...base,
    level: 'step',
    stepId: step.stepId,
    type: step.type,
    status: step.status as TerminalStatus,
    rawStatus: step.rawStatus,
    clusterId: step.targetType === 'cluster' && step.target ? step.target : undefined,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    durationMs: step.durationMs,
    belongsAt: step.finishedAt ?? record.observedAt,
  });
}

/**
 * Terminal runs this observation shows that the previous state of the same attempt did not: the job itself
 * and each step, keyed (job, attempt, step). A run belongs to its `finishedAt`, else to this observation.
 */
export function newTerminalRuns(record: JobRecord, previous: Pick<JobRecord, 'status' | 'steps'> | undefined): TerminalRun[] {
  const runs: TerminalRun[] = [];
  if (isTerminal(record.status) && !(previous && isTerminal(previous.status))) runs.push(runOf(record));
  const before = new Map((previous?.steps ?? []).map((s) => [s.stepId, s.status]));
  for (const step of record.steps) {
    if (!isTerminal(step.status)) continue;
    const was = before.get(step.stepId);
    if (was !== undefined && isTerminal(was)) continue;
    runs.push(runOf(record, step));
  }
  return runs;
}

/**
 * Runs of the same attempt that the previous state showed terminal without a duration (UCS sometimes answers
 * a partial body: no `startTime`) and this observation shows with one: the stored run gains it, once. The
 * runs carry the new times and duration; where the run belongs stays as it was counted.
 */
export function durationRepairs(record: JobRecord, previous: Pick<JobRecord, 'status' | 'steps' | 'durationMs'> | undefined): TerminalRun[] {
  if (!previous) return [];
  const repairs: TerminalRun[] = [];
  const gained = (was: { status: JobRecord['status']; durationMs?: number }, now: { status: JobRecord['status']; durationMs?: number }) =>
    isTerminal(was.status) && isTerminal(now.status) && was.durationMs === undefined && now.durationMs !== undefined;
  if (gained(previous, record)) repairs.push(runOf(record));
  const before = new Map(previous.steps.map((s) => [s.stepId, s]));
  for (const step of record.steps) {
    const was = before.get(step.stepId);
    if (was && gained(was, step)) repairs.push(runOf(record, step));
  }
  return repairs;
}

/** What recording an observation should do, decided from the stored latest state alone. */
export type ObservationPlan =
  /** `stale`: older than the stored latest state (a slow concurrent collector); `unchanged`: same fingerprint. */
  | { outcome: 'stale' | 'unchanged'; attempt: number }
  | {
      outcome: 'changed';
      attempt: number;
      /** The record as it is stored: with its attempt. */
      stored: JobRecord;
      /** Terminal runs to count (each at most once: the store's run keys enforce it). */
      runs: TerminalRun[];
      /**
       * Counted runs that gain their missing duration (each at most once: the store's condition enforces it).
       * A run of `runs` the store refuses as counted before, and that has a duration, is one too (its earlier
       * terminal answer lacked the duration, and an answer with an unknown phase came in between).
       */
      repairs: TerminalRun[];
      /** The revision number the new state gets. */
      revision: number;
      attemptTerminal: boolean;
    };

/**
 * Plans the recording of `record` (whose fingerprint is `fp`) against the stored `latest` state: ignore it, or
 * store it as the next revision with its attempt, counting the terminal runs it shows for the first time.
 */
export function planObservation(latest: StoredState | undefined, record: JobRecord, fp: string): ObservationPlan {
  if (latest && record.observedAt < latest.observedAt) return { outcome: 'stale', attempt: latest.attempt };
  if (latest && latest.fingerprint === fp) return { outcome: 'unchanged', attempt: latest.attempt };
  const { attempt, previous } = nextAttempt(latest, record);
  const stored: JobRecord = { ...record, attempt };
  return {
    outcome: 'changed',
    attempt,
    stored,
    runs: newTerminalRuns(stored, previous),
    repairs: durationRepairs(stored, previous),
    revision: (latest?.revision ?? 0) + 1,
    attemptTerminal: (previous?.attemptTerminal ?? false) || isTerminal(stored.status),
  };
}
