// The simulated UCS world: fleets whose federation jobs come one after another, and policy jobs arriving
// at random. Everything is planned from the seed (one PRNG stream per fleet, job and decision), then the
// response body at time t is a pure function of the plan and t: two simulators with the same seed answer
// identically, and concurrent readers never see an inconsistent state. See README.md.
import { rngFor, type Rng } from './prng';
import { endOfMsMicros, goTimeString, GO_ZERO_TIME, isoMicros, msToUs, rfc3339Cst } from './time-format';

const S = 1_000_000; // µs per second
const MS = 1_000; // µs per millisecond

/** A terminal outcome as the ground truth names it (the canonical statuses of DESIGN.md). */
export type TerminalOutcome = 'succeeded' | 'failed' | 'timed_out';

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

/** A policy job to add by hand (test hook); every field is optional. */
export interface PolicyJobSpec {
  type?: string;
  /** The fleet the job belongs to (defaults to the first fleet). */
  fleetId?: string;
  /** Number of per-cluster tasks (1..fleet's cluster count). */
  tasks?: number;
  runway?: 'parallel' | 'serial';
  waitTimeOutSec?: number;
  /** One outcome per attempt; every outcome but the last is followed by a retry. Default `['succeeded']`. */
  outcomes?: TerminalOutcome[];
  /** Creation time (default: the scenario's now). */
  createdAt?: Date;
  /** Planned task durations in seconds (cycled); default log-normal. */
  taskDurationsSec?: number[];
  /** Delay between an attempt's end and its retry, seconds (default 120). */
  retryAfterSec?: number;
}

/** Options of a scenario; all deterministic from `seed`. */
export interface ScenarioOptions {
  seed: number;
  fleets: number;
  policyJobsPerHour: number;
  start: Date;
  /** The scenario's "now" for test hooks and default `at` arguments. */
  now: () => Date;
}

interface Fleet {
  index: number;
  uid: string;
  name: string;
  federationUid: string;
  clusterIds: string[];
  createdUs: number;
  deletedUs?: number;
  jobs: FederationPlan[];
}

interface StepTimes {
  startUs?: number;
  endUs?: number;
  /** Raw terminal status shown from endUs on. */
  status?: string;
  reason?: string;
}

interface FederationSubPlan extends StepTimes {
  uid: string;
  type: string;
  createdUs: number;
  extend?: { extendParam?: Record<string, string>; extendparam?: string };
}

interface FederationPlan {
  uid: string;
  type: string;
  createdUs: number;
  startUs: number;
  endUs: number;
  phase: 'Success' | 'Failed';
  reason?: string;
  subJobs: FederationSubPlan[];
}

interface PolicyTaskPlan {
  uid: string;
  name: string;
  target: string;
  createdUs: number;
}

interface PolicyAttemptPlan {
  /** When the attempt was requested: creation for attempt 1, the retry operation after. */
  opUs: number;
  startUs: number;
  endUs: number;
  status: 'Succeeded' | 'Failed' | 'TimedOut';
  reason?: string;
  tasks: StepTimes[];
}

interface PolicyPlan {
  uid: string;
  name: string;
  type: string;
  fleet: Fleet;
  runway: 'parallel' | 'serial';
  waitTimeOutSec: number;
  createdUs: number;
  deletedUs?: number;
  domainId: string;
  extendParam: Record<string, string>;
  tasks: PolicyTaskPlan[];
  attempts: PolicyAttemptPlan[];
}

/** Federation job types (seeds README); the first job of a fleet creates the federation. */
const FEDERATION_TYPES = ['UpgradeFederation', 'RollbackFederation', 'CreateFederation', 'DeleteFederation'] as const;
/** Policy job types and the `kind` each lists under (`GET /v1/policy/jobs?kind=`). */
const POLICY_TYPES: readonly { type: string; kind: string }[] = [
  { type: 'UpdateConstraint', kind: 'constraint' },
  { type: 'CreateConstraint', kind: 'constraint' },
  { type: 'DeleteConstraint', kind: 'constraint' },
  { type: 'EnablePolicy', kind: 'policy' },
  { type: 'DisablePolicy', kind: 'policy' },
];
const WAIT_TIMEOUTS_SEC = [300, 600, 900, 1800, 3600] as const;
const MAX_ATTEMPTS = 3;

