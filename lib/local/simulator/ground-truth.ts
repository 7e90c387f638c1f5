// The ground truth: every terminal run the collector should end up counting, read straight off the plans
// (never off rendered bodies), so tests compare the store against what really happened. See README.md,
// "Ground truth".
import { MS, type Fleet, type PolicyPlan, type PolicyTaskPlan, type TerminalOutcome } from './plan';
import { isoMicros } from './time-format';

/** One terminal run the collector should end up counting (job level or step level). */
export interface GroundTruthRun {
  level: 'job' | 'step';
  source: 'federation' | 'policy';
  jobId: string;
  attempt: number;
  /** Step `metadata.uid` (level `step` only). */
  stepId?: string;
  /** The job type (job level) or the step type (step level). */
  type: string;
  jobType: string;
  status: TerminalOutcome;
  fleetId?: string;
  /** The task's target cluster (policy steps only). */
  clusterId?: string;
  /** ISO 8601 UTC with microseconds. */
  startedAt: string;
  finishedAt: string;
  /** finishedAt − startedAt in ms, microsecond precision. */
  durationMs: number;
}

/** Federation raw phase → ground-truth outcome. */
function federationOutcome(phase: string): TerminalOutcome {
  return phase === 'Success' ? 'succeeded' : 'failed';
}

/** Policy raw status → ground-truth outcome. */
function policyOutcome(status: string): TerminalOutcome {
  return status === 'Succeeded' ? 'succeeded' : status === 'TimedOut' ? 'timed_out' : 'failed';
}

/** A run record with the duration derived from the µs times. */
function run(base: Omit<GroundTruthRun, 'startedAt' | 'finishedAt' | 'durationMs'>, startUs: number, endUs: number): GroundTruthRun {
  return { ...base, startedAt: isoMicros(startUs), finishedAt: isoMicros(endUs), durationMs: (endUs - startUs) / MS };
}

/** The last µs up to `tUs` at which a fleet or policy job could be observed: a deleted one's later events never were. */
export function observableUntil(thing: { deletedUs?: number }, tUs: number): number {
  return thing.deletedUs === undefined ? tUs : Math.min(tUs, thing.deletedUs - 1);
}

/**
 * Every terminal run finished by `tUs`: job runs (one per job and attempt) and step runs (one per job,
 * attempt and step that reached a terminal status in that attempt), sorted by finish time then ids. The
 * fleets' federation jobs must already be planned up to `observableUntil(fleet, tUs)`.
 */
export function terminalRunsOf(fleets: readonly Fleet[], policyJobs: readonly PolicyPlan[], tUs: number): GroundTruthRun[] {
  const runs: GroundTruthRun[] = [];
  for (const fleet of fleets) {
    if (fleet.createdUs > tUs) continue;
    const horizon = observableUntil(fleet, tUs);
    for (const job of fleet.jobs) {
      if (job.createdUs > horizon) break;
      const base = { source: 'federation' as const, jobId: job.uid, attempt: 1, jobType: job.type, fleetId: fleet.uid };
      for (const s of job.subJobs) {
        if (s.startUs === undefined || s.endUs === undefined || s.endUs > horizon || !s.status) continue;
        runs.push(run({ ...base, level: 'step', stepId: s.uid, type: s.type, status: federationOutcome(s.status) }, s.startUs, s.endUs));
      }
      if (job.endUs <= horizon) runs.push(run({ ...base, level: 'job', type: job.type, status: federationOutcome(job.phase) }, job.startUs, job.endUs));
    }
  }
  for (const job of policyJobs) {
    const horizon = observableUntil(job, tUs);
    if (job.createdUs > horizon) continue;
    job.attempts.forEach((a, i) => {
      if (a.opUs > horizon) return;
      const base = { source: 'policy' as const, jobId: job.uid, attempt: i + 1, jobType: job.type, fleetId: job.fleet.uid };
      a.tasks.forEach((x, k) => {
        if (x.startUs === undefined || x.endUs === undefined || x.endUs > horizon || !x.status) return;
        const task = job.tasks[k] as PolicyTaskPlan;
        runs.push(run({ ...base, level: 'step', stepId: task.uid, type: job.type, status: policyOutcome(x.status), clusterId: task.target }, x.startUs, x.endUs));
      });
      if (a.endUs <= horizon) runs.push(run({ ...base, level: 'job', type: job.type, status: policyOutcome(a.status) }, a.startUs, a.endUs));
    });
  }
  return runs.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.jobId.localeCompare(b.jobId) || (a.stepId ?? '').localeCompare(b.stepId ?? ''));
}
