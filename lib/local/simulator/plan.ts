// The simulated world's plan: the shapes every planner fills in and every renderer reads, plus the
// constants and small helpers they share. A plan fixes every timestamp and outcome up front, so a response
// body is a pure function of (plan, t). See README.md.
import type { Rng } from './prng';

/** µs per second. */
export const S = 1_000_000;
/** µs per millisecond. */
export const MS = 1_000;

/** A terminal outcome as the ground truth names it (the canonical statuses of DESIGN.md). */
export type TerminalOutcome = 'succeeded' | 'failed' | 'timed_out';

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

/**
 * An incident planted in the generated world (local mode's `LOCAL_SIM_INCIDENT`, and the alert tests): from
 * `fromUs` (until `untilUs`, if set), attempts of policy jobs of `type` that have a task on `clusterId` (any
 * cluster when absent) fail with probability `failureRate` on that task, and their tasks there take `slowdown`
 * times as long. Its draws come from a stream of their own, so a world without an incident is unchanged.
 */
export interface Incident {
  type: string;
  clusterId?: string;
  fromUs: number;
  untilUs?: number;
  failureRate?: number;
  slowdown?: number;
}

/** A fleet (cluster group) and its federation jobs, planned lazily in creation order. */
export interface Fleet {
  index: number;
  uid: string;
  name: string;
  federationUid: string;
  clusterIds: string[];
  createdUs: number;
  deletedUs?: number;
  jobs: FederationPlan[];
}

/** When a step (federation sub-job or policy task) ran in one attempt; unset fields never happened. */
export interface StepTimes {
  startUs?: number;
  endUs?: number;
  /** Raw terminal status shown from endUs on. */
  status?: string;
  reason?: string;
}

/** A federation sub-job: a step of a federation job. */
export interface FederationSubPlan extends StepTimes {
  uid: string;
  type: string;
  createdUs: number;
  extend?: { extendParam?: Record<string, string>; extendparam?: string };
}

/** One federation job of a fleet, fully timed. */
export interface FederationPlan {
  uid: string;
  type: string;
  createdUs: number;
  startUs: number;
  endUs: number;
  phase: 'Success' | 'Failed';
  reason?: string;
  subJobs: FederationSubPlan[];
}

/** A policy job's per-cluster task: the part that stays the same across attempts. */
export interface PolicyTaskPlan {
  uid: string;
  name: string;
  target: string;
  createdUs: number;
}

/** One attempt of a policy job: the job's times and each task's times in that attempt. */
export interface PolicyAttemptPlan {
  /** When the attempt was requested: creation for attempt 1, the retry operation after. */
  opUs: number;
  startUs: number;
  endUs: number;
  status: 'Succeeded' | 'Failed' | 'TimedOut';
  reason?: string;
  tasks: StepTimes[];
}

/** A policy job with all its attempts planned. */
export interface PolicyPlan {
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
export const FEDERATION_TYPES = ['UpgradeFederation', 'RollbackFederation', 'CreateFederation', 'DeleteFederation'] as const;
/** Policy job types and the `kind` each lists under (`GET /v1/policy/jobs?kind=`). */
export const POLICY_TYPES: readonly { type: string; kind: string }[] = [
  { type: 'UpdateConstraint', kind: 'constraint' },
  { type: 'CreateConstraint', kind: 'constraint' },
  { type: 'DeleteConstraint', kind: 'constraint' },
  { type: 'EnablePolicy', kind: 'policy' },
  { type: 'DisablePolicy', kind: 'policy' },
];
/** The `waitTimeOut` values (s) a generated policy job picks from. */
export const WAIT_TIMEOUTS_SEC = [300, 600, 900, 1800, 3600] as const;
/** At most this many attempts per policy job (the first plus its retries). */
export const MAX_ATTEMPTS = 3;

/** The `kind` a policy job type lists under. */
export function policyKindOf(type: string): string {
  return POLICY_TYPES.find((p) => p.type === type)?.kind ?? 'policy';
}

/** Seconds (float) → µs, at least `minUs`. */
export function secToUs(sec: number, minUs = 0): number {
  return Math.max(minUs, Math.round(sec * S));
}

/** A small processing delay in µs (a few ms), as UCS controllers add between steps. */
export function tick(rng: Rng, maxMs = 30): number {
  return rng.int(1 * MS, maxMs * MS);
}

/** True while a fleet or policy job exists: created at or before `tUs`, not yet deleted. */
export function existsAt(thing: { createdUs: number; deletedUs?: number }, tUs: number): boolean {
  return thing.createdUs <= tUs && (thing.deletedUs === undefined || tUs < thing.deletedUs);
}
