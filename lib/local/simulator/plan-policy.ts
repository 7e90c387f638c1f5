// Policy jobs planned from the seed: every attempt of a job, its tasks' times and outcomes are drawn up
// front from the job's own PRNG stream, in a fixed order (changing that order changes every later job).
import { rngFor, type Rng } from './prng';
import {
  MAX_ATTEMPTS,
  MS,
  POLICY_TYPES,
  S,
  WAIT_TIMEOUTS_SEC,
  secToUs,
  tick,
  type Fleet,
  type PolicyAttemptPlan,
  type PolicyJobSpec,
  type PolicyPlan,
  type StepTimes,
  type TerminalOutcome,
  type Incident,
} from './plan';

/** Plans the tasks of one attempt requested at `opUs` and ending with `outcome`; returns the attempt. */
export function planAttempt(
  rng: Rng,
  job: Pick<PolicyPlan, 'runway' | 'waitTimeOutSec' | 'tasks' | 'type'>,
  opUs: number,
  outcome: TerminalOutcome,
  durationsSec?: number[],
  incident?: { task: number; slowdown: number; fails: boolean },
): PolicyAttemptPlan {
  const n = job.tasks.length;
  const startUs = opUs + tick(rng, 15);
  const deadlineUs = startUs + job.waitTimeOutSec * S;
  // Normal tasks fit comfortably inside waitTimeOut; a timed-out attempt has one straggler that does not.
  const capUs = Math.floor((job.waitTimeOutSec * S * 0.8) / (job.runway === 'serial' ? n : 1));
  const durations = job.tasks.map((_, i) =>
    durationsSec && durationsSec.length > 0
      ? secToUs(durationsSec[i % durationsSec.length] ?? 1)
      : Math.min(capUs, secToUs(rng.logNormal(4, 1.0), 200 * MS)),
  );
  // The incident's task is slower, and is the one that fails (the draw still happens: later draws stay the same).
  if (incident) durations[incident.task] = Math.round((durations[incident.task] ?? 0) * incident.slowdown);
  const drawn = outcome === 'succeeded' ? -1 : rng.int(0, n - 1);
  const culprit = incident?.fails ? incident.task : drawn;
  if (outcome === 'timed_out' && !(durationsSec && durationsSec.length > 0)) {
    durations[culprit] = secToUs(job.waitTimeOutSec * (1.1 + rng.next()));
  }
  const tasks: StepTimes[] = job.tasks.map(() => ({}));
  let cursor = startUs + tick(rng, 15);
  let endUs = startUs;
  for (let i = 0; i < n; i++) {
    const task = tasks[i] as StepTimes;
    const dur = durations[i] as number;
    task.startUs = job.runway === 'serial' ? cursor : startUs + tick(rng, 50);
    if (outcome === 'timed_out' && task.startUs >= deadlineUs) {
      task.startUs = undefined; // never started before the job timed out
      continue;
    }
    const plannedEnd = task.startUs + dur;
    if (outcome === 'timed_out' && plannedEnd >= deadlineUs) {
      task.endUs = undefined; // finished by the timeout below
    } else {
      task.endUs = plannedEnd;
      task.status = i === culprit && outcome === 'failed' ? 'Failed' : 'Succeeded';
      if (task.status === 'Failed') task.reason = `apply ${job.type} on cluster failed: ${rng.pick(['admission webhook denied the request', 'cluster unreachable', 'invalid constraint parameters'])}`;
      endUs = Math.max(endUs, task.endUs);
    }
    cursor = (task.endUs ?? deadlineUs) + tick(rng, 10);
    if (job.runway === 'serial' && task.status === 'Failed') {
      // A serial job stops at its first failed task: the rest stay Pending.
      for (let j = i + 1; j < n; j++) tasks[j] = {};
      break;
    }
  }
  if (outcome === 'timed_out') {
    const timeoutUs = deadlineUs + tick(rng, 500);
    for (const task of tasks) {
      if (task.startUs !== undefined && task.endUs === undefined) {
        task.endUs = timeoutUs;
        task.status = 'TimedOut';
        task.reason = `task timed out after ${job.waitTimeOutSec}s`;
      }
    }
    return { opUs, startUs, endUs: timeoutUs, status: 'TimedOut', reason: `job timed out after ${job.waitTimeOutSec}s`, tasks };
  }
  // The controller notices the last task a couple of seconds later (the seed page shows ~4 s).
  const jobEnd = Math.min(endUs + secToUs(rng.logNormal(2, 0.5), 5 * MS), deadlineUs - 1);
  return {
    opUs,
    startUs,
    endUs: jobEnd,
    status: outcome === 'failed' ? 'Failed' : 'Succeeded',
    reason: outcome === 'failed' ? 'some tasks failed' : undefined,
    tasks,
  };
}