/** The `kind` a policy job type lists under. */
export function policyKindOf(type: string): string {
  return POLICY_TYPES.find((p) => p.type === type)?.kind ?? 'policy';
}

/** Seconds (float) → µs, at least `minUs`. */
function secToUs(sec: number, minUs = 0): number {
  return Math.max(minUs, Math.round(sec * S));
}

/** A small processing delay in µs (a few ms), as UCS controllers add between steps. */
function tick(rng: Rng, maxMs = 30): number {
  return rng.int(1 * MS, maxMs * MS);
}

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

/** The deterministic UCS world behind the simulator. */
/** True while a fleet or policy job exists: created at or before `tUs`, not yet deleted. */
function existsAt(thing: { createdUs: number; deletedUs?: number }, tUs: number): boolean {
  return thing.createdUs <= tUs && (thing.deletedUs === undefined || tUs < thing.deletedUs);
}

export class Scenario {
  readonly seed: number;
  readonly startUs: number;
  private readonly policyJobsPerHour: number;
  private readonly nowFn: () => Date;
  private readonly fleets: Fleet[] = [];
  /** Generated policy jobs, in arrival order (extended lazily as time advances). */
  private readonly generated: PolicyPlan[] = [];
  private nextArrivalUs: number;
  private readonly arrivals: Rng;
  private readonly added: PolicyPlan[] = [];
  private readonly byId = new Map<string, PolicyPlan>();
  /** Bodies served verbatim instead of generated ones (e.g. the seed pages' examples). */
  private readonly recorded = { fleet: new Map<string, Record<string, unknown>>(), 'policy-job': new Map<string, Record<string, unknown>>() };

  constructor(opts: ScenarioOptions) {
    this.seed = opts.seed;
    this.startUs = msToUs(opts.start.getTime());
    this.policyJobsPerHour = opts.policyJobsPerHour;
    this.nowFn = opts.now;
    for (let i = 0; i < opts.fleets; i++) this.createFleet(this.startUs - rngFor(this.seed, 'fleet-age', i).int(86_400 * S, 30 * 86_400 * S));
    this.arrivals = rngFor(this.seed, 'arrivals');
    // The first policy job arrives within seconds so a fresh simulator has something to list.
    this.nextArrivalUs = this.startUs + this.arrivals.int(1 * S, 5 * S);
  }

  // ---------------------------------------------------------------- fleets and federation jobs

  private createFleet(createdUs: number): Fleet {
    const index = this.fleets.length;
    const rng = rngFor(this.seed, 'fleet', index);
    const clusterIds = Array.from({ length: rng.int(2, 5) }, () => rng.uuid());
    const fleet: Fleet = {
      index,
      uid: rng.uuid(),
      name: `fleet-${index + 1}-${rng.hex(4)}`,
      federationUid: rng.uuid(),
      clusterIds,
      createdUs,
      jobs: [],
    };
    this.fleets.push(fleet);
    return fleet;
  }

