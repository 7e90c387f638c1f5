// Response bodies at time t as pure functions of a plan and t: a step or job shows Pending, Running or its
// planned terminal status depending on where t falls, so concurrent readers always see a consistent state.
import type { FederationPlan, Fleet, PolicyAttemptPlan, PolicyPlan, StepTimes } from './plan';
import { goTimeString, GO_ZERO_TIME, rfc3339Cst } from './time-format';

/** The raw status of a planned step at time `tUs`. */
function stepStateAt(step: StepTimes, tUs: number, running: string, pending: string): { status: string; started: boolean; finished: boolean } {
  if (step.startUs === undefined || tUs < step.startUs) return { status: pending, started: false, finished: false };
  if (step.endUs === undefined || tUs < step.endUs) return { status: running, started: true, finished: false };
  return { status: step.status ?? running, started: true, finished: true };
}

/** The latest of `times` that is ≤ tUs (the `updateTimestamp` of an object). */
function lastEventAt(times: (number | undefined)[], tUs: number): number {
  let best = -Infinity;
  for (const x of times) if (x !== undefined && x <= tUs && x > best) best = x;
  return best;
}

/** A fleet as a `GET /v1/clustergroups` item (fleets do not change once created). */
export function renderClusterGroup(f: Fleet): Record<string, unknown> {
  return {
    kind: 'ClusterGroup',
    apiVersion: 'v1',
    metadata: { uid: f.uid, name: f.name, creationTimestamp: goTimeString(f.createdUs), updateTimestamp: goTimeString(f.createdUs) },
    spec: { clusterIds: f.clusterIds, description: '' },
    status: { phase: 'Available' },
  };
}

/** The body of `GET /v1/clustergroups/{fleetId}/federations/progress` showing `job` at `tUs`. */
export function renderFederation(fleet: Fleet, job: FederationPlan, tUs: number): Record<string, unknown> {
  const goOrZero = (us: number | undefined): string => (us === undefined ? GO_ZERO_TIME : goTimeString(us));
  const subJobs = job.subJobs.map((s) => {
    const state = stepStateAt(s, tUs, 'Running', 'Pending');
    return {
      kind: 'Job',
      apiVersion: 'v3',
      metadata: {
        uid: s.uid,
        creationTimestamp: goTimeString(s.createdUs),
        updateTimestamp: goTimeString(lastEventAt([s.createdUs, s.startUs, s.endUs], tUs)),
      },
      spec: { type: s.type, federationUID: fleet.federationUid, ...s.extend },
      status: {
        phase: state.status,
        ...(state.finished && s.reason ? { reason: s.reason } : {}),
        completionTime: goOrZero(state.finished ? s.endUs : undefined),
        startTime: goOrZero(state.started ? s.startUs : undefined),
      },
    };
  });
  const started = tUs >= job.startUs;
  const finished = tUs >= job.endUs;
  const events = [job.createdUs, job.startUs, job.endUs, ...job.subJobs.flatMap((s) => [s.startUs, s.endUs])];
  return {
    kind: 'Job',
    apiVersion: 'v3',
    metadata: { uid: job.uid, creationTimestamp: goTimeString(job.createdUs), updateTimestamp: goTimeString(lastEventAt(events, tUs)) },
    spec: {
      type: job.type,
      federationUID: fleet.federationUid,
      resourceID: fleet.federationUid,
      resourceName: fleet.federationUid,
      subJobs,
    },
    status: {
      phase: finished ? job.phase : started ? 'Running' : 'Pending',
      ...(finished && job.reason ? { reason: job.reason } : {}),
      completionTime: goOrZero(finished ? job.endUs : undefined),
      startTime: goOrZero(started ? job.startUs : undefined),
    },
  };
}

/** The body of `GET /v1/policy/jobs/{jobId}` at `tUs`: the attempt requested last by then, with its tasks. */
export function renderPolicy(job: PolicyPlan, tUs: number): Record<string, unknown> {
  const attemptIndex = job.attempts.findLastIndex((a) => a.opUs <= tUs);
  const attempt = job.attempts[Math.max(0, attemptIndex)] as PolicyAttemptPlan;
  const started = tUs >= attempt.startUs;
  const finished = tUs >= attempt.endUs;
  const taskList = job.tasks.map((task, i) => {
    const times = attempt.tasks[i] ?? {};
    const state = stepStateAt(times, tUs, 'Running', 'Pending');
    // Earlier attempts' events count for updateTimestamp too: the retry rewrote the task.
    const events = [task.createdUs, ...job.attempts.flatMap((a) => [a.opUs, a.tasks[i]?.startUs, a.tasks[i]?.endUs])];
    return {
      kind: 'task',
      apiVersion: 'task.workflow.io/v1alpha1',
      metadata: {
        name: task.name,
        uid: task.uid,
        creationTimestamp: goTimeString(task.createdUs),
        updateTimestamp: goTimeString(lastEventAt(events, tUs)),
      },
      spec: {
        jobID: job.uid,
        target: task.target,
        targetType: 'cluster',
        type: job.type,
        runway: job.runway,
        waitTimeOut: job.waitTimeOutSec,
      },
      status: {
        status: state.status,
        ...(state.finished && times.reason ? { reason: times.reason } : {}),
        ...(state.started && times.startUs !== undefined ? { startTime: rfc3339Cst(times.startUs) } : {}),
        ...(state.finished && times.endUs !== undefined ? { finishTime: rfc3339Cst(times.endUs) } : {}),
      },
    };
  });
  const events = [job.createdUs, ...job.attempts.flatMap((a) => [a.opUs, a.startUs, a.endUs, ...a.tasks.flatMap((x) => [x.startUs, x.endUs])])];
  return {
    kind: 'job',
    apiVersion: 'job.workflow.io/v1alpha1',
    metadata: {
      name: job.name,
      uid: job.uid,
      creationTimestamp: goTimeString(job.createdUs),
      updateTimestamp: goTimeString(lastEventAt(events, tUs)),
    },
    spec: {
      taskList,
      domainID: job.domainId,
      operation: attemptIndex > 0 ? 'retry' : 'create',
      waitTimeOut: job.waitTimeOutSec,
      type: job.type,
      relatedObjects: { clusterGroupID: job.fleet.uid },
      extendParam: job.extendParam,
    },
    status: {
      status: finished ? attempt.status : 'Running',
      ...(finished && attempt.reason ? { reason: attempt.reason } : {}),
      ...(started ? { startTime: rfc3339Cst(attempt.startUs) } : {}),
      ...(finished ? { finishTime: rfc3339Cst(attempt.endUs) } : {}),
    },
  };
}