/**
 * Builds a policy job plan (generated or added) from `rng`, the job's own stream. The job joins
 * `spec.fleetId`, else a fleet drawn from `fleets`, else (no fleet at all) one made by `createFleet`.
 */
export function planPolicyJob(
  seed: number,
  rng: Rng,
  createdUs: number,
  spec: PolicyJobSpec,
  fleets: readonly Fleet[],
  createFleet: (createdUs: number) => Fleet,
  incidents: readonly Incident[] = [],
): PolicyPlan {
  const fleet = (spec.fleetId ? fleets.find((f) => f.uid === spec.fleetId) : undefined) ?? fleets[rng.int(0, fleets.length - 1)] ?? createFleet(createdUs);
  const type = spec.type ?? rng.pick(POLICY_TYPES).type;
  const uid = rng.uuid();
  const nTasks = Math.max(1, Math.min(spec.tasks ?? rng.int(1, fleet.clusterIds.length), fleet.clusterIds.length));
  const targets = fleet.clusterIds.slice(0, nTasks);
  const tasks = targets.map((target) => ({ uid: rng.uuid(), name: target, target, createdUs: createdUs + tick(rng, 10) }));
  const job = {
    uid,
    name: `${type}_${uid.slice(0, 8)}`,
    type,
    fleet,
    runway: spec.runway ?? (rng.next() < 0.7 ? 'parallel' : 'serial'),
    waitTimeOutSec: spec.waitTimeOutSec ?? rng.weighted(WAIT_TIMEOUTS_SEC, [15, 20, 15, 20, 30]),
    createdUs,
    domainId: rngFor(seed, 'domain').hex(32),
    extendParam: { constraintID: rng.uuid() },
    tasks,
    attempts: [] as PolicyAttemptPlan[],
  } satisfies PolicyPlan;
  const outcomes = spec.outcomes ?? [];
  let opUs = createdUs;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let outcome: TerminalOutcome =
      outcomes[attempt - 1] ??
      (spec.outcomes ? 'succeeded' : rng.weighted<TerminalOutcome>(['succeeded', 'failed', 'timed_out'], attempt === 1 ? [78, 14, 8] : [80, 14, 6]));
    const hit = incidentHit(seed, incidents, job, opUs, attempt);
    if (hit?.fails && outcome === 'succeeded') outcome = 'failed';
    const planned = planAttempt(rng, job, opUs, outcome, spec.taskDurationsSec, hit);
    job.attempts.push(planned);
    const retry = spec.outcomes ? attempt < outcomes.length : outcome !== 'succeeded' && rng.next() < 0.45;
    if (!retry || outcome === 'succeeded') break;
    opUs = planned.endUs + (spec.retryAfterSec !== undefined ? secToUs(spec.retryAfterSec, 1) : secToUs(rng.logNormal(5 * 60, 0.6), 10 * S));
  }
  return job;
}

/** Whether an incident touches this attempt (the first that does): which task, how much slower, whether it fails (its own stream). */
function incidentHit(
  seed: number,
  incidents: readonly Incident[],
  job: Pick<PolicyPlan, 'uid' | 'type' | 'tasks'>,
  opUs: number,
  attempt: number,
): { task: number; slowdown: number; fails: boolean } | undefined {
  const taskOf = (incident: Incident) => (incident.clusterId === undefined ? 0 : job.tasks.findIndex((t) => t.target === incident.clusterId));
  const incident = incidents.find(
    (i) => job.type === i.type && opUs >= i.fromUs && (i.untilUs === undefined || opUs < i.untilUs) && taskOf(i) >= 0,
  );
  if (!incident) return undefined;
  const task = taskOf(incident);
  const fails = rngFor(seed, 'incident', job.uid, attempt).next() < (incident.failureRate ?? 0);
  return { task, slowdown: incident.slowdown ?? 1, fails };
}
