import type { JobRecord, JobSource, TerminalStatus } from '../jobs/record';
import type { RunAggregate } from '../stats/aggregate';

/** Statistics are kept for whole jobs and for their steps (sub-jobs, tasks). */
export type Level = 'job' | 'step';
/** The grouping a rollup partition is kept for (`day` grouping reads `none` rollups per day). */
export type RollupGrouping = 'none' | 'type' | 'fleet' | 'cluster';
/** Rollup time buckets: `day` = `YYYY-MM-DD`, `hour` = `YYYY-MM-DDTHH` (UTC). */
export type Granularity = 'week' | 'day' | 'hour';
export type TargetKind = 'fleet' | 'policy-job';

/** What recording one observation did. */
export interface ObservationResult {
  /** `stale`: an older observation than the stored latest state, ignored. */
  outcome: 'unchanged' | 'changed' | 'stale';
  attempt: number;
  /** Terminal runs (job and steps) this observation counted for the first time. */
  newRuns: number;
}

/** One terminal run of a job or a step: what every statistic counts, exactly once. */
export interface TerminalRun {
  level: Level;
  source: JobSource;
  jobId: string;
  attempt: number;
  stepId?: string;
  /** The job type (level job) or the step type (level step). */
  type: string;
  jobType: string;
  status: TerminalStatus;
  rawStatus?: string;
  fleetId?: string;
  /** Level step: the task's cluster target. */
  clusterId?: string;
  /** Level job: every cluster the job's tasks targeted. */
  clusterIds?: string[];
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** The time the run belongs to: `finishedAt`, else the first terminal observation (DESIGN.md). */
  belongsAt: string;
}

/** The rollup items of one partition at one granularity whose bucket is in [fromBucket, toBucket) (bucket strings compare as times). */
export interface RollupRange {
  level: Level;
  grouping: RollupGrouping;
  scope: string;
  granularity: Granularity;
  fromBucket: string;
  toBucket: string;
}

/** What compacting one rollup partition did. */
export interface PartitionCompaction {
  /** Rollup items read. */
  examined: number;
  /** Items rewritten with their bins packed. */
  compacted: number;
  /** Loose bin attributes folded away. */
  binsFolded: number;
  /** Items skipped because a run was added between the read and the rewrite. */
  raced: number;
  /** The group keys of the items read (a `type` partition names the types that have fleet/cluster scopes). */
  keys: string[];
}

/** One rollup item: the aggregate of the runs of one group in one time bucket. */
export interface RollupBucket {
  level: Level;
  grouping: RollupGrouping;
  /**
   * The filter the partition was kept for: `*` (none), `source=<source>` or `type=<source>/<type>`.
   * Only `fleet` and `cluster` groupings keep filtered partitions; `type` keys already carry the source.
   */
  scope: string;
  /** The group: `all` (none), `<source>/<type>` (type), the fleet id, or the cluster id. */
  key: string;
  granularity: Granularity;
  bucket: string;
  aggregate: RunAggregate;
}

/** A watched fleet or policy job. */
export interface Target {
  kind: TargetKind;
  id: string;
  state: 'active' | 'retired';
  addedAt: string;
  addedBy: 'discovery' | 'api' | 'config';
  /** Last poll that wrote anything (a change, an error, a schedule change): steady polls write nothing. */
  lastPolledAt?: string;
  lastChangedAt?: string;
  lastFingerprint?: string;
  lastError?: string;
  consecutiveFailures: number;
  nextPollAt: string;
  /** Policy jobs: when the job was first seen terminal (re-checked with backoff for 24 h, then retired). */
  terminalSince?: string;
  retiredAt?: string;
  retiredReason?: string;
}

/** Filters of `GET /jobs`. `from`/`to` bound the sort time (startedAt, else createdAt): `[from, to)`. */
export interface JobListFilter {
  source?: JobSource;
  type?: string;
  status?: string;
  fleetId?: string;
  clusterId?: string;
  from?: string;
  to?: string;
}

/** A listing was asked to start from a position the store never handed out. */
export class InvalidPositionError extends Error {
  override name = 'InvalidPositionError';
}

/** One page of results; `nextKey` is the store's own position, to be wrapped in an opaque cursor. */
export interface Page<T> {
  items: T[];
  nextKey?: Record<string, string>;
}

/**
 * The history store: domain code talks to this port; `lib/store/dynamodb-store.ts` implements it.
 * Every read is a Query or a GetItem.
 */
export interface JobStore {
  /**
   * Stores the observation if its state differs from the latest stored one; counts new terminal runs once.
   * `fp` is the record's `fingerprint` when the caller has computed it already.
   */
  recordObservation(record: JobRecord, fp?: string): Promise<ObservationResult>;
  /** The latest state and every distinct observed state, oldest first; undefined if unknown. */
  getJob(source: JobSource, jobId: string): Promise<{ job: JobRecord; history: JobRecord[] } | undefined>;
  /** Latest job states, newest sort time first. */
  listJobs(filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>>;
  /** The rollup items of a range. */
  readRollups(range: RollupRange): Promise<RollupBucket[]>;
  /**
   * Folds the loose figures of the rollup items of a range into packed ones. Reads return the same aggregates
   * before and after; an item that gains a run meanwhile is left for the next pass (`raced`), never overwritten.
   */
  compactRollups(range: RollupRange): Promise<PartitionCompaction>;
  /** Terminal runs whose `belongsAt` is in [from, to) (ISO times), for the partial hours at window edges. */
  readRuns(level: Level, from: string, to: string): Promise<TerminalRun[]>;

  /** Adds a target (idempotent: an existing one, active or retired, is returned unchanged). */
  addTarget(kind: TargetKind, id: string, now: string, addedBy: Target['addedBy']): Promise<{ target: Target; created: boolean }>;
  getTarget(kind: TargetKind, id: string): Promise<Target | undefined>;
  /** The watch list, optionally of one kind, retired targets included when asked. */
  listTargets(options?: { kind?: TargetKind; includeRetired?: boolean }): Promise<Target[]>;
  /** Active targets of a kind whose next poll time is at or before `now`, oldest first. */
  dueTargets(kind: TargetKind, now: string): Promise<Target[]>;
  /** Writes the bookkeeping fields of a target (poll times, errors, schedule). */
  updateTarget(target: Target): Promise<void>;
  /** Marks a target retired with its reason (kept, never deleted); a retired one is returned unchanged, an unknown one as undefined. */
  retireTarget(kind: TargetKind, id: string, now: string, reason: string): Promise<Target | undefined>;

  /** Succeeds when the table is reachable. */
  ping(): Promise<void>;
}