  /** Plans federation job `k` of `fleet`, created at `createdUs`. */
  private planFederationJob(fleet: Fleet, k: number, createdUs: number): FederationPlan {
    const rng = rngFor(this.seed, 'federation', fleet.index, k);
    const type = k === 0 ? 'CreateFederation' : rng.weighted(FEDERATION_TYPES, [60, 15, 15, 10]);
    const startUs = createdUs + tick(rng, 10);
    const sub = (type: string, order: number): FederationSubPlan => ({ uid: rng.uuid(), type, createdUs: createdUs + (5 + order * 5) * MS + rng.int(0, 999) });
    // Order as in the seed page; the node → cert → chart chain runs beside the network resource.
    const chart = sub('InstallFederationChart', 3);
    const network = sub('CreateNetworkResource', 2);
    const cert = sub('CreateCert', 1);
    const node = sub('CreateNode', 0);
    network.extend = { extendParam: { JobExtendParamKeyElbID: rng.uuid() } };
    node.extend = { extendparam: `{"nodeCount":"${rng.int(1, 3)}"}` };
    const failing = rng.next() < 0.12 ? rng.pick([chart, network, cert, node]) : undefined;

    const runStep = (step: FederationSubPlan, at: number, durUs: number): void => {
      step.startUs = at;
      step.endUs = at + durUs;
      if (step === failing) {
        step.status = 'Failed';
        step.reason = `${step.type} failed: ${rng.pick(['context deadline exceeded', 'quota exceeded', 'resource conflict', 'connection refused'])}`;
      } else step.status = 'Success';
    };
    runStep(network, startUs + tick(rng, 25), secToUs(rng.logNormal(60, 0.4), 1 * S));
    runStep(node, startUs + tick(rng, 25), secToUs(rng.logNormal(1.5, 0.6), 10 * MS));
    if (node.status === 'Success' && node.endUs !== undefined) {
      // A zero-length step (start = finish) is real: see CreateCert in the seed page.
      runStep(cert, node.endUs + tick(rng, 8), rng.next() < 0.5 ? 0 : secToUs(rng.logNormal(0.3, 0.5)));
      if (cert.status === 'Success' && cert.endUs !== undefined) {
        runStep(chart, cert.endUs + tick(rng, 8), rng.next() < 0.5 ? 0 : secToUs(rng.logNormal(10, 0.7)));
      }
    }
    const subJobs = [chart, network, cert, node];
    const endUs = Math.max(...subJobs.map((s) => s.endUs ?? 0)) + tick(rng, 10);
    return {
      uid: rng.uuid(),
      type,
      createdUs,
      startUs,
      endUs,
      phase: failing ? 'Failed' : 'Success',
      reason: failing ? `sub job ${failing.type} failed` : undefined,
      subJobs,
    };
  }

  /** Makes sure `fleet.jobs` holds every job created up to `tUs` plus the next one. */
  private extendFederation(fleet: Fleet, tUs: number): void {
    if (fleet.jobs.length === 0) {
      // The first job starts just before the fleet is seen, so a fresh simulator shows a running job.
      const firstUs = Math.max(fleet.createdUs, this.startUs - rngFor(this.seed, 'first-federation', fleet.index).int(1 * S, 60 * S));
      fleet.jobs.push(this.planFederationJob(fleet, 0, firstUs));
    }
    for (;;) {
      const last = fleet.jobs[fleet.jobs.length - 1] as FederationPlan;
      if (last.createdUs > tUs) return;
      const gapUs = secToUs(rngFor(this.seed, 'federation-gap', fleet.index, fleet.jobs.length).logNormal(20 * 60, 0.8), 30 * S);
      fleet.jobs.push(this.planFederationJob(fleet, fleet.jobs.length, last.endUs + gapUs));
    }
  }

  private fleetById(fleetId: string): Fleet | undefined {
    return this.fleets.find((f) => f.uid === fleetId);
  }

  /** Ids of the fleets that exist at `at` (default now). */
  fleetIds(at: Date = this.nowFn()): string[] {
    const tUs = endOfMsMicros(at);
    return this.fleets.filter((f) => existsAt(f, tUs)).map((f) => f.uid);
  }

  /** The `GET /v1/clustergroups` items at `at`, in creation order. */
  clusterGroupsAt(at: Date): Record<string, unknown>[] {
    const tUs = endOfMsMicros(at);
    return this.fleets
      .filter((f) => existsAt(f, tUs))
      .map((f) => ({
        kind: 'ClusterGroup',
        apiVersion: 'v1',
        metadata: { uid: f.uid, name: f.name, creationTimestamp: goTimeString(f.createdUs), updateTimestamp: goTimeString(f.createdUs) },
        spec: { clusterIds: f.clusterIds, description: '' },
        status: { phase: 'Available' },
      }));
  }

