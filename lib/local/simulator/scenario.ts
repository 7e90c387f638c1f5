// The simulated UCS world: fleets whose federation jobs come one after another, and policy jobs arriving
// at random. Everything is planned from the seed (one PRNG stream per fleet, job and decision), then the
// response body at time t is a pure function of the plan and t: two simulators with the same seed answer
// identically, and concurrent readers never see an inconsistent state. This class holds the state (what is
// planned so far, what tests added or deleted); planning, rendering and ground truth live beside it. See
// README.md.
import { observableUntil, terminalRunsOf, type GroundTruthRun } from './ground-truth';
import { existsAt, policyKindOf, S, secToUs, type Fleet, type Incident, type PolicyJobSpec, type PolicyPlan } from './plan';
import { extendFederation, planFleet } from './plan-federation';
import { planPolicyJob } from './plan-policy';
import { rngFor, type Rng } from './prng';
import { renderClusterGroup, renderFederation, renderPolicy } from './render';
import { endOfMsMicros, msToUs } from './time-format';

export { policyKindOf, type GroundTruthRun, type Incident, type PolicyJobSpec };
export type { TerminalOutcome } from './plan';

/** Options of a scenario; all deterministic from `seed`. */
export interface ScenarioOptions {
  seed: number;
  fleets: number;
  policyJobsPerHour: number;
  start: Date;
  /** The scenario's "now" for test hooks and default `at` arguments. */
  now: () => Date;
  /** Incidents planted in the generated policy jobs (none by default). */
  incidents?: readonly Incident[];
}

/** The deterministic UCS world behind the simulator. */
export class Scenario {
  readonly seed: number;
  readonly startUs: number;
  private readonly policyJobsPerHour: number;
  private readonly nowFn: () => Date;
  private readonly incidents: readonly Incident[];
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
    this.incidents = opts.incidents ?? [];
    for (let i = 0; i < opts.fleets; i++) this.createFleet(this.startUs - rngFor(this.seed, 'fleet-age', i).int(86_400 * S, 30 * 86_400 * S));
    this.arrivals = rngFor(this.seed, 'arrivals');
    // The first policy job arrives within seconds so a fresh simulator has something to list.
    this.nextArrivalUs = this.startUs + this.arrivals.int(1 * S, 5 * S);
  }

  // ---------------------------------------------------------------- fleets and federation jobs

  private createFleet(createdUs: number): Fleet {
    const fleet = planFleet(this.seed, this.fleets.length, createdUs);
    this.fleets.push(fleet);
    return fleet;
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
    return this.fleets.filter((f) => existsAt(f, tUs)).map((f) => renderClusterGroup(f));
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
    extendFederation(this.seed, this.startUs, fleet, tUs);
    const job = fleet.jobs.findLast((j) => j.createdUs <= tUs);
    return job ? renderFederation(fleet, job, tUs) : undefined;
  }

  // ---------------------------------------------------------------- policy jobs

  /** Plans a policy job from `rng`; a spec naming no fleet (or an unknown one) gets one of ours. */
  private planPolicyJob(rng: Rng, createdUs: number, spec: PolicyJobSpec): PolicyPlan {
    return planPolicyJob(this.seed, rng, createdUs, spec, this.fleets, (us) => this.createFleet(us), this.incidents);
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
      .map((j) => renderPolicy(j, tUs));
  }

  /** The body of `GET /v1/policy/jobs/{jobId}` at `t`, or undefined for a 404. */
  policyJobAt(jobId: string, t: Date): Record<string, unknown> | undefined {
    const recorded = this.recorded['policy-job'].get(jobId);
    if (recorded) return structuredClone(recorded);
    const tUs = endOfMsMicros(t);
    this.extendPolicy(tUs);
    const job = this.byId.get(jobId);
    return job && existsAt(job, tUs) ? renderPolicy(job, tUs) : undefined;
  }

  // ---------------------------------------------------------------- ground truth

  /**
   * Every terminal run finished by `until` (inclusive, to the end of its millisecond): job runs (one per
   * job and attempt) and step runs (one per job, attempt and step that reached a terminal status in that
   * attempt). See README.md, "Ground truth".
   */
  terminalRuns(until: Date): GroundTruthRun[] {
    const tUs = endOfMsMicros(until);
    for (const fleet of this.fleets) {
      if (fleet.createdUs <= tUs) extendFederation(this.seed, this.startUs, fleet, observableUntil(fleet, tUs));
    }
    this.extendPolicy(tUs);
    return terminalRunsOf(this.fleets, [...this.generated, ...this.added], tUs);
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