  /**
   * Serves `body` verbatim for a fleet's progress or a policy job, whatever the simulated time, until
   * the simulator stops (tests replay the seed pages' examples through the real HTTP path this way).
   */
  serveRecorded(kind: 'fleet' | 'policy-job', id: string, body: Record<string, unknown>): void {
    this.recorded[kind].set(id, structuredClone(body));
  }

  /** The body of `GET /v1/clustergroups/{fleetId}/federations/progress` at `t`, or undefined for a 404. */
  federationJobAt(fleetId: string, t: Date): Record<string, unknown> | undefined {
    const recorded = this.recorded.fleet.get(fleetId);
    if (recorded) return structuredClone(recorded);
    const fleet = this.fleetById(fleetId);
    const tUs = endOfMsMicros(t);
    if (!fleet || !existsAt(fleet, tUs)) return undefined;
    this.extendFederation(fleet, tUs);
    const job = fleet.jobs.findLast((j) => j.createdUs <= tUs);
    return job ? this.renderFederation(fleet, job, tUs) : undefined;
  }

  private renderFederation(fleet: Fleet, job: FederationPlan, tUs: number): Record<string, unknown> {
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

  // ---------------------------------------------------------------- policy jobs

  /** Plans the tasks of one attempt starting at `startUs`; returns the attempt. */
  private planAttempt(
    rng: Rng,
    job: Pick<PolicyPlan, 'runway' | 'waitTimeOutSec' | 'tasks' | 'type'>,
    opUs: number,
    outcome: TerminalOutcome,
    durationsSec?: number[],
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
    const culprit = outcome === 'succeeded' ? -1 : rng.int(0, n - 1);
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

  /** Builds a policy job plan (generated or added). */
  private planPolicyJob(rng: Rng, createdUs: number, spec: PolicyJobSpec): PolicyPlan {
    const fleet = (spec.fleetId ? this.fleetById(spec.fleetId) : undefined) ?? this.fleets[rng.int(0, this.fleets.length - 1)] ?? this.createFleet(createdUs);
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
      domainId: rngFor(this.seed, 'domain').hex(32),
      extendParam: { constraintID: rng.uuid() },
      tasks,
      attempts: [] as PolicyAttemptPlan[],
    } satisfies PolicyPlan;
    const outcomes = spec.outcomes ?? [];
    let opUs = createdUs;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome: TerminalOutcome =
        outcomes[attempt - 1] ??
        (spec.outcomes ? 'succeeded' : rng.weighted<TerminalOutcome>(['succeeded', 'failed', 'timed_out'], attempt === 1 ? [78, 14, 8] : [80, 14, 6]));
      const planned = this.planAttempt(rng, job, opUs, outcome, spec.taskDurationsSec);
      job.attempts.push(planned);
      const retry = spec.outcomes ? attempt < outcomes.length : outcome !== 'succeeded' && rng.next() < 0.45;
      if (!retry || outcome === 'succeeded') break;
      opUs = planned.endUs + (spec.retryAfterSec !== undefined ? secToUs(spec.retryAfterSec, 1) : secToUs(rng.logNormal(5 * 60, 0.6), 10 * S));
    }
    return job;
  }

  /** Generates arrivals up to `tUs`. */
  private extendPolicy(tUs: number): void {
    if (this.policyJobsPerHour <= 0 || this.fleets.length === 0) return;
    while (this.nextArrivalUs <= tUs) {
      const index = this.generated.length;
      const plan = this.planPolicyJob(rngFor(this.seed, 'policy', index), this.nextArrivalUs, {});
      this.generated.push(plan);
      this.byId.set(plan.uid, plan);
      this.nextArrivalUs += secToUs(this.arrivals.exponential(3600 / this.policyJobsPerHour), 1 * S);
    }
  }

  /** Every policy job plan that exists at tUs, in creation order. */
  private policyPlansAt(tUs: number): PolicyPlan[] {
    this.extendPolicy(tUs);
    return [...this.generated, ...this.added].filter((j) => existsAt(j, tUs)).sort((a, b) => a.createdUs - b.createdUs);
  }

  /** Ids of the policy jobs that exist at `at` (default now), oldest first. */
  policyJobIds(at: Date = this.nowFn()): string[] {
    return this.policyPlansAt(endOfMsMicros(at)).map((j) => j.uid);
  }

  /** The `GET /v1/policy/jobs?kind=` items at `at`; `kinds` empty = all (see README for the match rule). */
  policyJobsAt(at: Date, kinds: string[] = []): Record<string, unknown>[] {
    const tUs = endOfMsMicros(at);
    const wanted = kinds.map((k) => k.toLowerCase()).filter((k) => k !== '');
    const all = wanted.length === 0 || wanted.includes('all') || wanted.includes('*');
    return this.policyPlansAt(tUs)
      .filter((j) => all || wanted.includes(j.type.toLowerCase()) || wanted.includes(policyKindOf(j.type)))
      .map((j) => this.renderPolicy(j, tUs));
  }

  /** The body of `GET /v1/policy/jobs/{jobId}` at `t`, or undefined for a 404. */
  policyJobAt(jobId: string, t: Date): Record<string, unknown> | undefined {
    const recorded = this.recorded['policy-job'].get(jobId);
    if (recorded) return structuredClone(recorded);
    const tUs = endOfMsMicros(t);
    this.extendPolicy(tUs);
    const job = this.byId.get(jobId);
    return job && existsAt(job, tUs) ? this.renderPolicy(job, tUs) : undefined;
  }

  private renderPolicy(job: PolicyPlan, tUs: number): Record<string, unknown> {
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

  // ---------------------------------------------------------------- ground truth

  /**
   * Every terminal run finished by `until` (inclusive, to the end of its millisecond): job runs (one per
   * job and attempt) and step runs (one per job, attempt and step that reached a terminal status in that
   * attempt). See README.md, "Ground truth".
   */
  terminalRuns(until: Date): GroundTruthRun[] {
    const tUs = endOfMsMicros(until);
    const runs: GroundTruthRun[] = [];
    for (const fleet of this.fleets) {
      if (fleet.createdUs > tUs) continue;
      const horizon = fleet.deletedUs === undefined ? tUs : Math.min(tUs, fleet.deletedUs - 1);
      this.extendFederation(fleet, horizon);
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
    this.extendPolicy(tUs);
    for (const job of [...this.generated, ...this.added]) {
      // A deleted job's later events were never observable.
      const horizon = job.deletedUs === undefined ? tUs : Math.min(tUs, job.deletedUs - 1);
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

  // ---------------------------------------------------------------- test hooks

  /** Adds a policy job created now (or at `spec.createdAt`); returns its id. Deterministic for a given call order. */
  addPolicyJob(spec: PolicyJobSpec = {}): string {
    const createdUs = msToUs((spec.createdAt ?? this.nowFn()).getTime());
    const plan = this.planPolicyJob(rngFor(this.seed, 'added', this.added.length), createdUs, spec);
    this.added.push(plan);
    this.byId.set(plan.uid, plan);
    return plan.uid;
  }

  /** Deletes a policy job or a fleet from now on: it answers 404 (`UCS.00000013`) and leaves the lists. */
  deleteJob(id: string): boolean {
    const nowUs = msToUs(this.nowFn().getTime());
    const job = this.byId.get(id);
    if (job) {
      job.deletedUs = Math.min(job.deletedUs ?? Infinity, nowUs);
      return true;
    }
    const fleet = this.fleetById(id);
    if (fleet) {
      fleet.deletedUs = Math.min(fleet.deletedUs ?? Infinity, nowUs);
      return true;
    }
    return false;
  }

  /** Adds a fleet created now (its first federation job starts right away); returns its id. */
  addFleet(): string {
    return this.createFleet(msToUs(this.nowFn().getTime())).uid;
  }

  /** The `waitTimeOut` (s) and the fleet of a policy job, for tests. */
  policyJobInfo(jobId: string): { waitTimeOutSec: number; fleetId: string; attempts: number; runway: string } | undefined {
    const job = this.byId.get(jobId);
    return job && { waitTimeOutSec: job.waitTimeOutSec, fleetId: job.fleet.uid, attempts: job.attempts.length, runway: job.runway };
  }
}
